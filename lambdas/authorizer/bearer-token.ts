import { TokenRejected } from './token-verifier';

/** `Bearer <token>`: the scheme in any case (RFC 9110), one space, a token of JWT characters. */
const BEARER = /^bearer ([A-Za-z0-9_\-.]+)$/i;

interface RequestHeaders {
  readonly headers?: Record<string, string | undefined> | null;
  readonly multiValueHeaders?: Record<string, readonly string[] | undefined> | null;
}

/** The token of a request's single Authorization header; anything else is refused. */
export function bearerToken(event: RequestHeaders): string {
  const names = Object.keys(event.headers ?? {}).filter((name) => name.toLowerCase() === 'authorization');
  const multi = Object.entries(event.multiValueHeaders ?? {}).filter(([name]) => name.toLowerCase() === 'authorization');
  if (names.length > 1 || multi.some(([, values]) => (values?.length ?? 0) > 1)) throw new TokenRejected('more than one Authorization header');
  const value = names.length === 1 ? event.headers![names[0]!] : undefined;
  if (value === undefined || value === '') throw new TokenRejected('no Authorization header');
  const match = BEARER.exec(value);
  if (!match) throw new TokenRejected('Authorization is not "Bearer <token>"');
  return match[1]!;
}
