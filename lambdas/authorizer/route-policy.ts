import type { RouteManifest } from '../shared/manifest';

export interface PolicyStatement {
  readonly Action: 'execute-api:Invoke';
  readonly Effect: 'Allow' | 'Deny';
  readonly Resource: string[];
}

export interface PolicyDocument {
  readonly Version: '2012-10-17';
  readonly Statement: PolicyStatement[];
}

/** `arn:…:execute-api:region:account:apiId/stage` of a request's method ARN. */
export function stageArn(methodArn: string): string {
  const [apiArn, stage] = methodArn.split('/');
  return `${apiArn}/${stage}`;
}

/** The method ARN pattern of a route: path parameters become `*`. */
export function routeArnPattern(stage: string, route: Pick<RouteManifest, 'method' | 'path'>): string {
  return `${stage}/${route.method}/${route.path.slice(1).replace(/\{[^}]+\}/g, '*')}`;
}

/**
 * The policy for a key: Allow on exactly the routes one of its groups may call, across the whole
 * stage, because API Gateway caches the decision per token and reuses it on every route. A `*`
 * for a path parameter also spans deeper paths, so a route the key may not call that an allowed
 * pattern covers gets an explicit Deny (which wins), unless that Deny would cover an allowed route
 * too; the handler checks the key's groups again, so no such overlap lets a request through.
 */
export function policyForGroups(routes: readonly RouteManifest[], groups: readonly string[], stage: string): PolicyDocument {
  const allowed: string[] = [];
  const denied: string[] = [];
  for (const route of routes) {
    if (route.auth.type !== 'keyGroups') continue;
    const groupsOfRoute = route.auth.groups;
    (groups.some((group) => groupsOfRoute.includes(group)) ? allowed : denied).push(routeArnPattern(stage, route));
  }
  const overlapping = denied.filter((pattern) => allowed.some((allow) => globMatches(allow, pattern)) && !allowed.some((allow) => globMatches(pattern, allow)));
  const statements: PolicyStatement[] = [];
  statements.push(allowed.length ? { Action: 'execute-api:Invoke', Effect: 'Allow', Resource: allowed } : { Action: 'execute-api:Invoke', Effect: 'Deny', Resource: [`${stage}/*`] });
  if (allowed.length && overlapping.length) statements.push({ Action: 'execute-api:Invoke', Effect: 'Deny', Resource: overlapping });
  return { Version: '2012-10-17', Statement: statements };
}

/** IAM resource matching: `*` any run of characters, `?` one character. */
export function globMatches(pattern: string, value: string): boolean {
  return globPattern(pattern).test(value);
}

function globPattern(pattern: string): RegExp {
  const source = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${source}$`, 's');
}

/** How API Gateway applies a (cached) policy to a request: an explicit Deny wins, else an Allow is needed. */
export function policyAllows(policy: PolicyDocument, methodArn: string): boolean {
  const { allow, deny } = compiledPolicy(policy);
  return !deny.some((pattern) => pattern.test(methodArn)) && allow.some((pattern) => pattern.test(methodArn));
}

// a cached policy is applied to every request of its token: its patterns are compiled once
const compiledPolicies = new WeakMap<PolicyDocument, { allow: RegExp[]; deny: RegExp[] }>();

function compiledPolicy(policy: PolicyDocument): { allow: RegExp[]; deny: RegExp[] } {
  let compiled = compiledPolicies.get(policy);
  if (!compiled) {
    const of = (effect: 'Allow' | 'Deny') => policy.Statement.filter((statement) => statement.Effect === effect).flatMap((statement) => statement.Resource.map(globPattern));
    compiled = { allow: of('Allow'), deny: of('Deny') };
    compiledPolicies.set(policy, compiled);
  }
  return compiled;
}
