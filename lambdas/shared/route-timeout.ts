import { LIMITS } from './limits';
import type { Chain, RouteManifest } from './manifest';

/** API Gateway stops waiting for an integration after 29 s, so no route gets longer. */
const MAX_TIMEOUT_MS = LIMITS.integrationTimeout.value;
/** Time for the DynamoDB calls of a chain, with their bounded retries. */
const BASE_TIMEOUT_MS = LIMITS.baseRouteTimeout.value;

/**
 * How long one request of a route may run: the handler Lambda's timeout in AWS, and the
 * runtime's own deadline everywhere (so it answers 503 before the platform cuts it off).
 * Outbound http calls add their declared timeouts.
 */
export function routeTimeoutMs(route: RouteManifest): number {
  return Math.min(MAX_TIMEOUT_MS, BASE_TIMEOUT_MS + httpTimeouts(route.chain));
}

function httpTimeouts(chain: Chain): number {
  return chain.reduce((total, step) => {
    if (step.op === 'http') return total + step.timeoutMs;
    if (step.op === 'when') return total + Math.max(httpTimeouts(step.then), httpTimeouts(step.otherwise));
    return total;
  }, 0);
}
