import type { ProxyEvent, ProxyResult } from '../../lambdas/runtime/proxy-event';
import type { RouteManifest } from '../../lambdas/shared/manifest';
import type { Answer, RequestOptions } from './runtime';

/** The REST proxy event API Gateway sends a route's handler for these options. */
export function proxyEventFor(route: Pick<RouteManifest, 'method' | 'path'>, options: RequestOptions, requestId: string): ProxyEvent {
  const body = options.body === undefined ? null : typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
  return {
    httpMethod: route.method,
    path: route.path.replace(/\{(\w+)\}/g, (_, name: string) => options.params?.[name] ?? ''),
    headers: { ...(body === null ? {} : { 'Content-Type': 'application/json' }), ...options.headers },
    queryStringParameters: options.query ?? null,
    pathParameters: options.params ?? null,
    body,
    isBase64Encoded: false,
    requestContext: {
      requestId,
      requestTimeEpoch: Date.now(),
      authorizer: options.keyId ? { principalId: options.keyId, keyName: options.keyId, groups: (options.groups ?? ['partners', 'ops']).join(',') } : null,
    },
  };
}

export function parseAnswer(result: ProxyResult): Answer {
  const json = /json/.test(result.headers['Content-Type'] ?? '') && result.body !== '';
  return { status: result.statusCode, headers: result.headers, body: json ? JSON.parse(result.body) : result.body };
}
