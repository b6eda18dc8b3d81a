import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { ProxyEvent } from '../../../lambdas/runtime/proxy-event';
import type { RouteManifest } from '../../../lambdas/shared/manifest';
import { BINARY_MEDIA_TYPES, isBinaryMediaType } from '../../binary-media';

export interface RequestFacts {
  readonly requestId: string;
  readonly receivedAt: number;
  readonly path: string;
  readonly query: URLSearchParams;
  readonly headers: Record<string, string>;
  readonly multiValueHeaders: Record<string, string[]>;
}

/** What the gateway knows of a request before routing: id, path, query, headers as sent. */
export function requestFacts(request: IncomingMessage): RequestFacts {
  const url = new URL(request.url ?? '/', 'http://localhost');
  // names come from the client: `__proto__` must be a key like any other, never a prototype
  const headers: Record<string, string> = Object.create(null);
  const multiValueHeaders: Record<string, string[]> = Object.create(null);
  // rawHeaders keeps the case the client used, as API Gateway passes it on; a repeated header keeps its first spelling
  const spelling = new Map<string, string>();
  for (let index = 0; index < request.rawHeaders.length; index += 2) {
    const name = request.rawHeaders[index]!;
    const value = request.rawHeaders[index + 1]!;
    const lower = name.toLowerCase();
    if (!spelling.has(lower)) spelling.set(lower, name);
    const existing = spelling.get(lower)!;
    (multiValueHeaders[existing] ??= []).push(value);
    headers[existing] = value;
  }
  return { requestId: randomUUID(), receivedAt: Date.now(), path: url.pathname, query: url.searchParams, headers, multiValueHeaders };
}

/** The REST proxy (v1) event API Gateway builds for a Lambda integration. */
export function proxyEvent(
  facts: RequestFacts,
  method: string,
  /** The resource the request matched: its path template. */
  route: Pick<RouteManifest, 'path'>,
  pathParameters: Record<string, string>,
  body: Buffer | undefined,
  env: string,
  authorizer: Record<string, unknown> | null,
  sourceIp: string,
  binaryMediaTypes: readonly string[] = BINARY_MEDIA_TYPES,
): ProxyEvent {
  const queryStringParameters: Record<string, string> = Object.create(null);
  const multiValueQueryStringParameters: Record<string, string[]> = Object.create(null);
  for (const [name, value] of facts.query) {
    queryStringParameters[name] = value;
    (multiValueQueryStringParameters[name] ??= []).push(value);
  }
  const hasQuery = Object.keys(queryStringParameters).length > 0;
  const contentType = Object.entries(facts.headers).find(([name]) => name.toLowerCase() === 'content-type')?.[1];
  const binary = isBinaryMediaType(contentType, binaryMediaTypes);
  const hasBody = body !== undefined && body.length > 0;
  return {
    resource: route.path,
    path: facts.path,
    httpMethod: method,
    headers: Object.keys(facts.headers).length ? facts.headers : null,
    multiValueHeaders: Object.keys(facts.multiValueHeaders).length ? facts.multiValueHeaders : null,
    queryStringParameters: hasQuery ? queryStringParameters : null,
    multiValueQueryStringParameters: hasQuery ? multiValueQueryStringParameters : null,
    pathParameters: Object.keys(pathParameters).length ? pathParameters : null,
    stageVariables: null,
    body: hasBody ? (binary ? body.toString('base64') : body.toString('utf8')) : null,
    isBase64Encoded: hasBody && binary,
    requestContext: {
      requestId: facts.requestId,
      requestTimeEpoch: facts.receivedAt,
      resourcePath: route.path,
      httpMethod: method,
      path: `/${env}${facts.path}`,
      stage: env,
      identity: { sourceIp },
      authorizer,
    },
  };
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
