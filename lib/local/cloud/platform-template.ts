import type { AppApiStack } from '../../constructs/app-api-stack';
import type { HandlerIdentity } from './handler-iam';
import { PLATFORM_RESOURCE_TYPES, type PlatformTemplate } from './platform';
import { authorizerIdentity, handlerIdentities } from './role-identities';
import { stageWebAclProperties, templateResources } from './stack-resources';

/**
 * What the local platform is compiled from, read from an environment stack as its templates have
 * it: plain JSON, so that the declarations cache can keep it and compile the same platform later.
 */
export function platformTemplate(environment: AppApiStack): PlatformTemplate {
  const webAcl = stageWebAclProperties(environment);
  const roleIdentities: HandlerIdentity[] = [];
  const handlerRoles: Record<string, number> = {};
  for (const [routeId, identity] of handlerIdentities(environment)) {
    // App APIs sharing a role share one identity, as they do when compiled straight from the stack
    let index = roleIdentities.indexOf(identity);
    if (index < 0) index = roleIdentities.push(identity) - 1;
    handlerRoles[routeId] = index;
  }
  return {
    resources: templateResources(environment, PLATFORM_RESOURCE_TYPES),
    ...(webAcl ? { webAcl } : {}),
    roleIdentities,
    handlerRoles,
    authorizerIdentity: authorizerIdentity(environment),
  };
}
