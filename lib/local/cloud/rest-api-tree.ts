import { LAMBDA_ENTRIES } from '../../constructs/lambda-entries';
import { functionConfiguration, type FunctionConfiguration } from './lambda-functions';
import type { TemplateResource } from './stack-resources';

/** What a method's Lambda proxy integration invokes: a route's handler or the environment's fallback function. */
export type IntegrationTarget =
  | { readonly kind: 'handler'; readonly functionLogicalId: string; readonly routeId: string; readonly function: FunctionConfiguration }
  | { readonly kind: 'fallback'; readonly functionLogicalId: string; readonly function: FunctionConfiguration };

/** One AWS::ApiGateway::Method as the template has it. */
export interface TemplateMethod {
  readonly logicalId: string;
  /** GET, POST, …, or ANY. */
  readonly httpMethod: string;
  /** The resource's path template, e.g. `/customers/{customerId}`. */
  readonly resourcePath: string;
  /** The resource's logical id: its local resource id. */
  readonly resourceId: string;
  readonly authorizationType: 'NONE' | 'CUSTOM';
  /** The logical id of the method's authorizer (CUSTOM only). */
  readonly authorizerId?: string;
  readonly target: IntegrationTarget;
  /** `method.request.{path|querystring|header}.NAME` → required. */
  readonly requestParameters: Readonly<Record<string, boolean>>;
  /** Content type → the logical id of its AWS::ApiGateway::Model. */
  readonly requestModels: Readonly<Record<string, string>>;
  readonly requestValidatorId?: string;
}

export type MethodResolution =
  | { readonly kind: 'method'; readonly method: TemplateMethod; readonly pathParameters: Record<string, string> }
  /** No resource for the path, or the resource has neither the method nor ANY: MISSING_AUTHENTICATION_TOKEN. */
  | { readonly kind: 'missing' };

interface ResourceNode {
  readonly path: string;
  readonly literal: Map<string, ResourceNode>;
  parameter?: { readonly name: string; readonly node: ResourceNode };
  proxy?: { readonly name: string; readonly node: ResourceNode };
  readonly methods: Map<string, TemplateMethod>;
}

type Ref = { Ref?: string; 'Fn::GetAtt'?: [string, string] };

const TREE_TYPES = ['AWS::ApiGateway::RestApi', 'AWS::ApiGateway::Resource', 'AWS::ApiGateway::Method', 'AWS::Lambda::Function'] as const;
/** The resource types the tree is read from. */
export const REST_API_TREE_TYPES: ReadonlySet<string> = new Set(TREE_TYPES);

/**
 * The REST API's resources and methods as the template has them (nested stacks included), as
 * API Gateway routes a request through them: part by part, a literal path part before a
 * `{parameter}` before a greedy `{proxy+}`; on the resource found, the request's method, else
 * ANY. A path with no resource, or a resource with neither, is MISSING_AUTHENTICATION_TOKEN.
 * Built once per load; a request only walks the tree.
 * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-method-settings-method-request.html
 * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-set-up-simple-proxy.html
 */
export class RestApiTree {
  private readonly root: ResourceNode;
  /** Every method, for checks made once at startup (throttling keys, parity listing). */
  readonly methods: readonly TemplateMethod[];

  constructor(resources: readonly TemplateResource[]) {
    const byId = uniqueById(resources);
    const restApis = resources.filter((resource) => resource.type === 'AWS::ApiGateway::RestApi');
    if (restApis.length !== 1) throw new Error(`The environment has ${restApis.length} REST APIs; the local gateway serves exactly one.`);
    const apiId = restApis[0]!.logicalId;
    this.root = newNode('/');
    const nodes = new Map<string, ResourceNode>([[rootKey(apiId), this.root]]);
    const nodeOf = (logicalId: string, seen: Set<string> = new Set()): ResourceNode => {
      const known = nodes.get(logicalId);
      if (known) return known;
      const resource = byId.get(logicalId);
      if (!resource || resource.type !== 'AWS::ApiGateway::Resource') throw new Error(`A method or resource of the REST API hangs from ${logicalId}, which is not a resource of the template.`);
      if (seen.has(logicalId)) throw new Error(`Resource ${logicalId} is its own ancestor.`);
      seen.add(logicalId);
      const parent = nodeOf(parentKey(resource, apiId), seen);
      const part = String(resource.properties.PathPart);
      const path = `${parent.path === '/' ? '' : parent.path}/${part}`;
      const node = attach(parent, part, path, logicalId);
      nodes.set(logicalId, node);
      return node;
    };
    for (const resource of resources) if (resource.type === 'AWS::ApiGateway::Resource') nodeOf(resource.logicalId);
    const methods: TemplateMethod[] = [];
    const resourceIds = new Map<ResourceNode, string>([...nodes].map(([id, node]) => [node, id === rootKey(apiId) ? apiId : id]));
    for (const resource of resources) {
      if (resource.type !== 'AWS::ApiGateway::Method') continue;
      const node = nodeOf(parentKey({ ...resource, properties: { ParentId: resource.properties.ResourceId } }, apiId));
      const method = templateMethod(resource, node.path, resourceIds.get(node)!, byId);
      if (node.methods.has(method.httpMethod)) throw new Error(`Resource ${node.path} has two ${method.httpMethod} methods (${node.methods.get(method.httpMethod)!.logicalId}, ${method.logicalId}).`);
      node.methods.set(method.httpMethod, method);
      methods.push(method);
    }
    this.methods = methods;
  }

  /** `path` is the request path as sent (percent-encoded); parameters are decoded as API Gateway does. */
  resolve(httpMethod: string, path: string): MethodResolution {
    const found = find(this.root, splitPath(path), 0, {});
    if (!found) return { kind: 'missing' };
    // a method the resource declares wins over its ANY
    const method = found.node.methods.get(httpMethod) ?? found.node.methods.get('ANY');
    return method ? { kind: 'method', method, pathParameters: found.parameters } : { kind: 'missing' };
  }
}

function newNode(path: string): ResourceNode {
  return { path, literal: new Map(), methods: new Map() };
}

function attach(parent: ResourceNode, part: string, path: string, logicalId: string): ResourceNode {
  const greedy = /^\{(.+)\+\}$/.exec(part)?.[1];
  const parameter = /^\{([^+}]+)\}$/.exec(part)?.[1];
  if (greedy !== undefined) {
    if (parent.proxy) throw new Error(`Resource ${logicalId}: ${parent.path} already has the greedy ${parent.proxy.name}+.`);
    parent.proxy = { name: greedy, node: newNode(path) };
    return parent.proxy.node;
  }
  if (parameter !== undefined) {
    // API Gateway allows one path variable per level
    if (parent.parameter) throw new Error(`Resource ${logicalId}: ${parent.path} already has the path variable {${parent.parameter.name}}.`);
    parent.parameter = { name: parameter, node: newNode(path) };
    return parent.parameter.node;
  }
  if (parent.literal.has(part)) throw new Error(`Resource ${logicalId}: ${path} is defined twice.`);
  const node = newNode(path);
  parent.literal.set(part, node);
  return node;
}

/** The resource with methods a path reaches: a literal part first, then the level's {parameter}, then its greedy {proxy+}. */
function find(current: ResourceNode, parts: readonly string[], index: number, parameters: Record<string, string>): { node: ResourceNode; parameters: Record<string, string> } | undefined {
  if (index === parts.length) return current.methods.size > 0 ? { node: current, parameters } : undefined;
  const part = parts[index]!;
  const decoded = safeDecode(part);
  const literal = decoded === undefined ? undefined : current.literal.get(decoded);
  const viaLiteral = literal && find(literal, parts, index + 1, parameters);
  if (viaLiteral) return viaLiteral;
  if (current.parameter && part !== '' && decoded !== undefined) {
    const viaParameter = find(current.parameter.node, parts, index + 1, { ...parameters, [current.parameter.name]: decoded });
    if (viaParameter) return viaParameter;
  }
  if (current.proxy && current.proxy.node.methods.size > 0) {
    // the greedy variable takes the rest of the path, each part decoded
    const rest = parts.slice(index).map((segment) => safeDecode(segment));
    if (rest.every((segment) => segment !== undefined)) return { node: current.proxy.node, parameters: { ...parameters, [current.proxy.name]: rest.join('/') } };
  }
  return undefined;
}

function templateMethod(resource: TemplateResource, resourcePath: string, resourceId: string, byId: ReadonlyMap<string, TemplateResource>): TemplateMethod {
  const properties = resource.properties;
  const where = `Method ${resource.logicalId} (${String(properties.HttpMethod)} ${resourcePath})`;
  const authorizationType = String(properties.AuthorizationType ?? 'NONE');
  if (authorizationType !== 'NONE' && authorizationType !== 'CUSTOM') throw new Error(`${where}: authorization type ${authorizationType} is not run by the local gateway (NONE and CUSTOM are).`);
  const authorizerId = (properties.AuthorizerId as Ref | undefined)?.Ref;
  if (authorizationType === 'CUSTOM' && !authorizerId) throw new Error(`${where}: CUSTOM authorization without an AuthorizerId.`);
  const requestModels = Object.fromEntries(
    Object.entries((properties.RequestModels as Record<string, Ref> | undefined) ?? {}).map(([contentType, model]) => {
      if (!model.Ref) throw new Error(`${where}: the model for ${contentType} is not a Ref to an AWS::ApiGateway::Model.`);
      return [contentType, model.Ref];
    }),
  );
  const requestValidatorId = (properties.RequestValidatorId as Ref | undefined)?.Ref;
  return {
    logicalId: resource.logicalId,
    httpMethod: String(properties.HttpMethod),
    resourcePath,
    resourceId,
    authorizationType,
    ...(authorizationType === 'CUSTOM' ? { authorizerId: authorizerId! } : {}),
    target: integrationTarget(properties.Integration as Record<string, unknown> | undefined, where, byId),
    requestParameters: (properties.RequestParameters as Record<string, boolean> | undefined) ?? {},
    requestModels,
    ...(requestValidatorId ? { requestValidatorId } : {}),
  };
}

/**
 * The function a Lambda proxy integration invokes, found through the `Fn::GetAtt [fn, Arn]` in
 * its URI; what that function runs is its Handler (the bundle's entry) and, for an App API's
 * handler, the route named by its APPAPI_ROUTE variable, which is how the bundle picks its route.
 */
export function integrationTarget(integration: Record<string, unknown> | undefined, where: string, byId: ReadonlyMap<string, TemplateResource>): IntegrationTarget {
  if (!integration || integration.Type !== 'AWS_PROXY') throw new Error(`${where}: integration type ${String(integration?.Type)} is not run by the local gateway (Lambda proxy integrations are).`);
  const functionLogicalId = findGetAttArn(integration.Uri);
  const fn = functionLogicalId === undefined ? undefined : byId.get(functionLogicalId);
  if (!fn || fn.type !== 'AWS::Lambda::Function') throw new Error(`${where}: its integration URI does not name a function of the template (${JSON.stringify(integration.Uri)}).`);
  const handler = String(fn.properties.Handler);
  if (handler === LAMBDA_ENTRIES.fallback.handler) return { kind: 'fallback', functionLogicalId: fn.logicalId, function: functionConfiguration(fn) };
  if (handler === LAMBDA_ENTRIES.handler.handler) {
    const configuration = functionConfiguration(fn);
    const routeId = configuration.environment.APPAPI_ROUTE;
    if (routeId === undefined) throw new Error(`${where}: function ${fn.logicalId} has no APPAPI_ROUTE variable, so its handler would not know its route.`);
    return { kind: 'handler', functionLogicalId: fn.logicalId, routeId, function: configuration };
  }
  throw new Error(`${where}: function ${fn.logicalId} runs ${handler}, which the local gateway does not run behind a method.`);
}

function findGetAttArn(value: unknown): string | undefined {
  if (Array.isArray(value)) {
    for (const item of value) {
      const found = findGetAttArn(item);
      if (found) return found;
    }
    return undefined;
  }
  if (value === null || typeof value !== 'object') return undefined;
  const getAtt = (value as Ref)['Fn::GetAtt'];
  if (getAtt && getAtt[1] === 'Arn') return getAtt[0];
  return findGetAttArn(Object.values(value));
}

function rootKey(apiId: string): string {
  return `${apiId}.RootResourceId`;
}

function parentKey(resource: TemplateResource, apiId: string): string {
  const parent = resource.properties.ParentId as Ref | undefined;
  if (parent?.Ref) return parent.Ref;
  const getAtt = parent?.['Fn::GetAtt'];
  if (getAtt?.[0] === apiId && getAtt[1] === 'RootResourceId') return rootKey(apiId);
  throw new Error(`${resource.type} ${resource.logicalId}: its parent ${JSON.stringify(parent)} is not a resource of the REST API.`);
}

/** Logical ids across the environment's stacks, refusing one that two stacks use (a reference would be ambiguous). */
function uniqueById(resources: readonly TemplateResource[]): Map<string, TemplateResource> {
  const byId = new Map<string, TemplateResource>();
  for (const resource of resources) {
    const existing = byId.get(resource.logicalId);
    if (existing) throw new Error(`Logical id ${resource.logicalId} is used in ${existing.stackPath} and ${resource.stackPath}; the local gateway cannot tell which one a reference means.`);
    byId.set(resource.logicalId, resource);
  }
  return byId;
}

/** The path's segments, leading and trailing slashes dropped (scanned, not matched: it runs per request). */
function splitPath(path: string): string[] {
  let start = 0;
  let end = path.length;
  while (start < end && path.charCodeAt(start) === SLASH) start += 1;
  while (end > start && path.charCodeAt(end - 1) === SLASH) end -= 1;
  return start === end ? [] : path.slice(start, end).split('/');
}

const SLASH = 0x2f;

function safeDecode(part: string): string | undefined {
  // only a percent sign starts anything to decode
  if (!part.includes('%')) return part;
  try {
    return decodeURIComponent(part);
  } catch {
    return undefined;
  }
}
