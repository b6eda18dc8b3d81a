import { findRoute, loadManifest } from '../shared/manifest-loader';
import { problemResponse, problemType, type ProblemResponse } from '../shared/problem';

// Resolved at cold start: a function deployed without its route fails to initialise, loudly.
const manifest = loadManifest();
const route = findRoute(manifest, process.env.APPAPI_ROUTE);

interface ProxyEvent {
  readonly requestContext?: { readonly requestId?: string };
}

/**
 * The App API handler. The chain runtime that executes `route.chain` is not built yet, so every
 * request is answered 501 with a problem+json body instead of running a partial chain.
 */
export async function handler(event: ProxyEvent): Promise<ProblemResponse> {
  return problemResponse({
    type: problemType('not_implemented'),
    title: 'Not implemented',
    status: 501,
    detail: `The chain of ${route.method} ${route.path} cannot run yet in this release.`,
    code: 'not_implemented',
    requestId: event.requestContext?.requestId ?? 'unknown',
  });
}
