import type { AppApiStack } from '../../constructs/app-api-stack';
import type { ThrottlingManifest } from '../../../lambdas/shared/manifest';
import { compileGatewayResponses, type GatewayResponder } from './gateway-responses';
import type { HandlerIdentity } from './handler-iam';
import { compileRequestValidators, REQUEST_VALIDATION_TYPES, type MethodValidator } from './request-validation';
import { REST_API_TREE_TYPES, RestApiTree } from './rest-api-tree';
import type { TemplateResource } from './stack-resources';

/** What the synthesized template says of the platform around the handlers, for the local gateway to execute. */
export interface LocalPlatform {
  /** The stage's web ACL (its template Properties), when one is associated. */
  readonly webAcl?: Record<string, unknown>;
  /** API Gateway's own errors, rendered from the template's gateway responses. */
  readonly gatewayResponses: GatewayResponder;
  /** The REQUEST authorizer: the header carrying the identity, and how long a decision is cached. */
  readonly authorizer: { readonly logicalId: string; readonly identityHeader: string; readonly resultTtlSeconds: number } | undefined;
  /** Stage method settings: throttling per `METHOD /path`. */
  readonly throttling: ReadonlyMap<string, ThrottlingManifest>;
  /** The REST API's binary media types (bodies of these types reach the handler base64-encoded). */
  readonly binaryMediaTypes: readonly string[];
  /** The REST API's resources and methods: how a request is routed, authorized and integrated. */
  readonly restApi: RestApiTree;
  /** Per method (logical id), its request validator: required parameters and body models. */
  readonly requestValidators: ReadonlyMap<string, MethodValidator>;
  /** Per App API, its handler role's policies: every DynamoDB call is authorized against them. */
  readonly handlerIdentities: ReadonlyMap<string, HandlerIdentity>;
  /** The authorizer function's role: its DynamoDB calls are authorized against it the same way. */
  readonly authorizerIdentity: HandlerIdentity;
}

/**
 * What the local platform is compiled from: the template's resources of the types it reads, as
 * plain JSON (lib/local/cloud/platform-template.ts reads it from a stack; the declarations cache
 * stores it). Compiling it needs no aws-cdk-lib.
 */
export interface PlatformTemplate {
  /** The resources of PLATFORM_RESOURCE_TYPES, as the templates have them (nested stacks included). */
  readonly resources: readonly TemplateResource[];
  /** The Properties of the web ACL associated with the stage, when one is. */
  readonly webAcl?: Record<string, unknown>;
  /** The handler roles' identities; several App APIs may share one. */
  readonly roleIdentities: readonly HandlerIdentity[];
  /** Per App API id, the index of its handler's identity in roleIdentities. */
  readonly handlerRoles: Readonly<Record<string, number>>;
  readonly authorizerIdentity: HandlerIdentity;
}

/** The resource types the platform is compiled from. */
export const PLATFORM_RESOURCE_TYPES: ReadonlySet<string> = new Set(['AWS::ApiGateway::GatewayResponse', 'AWS::ApiGateway::Authorizer', 'AWS::ApiGateway::Stage', ...REST_API_TREE_TYPES, ...REQUEST_VALIDATION_TYPES]);

/** Reads the local platform from an environment stack's resources, as its templates have them. */
export function localPlatform(environment: AppApiStack): LocalPlatform {
  // loaded here only: compiling from stored template data must not load aws-cdk-lib
  const { platformTemplate } = require('./platform-template') as typeof import('./platform-template');
  return compilePlatform(platformTemplate(environment));
}

/** Compiles the local platform from the template's data: the same on a cache hit as after a synth. */
export function compilePlatform(template: PlatformTemplate): LocalPlatform {
  const { resources, webAcl } = template;
  const authorizers = resources.filter((resource) => resource.type === 'AWS::ApiGateway::Authorizer');
  if (authorizers.length > 1) throw new Error(`The REST API has ${authorizers.length} authorizers; the local gateway runs one.`);
  const stages = resources.filter((resource) => resource.type === 'AWS::ApiGateway::Stage');
  if (stages.length !== 1) throw new Error(`The environment has ${stages.length} stages; the local gateway serves exactly one.`);
  const restApis = resources.filter((resource) => resource.type === 'AWS::ApiGateway::RestApi');
  const restApi = new RestApiTree(resources.filter((resource) => REST_API_TREE_TYPES.has(resource.type)));
  return {
    ...(webAcl ? { webAcl } : {}),
    gatewayResponses: compileGatewayResponses(resources),
    authorizer: authorizers[0] ? authorizerSettings(authorizers[0].logicalId, authorizers[0].properties) : undefined,
    throttling: stageThrottling(stages[0]!.properties),
    binaryMediaTypes: (restApis[0]?.properties.BinaryMediaTypes as string[] | undefined) ?? [],
    restApi,
    requestValidators: compileRequestValidators(resources, restApi.methods),
    handlerIdentities: new Map(Object.entries(template.handlerRoles).map(([routeId, index]) => [routeId, template.roleIdentities[index]!])),
    authorizerIdentity: template.authorizerIdentity,
  };
}

/** @see https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-use-lambda-authorizer.html */
function authorizerSettings(logicalId: string, properties: Record<string, unknown>): LocalPlatform['authorizer'] {
  if (properties.Type !== 'REQUEST') throw new Error(`Authorizer ${logicalId} is of type ${String(properties.Type)}; the local gateway runs REQUEST authorizers.`);
  const source = String(properties.IdentitySource ?? '');
  const header = /^method\.request\.header\.([!#$%&'*+.^_`|~0-9A-Za-z-]+)$/.exec(source)?.[1];
  if (!header) throw new Error(`Authorizer ${logicalId}: identity source "${source}" is not one header, which is all the local gateway reads.`);
  // API Gateway's default when the property is absent is 300 s
  return { logicalId, identityHeader: header.toLowerCase(), resultTtlSeconds: properties.AuthorizerResultTtlInSeconds === undefined ? 300 : Number(properties.AuthorizerResultTtlInSeconds) };
}

/**
 * Throttling per method from the stage's MethodSettings.
 * @see https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-properties-apigateway-stage-methodsetting.html
 */
function stageThrottling(properties: Record<string, unknown>): Map<string, ThrottlingManifest> {
  const throttling = new Map<string, ThrottlingManifest>();
  for (const setting of (properties.MethodSettings as Array<Record<string, unknown>> | undefined) ?? []) {
    if (setting.ThrottlingRateLimit === undefined && setting.ThrottlingBurstLimit === undefined) continue;
    // "/" then the resource path with each "/" as "~1" (and "~" as "~0"), e.g. /~1orders~1{id}
    const path = String(setting.ResourcePath).slice(1).replace(/~1/g, '/').replace(/~0/g, '~');
    if (path.includes('*') || setting.HttpMethod === '*') throw new Error(`Stage method setting ${String(setting.HttpMethod)} ${path}: wildcard method settings are not applied by the local gateway.`);
    throttling.set(`${String(setting.HttpMethod)} ${path}`, { rateLimit: Number(setting.ThrottlingRateLimit), burstLimit: Number(setting.ThrottlingBurstLimit) });
  }
  return throttling;
}
