import { preflightHeaders } from '../shared/cors';
import { GATEWAY_PROBLEMS, gatewayProblemBody } from '../shared/gateway-problems';
import type { CorsManifest, EnvironmentManifest } from '../shared/manifest';
import { problemResponse, type ProblemResponse } from '../shared/problem';

/** What the gateway knows of a request no App API takes: its resource (path template) and method. */
export interface FallbackRequest {
  /** API Gateway's resource path, e.g. `/customers/{customerId}`. */
  readonly resource: string;
  readonly method: string;
  readonly origin: string | undefined;
  readonly requestId: string;
}

export interface FallbackAnswer {
  readonly statusCode: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

/** Per declared path: its methods (sorted) and the CORS settings of its app. */
export interface PathMethods {
  readonly methods: readonly string[];
  readonly cors: CorsManifest | undefined;
}

export function pathMethods(manifest: EnvironmentManifest): ReadonlyMap<string, PathMethods> {
  const paths = new Map<string, { methods: string[]; cors: CorsManifest | undefined }>();
  for (const route of manifest.routes) {
    const entry = paths.get(route.path) ?? { methods: [], cors: manifest.apps[route.app]?.cors };
    entry.methods.push(route.method);
    paths.set(route.path, entry);
  }
  for (const entry of paths.values()) entry.methods.sort();
  return paths;
}

/**
 * The answer for a method no App API declares on a path: a CORS preflight where the path's app
 * has CORS, else 405 with `Allow`; 404 on a path without App APIs (the API's root).
 */
export function fallbackAnswer(paths: ReadonlyMap<string, PathMethods>, request: FallbackRequest): FallbackAnswer | ProblemResponse {
  const path = paths.get(request.resource);
  if (!path) return problemResponse(gatewayProblemBody(GATEWAY_PROBLEMS.notFound, request.requestId));
  if (request.method === 'OPTIONS' && path.cors) {
    return { statusCode: 204, headers: preflightHeaders(path.cors, request.origin, path.methods), body: '' };
  }
  return problemResponse(gatewayProblemBody(GATEWAY_PROBLEMS.methodNotAllowed, request.requestId), { Allow: path.methods.join(', ') });
}
