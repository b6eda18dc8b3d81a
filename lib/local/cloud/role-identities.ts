import { CfnResource, Stack, Token } from 'aws-cdk-lib';
import type { AppApiStack } from '../../constructs/app-api-stack';
import type { HandlerIdentity } from './handler-iam';
import type { PolicyDocument } from './iam';
import { LOCAL_PSEUDO_PARAMETERS, resolveLocally } from './intrinsics';
import { renderedResource, templateResources, type TemplateResource } from './stack-resources';

/**
 * Each App API's handler identity: the inline policies of its execution role and every
 * AWS::IAM::Policy attached to that role (escape-hatch overrides and added statements included),
 * with intrinsics resolved to local values. A managed policy on a handler role is refused: what
 * it allows is not in the template.
 */
export function handlerIdentities(environment: AppApiStack): Map<string, HandlerIdentity> {
  const attached = templateResources(environment, new Set(['AWS::IAM::Policy']));
  const identities = new Map<string, HandlerIdentity>();
  const byRole = new Map<CfnResource, HandlerIdentity>();
  for (const route of environment.manifest.routes) {
    const role = environment.handlerRoles.roleOf(route.id).node.defaultChild as CfnResource;
    let identity = byRole.get(role);
    if (!identity) {
      identity = roleIdentity(role, attached, `The handler role of ${route.id}`);
      byRole.set(role, identity);
    }
    identities.set(route.id, identity);
  }
  return identities;
}

/** The environment's authorizer function's identity: its role's policies, as for the handlers. */
export function authorizerIdentity(environment: AppApiStack): HandlerIdentity {
  const role = environment.authorizer.function.role?.node.defaultChild as CfnResource | undefined;
  if (!role) throw new Error('The authorizer function has no role of its own in the template.');
  return roleIdentity(role, templateResources(environment, new Set(['AWS::IAM::Policy'])), 'The authorizer role');
}

/**
 * A role's identity: its inline policies and every AWS::IAM::Policy attached to it, as the
 * template has them, intrinsics resolved to local values. A managed policy is refused: what it
 * allows is not in the template.
 */
function roleIdentity(role: CfnResource, attached: readonly TemplateResource[], what: string): HandlerIdentity {
  const roleStack = Stack.of(role);
  const logicalId = roleStack.getLogicalId(role);
  // only this role is rendered: rendering every role of the stack per role grew with the square of the routes
  const rendered = renderedResource(role);
  const properties = rendered.properties as { RoleName?: string; ManagedPolicyArns?: unknown[]; Policies?: Array<{ PolicyDocument: unknown }> };
  if ((properties.ManagedPolicyArns ?? []).length > 0) throw new Error(`${what} (${logicalId}) has managed policies; the local gateway evaluates only policies the template spells out.`);
  const where = { partition: LOCAL_PSEUDO_PARAMETERS['AWS::Partition']!, region: known(roleStack.region) ?? LOCAL_PSEUDO_PARAMETERS['AWS::Region']!, account: known(roleStack.account) ?? LOCAL_PSEUDO_PARAMETERS['AWS::AccountId']! };
  const arnOf = resourceArn(roleStack, where);
  const documents = [
    ...(properties.Policies ?? []).map((policy, index) => resolveLocally(policy.PolicyDocument, `${logicalId}.Policies[${index}]`, LOCAL_PSEUDO_PARAMETERS, arnOf) as PolicyDocument),
    ...attached
      .filter((policy) => policy.stackPath === rendered.stackPath && JSON.stringify(policy.properties.Roles ?? []).includes(`"${logicalId}"`))
      .map((policy) => resolveLocally(policy.properties.PolicyDocument, `${policy.logicalId}.PolicyDocument`, LOCAL_PSEUDO_PARAMETERS, arnOf) as PolicyDocument),
  ];
  return { roleArn: `arn:${where.partition}:iam::${where.account}:role/${logicalId}`, policies: documents, where };
}

/**
 * `Fn::GetAtt [resource, Arn]` in a role's policies: a named DynamoDB table's ARN from its
 * TableName; for a resource of another service (a log group, a secret), an ARN of that service
 * naming it by its logical id, whose exact form does not matter here (an ARN of another service
 * never matches a DynamoDB call). Anything else is left unresolved, and refused.
 */
function resourceArn(stack: Stack, where: HandlerIdentity['where']): (logicalId: string, attribute: string) => string | undefined {
  let resources: Map<string, CfnResource> | undefined;
  return (logicalId, attribute) => {
    resources ??= new Map(stack.node.findAll().filter(CfnResource.isCfnResource).map((resource) => [stack.getLogicalId(resource), resource]));
    const resource = resources.get(logicalId);
    if (attribute !== 'Arn' || !resource) return undefined;
    const [, service, kind] = resource.cfnResourceType.split('::') as [string, string, string];
    if (resource.cfnResourceType === 'AWS::DynamoDB::Table') {
      const name = stack.resolve((resource as unknown as { tableName?: string }).tableName) as unknown;
      return typeof name === 'string' ? `arn:${where.partition}:dynamodb:${where.region}:${where.account}:table/${name}` : undefined;
    }
    if (service === 'DynamoDB') return undefined;
    return `arn:${where.partition}:${service.toLowerCase()}:${where.region}:${where.account}:${kind.toLowerCase()}/${logicalId}`;
  };
}

function known(value: string): string | undefined {
  return Token.isUnresolved(value) ? undefined : value;
}
