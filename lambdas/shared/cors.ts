import type { CorsManifest } from './manifest';

/**
 * The preflight (OPTIONS) answer for a path, as the stack's OPTIONS mock method gives it: an
 * unlisted origin gets the first listed one back, which the browser refuses.
 */
export function preflightHeaders(cors: CorsManifest, origin: string | undefined, methods: readonly string[]): Record<string, string> {
  const wildcard = cors.allowOrigins.includes('*');
  const allowOrigin = wildcard ? '*' : origin !== undefined && cors.allowOrigins.includes(origin) ? origin : cors.allowOrigins[0]!;
  return {
    'Access-Control-Allow-Origin': allowOrigin,
    'Access-Control-Allow-Methods': [...methods, 'OPTIONS'].join(','),
    'Access-Control-Allow-Headers': cors.allowHeaders.join(','),
    'Access-Control-Max-Age': String(cors.maxAgeSeconds),
    ...(wildcard ? {} : { Vary: 'Origin' }),
    ...(cors.allowCredentials ? { 'Access-Control-Allow-Credentials': 'true' } : {}),
  };
}
