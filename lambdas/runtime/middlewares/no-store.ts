import type { RuntimeMiddleware } from './types';

/**
 * `Cache-Control: no-store` on every answer that does not declare its own: API answers are per
 * caller and per moment, and a shared cache must not keep them. A chain that sets Cache-Control
 * in `respond` keeps it.
 */
export function noStore(): RuntimeMiddleware {
  const after: NonNullable<RuntimeMiddleware['after']> = (request) => {
    const response = request.response;
    if (!response) return;
    for (const name in response.headers) if (name.toLowerCase() === 'cache-control') return;
    // added in place, as the security headers after it are: every answer's headers are its own object
    if (response.headers) response.headers['Cache-Control'] = 'no-store';
    else request.response = { ...response, headers: { 'Cache-Control': 'no-store' } };
  };
  return { after, onError: after };
}
