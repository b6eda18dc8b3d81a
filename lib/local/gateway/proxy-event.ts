import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { APIGatewayEventRequestContextWithAuthorizer, APIGatewayProxyEvent, APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import type { ProxyEvent } from '../../../lambdas/runtime/proxy-event';
import { BINARY_MEDIA_TYPES, isBinaryMediaType } from '../../binary-media';

export interface RequestFacts {
  readonly requestId: string;
  readonly receivedAt: number;
  readonly path: string;
  readonly query: URLSearchParams;
  readonly headers: Record<string, string>;
  readonly multiValueHeaders: Record<string, string[]>;
  /** Each header's name lower-cased → its spelling in `headers` (the first the client used). */
  readonly headerNames: ReadonlyMap<string, string>;
}

/** What the gateway knows of a request before routing: id, path, query, headers as sent. */
export function requestFacts(request: IncomingMessage): RequestFacts {
  const { path, query } = pathAndQuery(request.url ?? '/');
  // names come from the client: `__proto__` must be a key like any other, never a prototype
  const headers: Record<string, string> = Object.create(null);
  const multiValueHeaders: Record<string, string[]> = Object.create(null);
  // rawHeaders keeps the case the client used, as API Gateway passes it on; a repeated header keeps its first spelling
  const spelling = new Map<string, string>();
  for (let index = 0; index < request.rawHeaders.length; index += 2) {
    const name = request.rawHeaders[index]!;
    const value = request.rawHeaders[index + 1]!;
    const lower = name.toLowerCase();
    let existing = spelling.get(lower);
    if (existing === undefined) spelling.set(lower, (existing = name));
    (multiValueHeaders[existing] ??= []).push(value);
    headers[existing] = value;
  }
  return { requestId: randomUUID(), receivedAt: Date.now(), path, query, headers, multiValueHeaders, headerNames: spelling };
}

/** A path of plain segments (no dot segment, no percent-encoding, nothing WHATWG URL parsing would change). */
const PLAIN_PATH = /^(?:\/[A-Za-z0-9_~-][A-Za-z0-9._~-]*)+\/?$|^\/$/;
/** A query of printable ASCII that URL parsing keeps as is or percent-encodes only for URLSearchParams to decode back. */
const PLAIN_QUERY = /^[A-Za-z0-9._~!$&'()*+,;=:@/?%-]*$/;

/**
 * The request target's path and query, as `new URL(target, base)` gives them: its pathname and
 * searchParams. A plain target (what clients send nearly always) skips the URL parser.
 */
export function pathAndQuery(target: string): { readonly path: string; readonly query: URLSearchParams } {
  const question = target.indexOf('?');
  const path = question < 0 ? target : target.slice(0, question);
  if (PLAIN_PATH.test(path)) {
    if (question < 0) return { path, query: new URLSearchParams() };
    const query = target.slice(question + 1);
    if (PLAIN_QUERY.test(query)) return { path, query: new URLSearchParams(query) };
  }
  const url = new URL(target, 'http://localhost');
  return { path: url.pathname, query: url.searchParams };
}

/** What every event of one stage carries: computed once per gateway. */
export interface LocalStage {
  readonly name: string;
  readonly apiId: string;
  readonly accountId: string;
}

/** The resource a request matched: its path template and id. */
export interface MatchedResource {
  readonly path: string;
  readonly id: string;
}

/**
 * The REST proxy (v1) event API Gateway builds for a Lambda integration, every field as
 * @types/aws-lambda defines it: authorizer context values as strings, `integrationLatency` a number.
 * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-lambda-proxy-integrations.html#api-gateway-simple-proxy-for-lambda-input-format
 */
export function proxyEvent(
  facts: RequestFacts,
  method: string,
  resource: MatchedResource,
  pathParameters: Record<string, string>,
  body: Buffer | undefined,
  stage: LocalStage,
  authorizer: { readonly principalId: string; readonly context: Readonly<Record<string, unknown>>; readonly integrationLatency: number } | null,
  sourceIp: string,
  binaryMediaTypes: readonly string[] = BINARY_MEDIA_TYPES,
): APIGatewayProxyEvent {
  const { queryStringParameters, multiValueQueryStringParameters } = queryMaps(facts.query);
  const contentType = headerValue(facts, 'content-type');
  const binary = isBinaryMediaType(contentType, binaryMediaTypes);
  const hasBody = body !== undefined && body.length > 0;
  return {
    resource: resource.path,
    path: facts.path,
    httpMethod: method,
    headers: facts.headers,
    multiValueHeaders: facts.multiValueHeaders,
    queryStringParameters,
    multiValueQueryStringParameters,
    pathParameters: Object.keys(pathParameters).length ? pathParameters : null,
    stageVariables: null,
    body: hasBody ? (binary ? body.toString('base64') : body.toString('utf8')) : null,
    isBase64Encoded: hasBody && binary,
    requestContext: requestContext(facts, method, resource, stage, sourceIp, authorizer ? { ...stringified(authorizer.context), principalId: authorizer.principalId, integrationLatency: authorizer.integrationLatency } : null),
  };
}

/**
 * The REQUEST authorizer's event: the request's headers, path and query maps, the method ARN.
 * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-lambda-authorizer-input.html
 */
export function authorizerEvent(facts: RequestFacts, method: string, resource: MatchedResource, pathParameters: Record<string, string>, stage: LocalStage, sourceIp: string, region: string): APIGatewayRequestAuthorizerEvent {
  const { queryStringParameters, multiValueQueryStringParameters } = queryMaps(facts.query);
  return {
    type: 'REQUEST',
    methodArn: methodArn(facts, method, stage, region),
    resource: resource.path,
    path: facts.path,
    httpMethod: method,
    headers: facts.headers,
    multiValueHeaders: facts.multiValueHeaders,
    pathParameters: Object.keys(pathParameters).length ? pathParameters : null,
    queryStringParameters,
    multiValueQueryStringParameters,
    stageVariables: null,
    requestContext: requestContext(facts, method, resource, stage, sourceIp, undefined),
  };
}

/** `arn:aws:execute-api:region:account:api/stage/METHOD/path`: what a cached policy is applied to. */
export function methodArn(facts: RequestFacts, method: string, stage: LocalStage, region: string): string {
  return `arn:aws:execute-api:${region}:${stage.accountId}:${stage.apiId}/${stage.name}/${method}/${facts.path.charCodeAt(0) === 0x2f ? facts.path.slice(1) : facts.path}`;
}

/** The request's context, its authorizer last (as the events have always listed it). */
function requestContext<Authorizer>(facts: RequestFacts, method: string, resource: MatchedResource, stage: LocalStage, sourceIp: string, authorizer: Authorizer): APIGatewayEventRequestContextWithAuthorizer<Authorizer> {
  const domainName = headerValue(facts, 'host') ?? `${stage.apiId}.execute-api.local.amazonaws.com`;
  const dot = domainName.indexOf('.');
  return {
    accountId: stage.accountId,
    apiId: stage.apiId,
    domainName,
    domainPrefix: dot < 0 ? domainName : domainName.slice(0, dot),
    extendedRequestId: facts.requestId,
    httpMethod: method,
    identity: {
      accessKey: null,
      accountId: null,
      apiKey: null,
      apiKeyId: null,
      caller: null,
      clientCert: null,
      cognitoAuthenticationProvider: null,
      cognitoAuthenticationType: null,
      cognitoIdentityId: null,
      cognitoIdentityPoolId: null,
      principalOrgId: null,
      sourceIp,
      user: null,
      userAgent: headerValue(facts, 'user-agent') ?? null,
      userArn: null,
    },
    path: `/${stage.name}${facts.path}`,
    protocol: 'HTTP/1.1',
    requestId: facts.requestId,
    requestTime: requestTime(facts.receivedAt),
    requestTimeEpoch: facts.receivedAt,
    resourceId: resource.id,
    resourcePath: resource.path,
    stage: stage.name,
    authorizer,
  };
}

const NO_QUERY = { queryStringParameters: null, multiValueQueryStringParameters: null } as const;

function queryMaps(query: URLSearchParams): { queryStringParameters: Record<string, string> | null; multiValueQueryStringParameters: Record<string, string[]> | null } {
  if (query.size === 0) return NO_QUERY;
  const single: Record<string, string> = Object.create(null);
  const multi: Record<string, string[]> = Object.create(null);
  for (const [name, value] of query) {
    single[name] = value;
    (multi[name] ??= []).push(value);
  }
  return { queryStringParameters: single, multiValueQueryStringParameters: multi };
}

function headerValue(facts: RequestFacts, lowerName: string): string | undefined {
  const name = facts.headerNames.get(lowerName);
  return name === undefined ? undefined : facts.headers[name];
}

/** API Gateway passes a REST authorizer's context values to the integration as strings. */
function stringified(context: Readonly<Record<string, unknown>>): Record<string, string> {
  // a cached decision hands every request the same context: converted once (the result is only spread, never changed)
  let values = stringifiedContexts.get(context);
  if (values === undefined) {
    values = {};
    for (const [name, value] of Object.entries(context)) values[name] = String(value);
    stringifiedContexts.set(context, values);
  }
  return values;
}

const stringifiedContexts = new WeakMap<object, Record<string, string>>();

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** The last second formatted: requests of the same second share its text. */
let formatted = { second: NaN, text: '' };

/** `$context.requestTime`'s CLF format, e.g. `28/Nov/2026:15:52:00 +0000`. */
export function requestTime(epochMs: number): string {
  const second = Math.floor(epochMs / 1000);
  if (second === formatted.second) return formatted.text;
  const at = new Date(second * 1000);
  const two = (value: number) => String(value).padStart(2, '0');
  const text = `${two(at.getUTCDate())}/${MONTHS[at.getUTCMonth()]}/${at.getUTCFullYear()}:${two(at.getUTCHours())}:${two(at.getUTCMinutes())}:${two(at.getUTCSeconds())} +0000`;
  formatted = { second, text };
  return text;
}

/**
 * The size Lambda measures for a synchronous invocation: the event serialized as JSON. Only a
 * large body can reach the limit (escaping makes a byte at most six), so an event with a body
 * under about 170 KB is not serialized and counts as 0.
 */
export function invocationPayloadBytes(event: ProxyEvent): number {
  const bodyLength = event.body?.length ?? 0;
  if (bodyLength * 6 < 1024 * 1024) return 0;
  return Buffer.byteLength(JSON.stringify(event));
}
