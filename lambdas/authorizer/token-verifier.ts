// the verifier's own module: the package root also loads the Cognito and ALB verifiers, which a cold start would parse for nothing
import { JwtVerifier } from 'aws-jwt-verify/jwt-verifier';
import { JwtBaseError } from 'aws-jwt-verify/error';
import type { PublicSigningJwk } from '../shared/signing-jwk';
import {
  CLOCK_SKEW_SECONDS,
  HEADER_FIELDS,
  MAX_TOKEN_LENGTH,
  OPTIONAL_CLAIMS,
  REQUIRED_CLAIMS,
  TOKEN_ALGORITHM,
  TOKEN_ISSUER,
  TOKEN_TYPE,
  type TokenClaims,
} from '../shared/token-format';
import { parseStrictObject } from './strict-json';

/** Why a token was refused: logged by the authorizer, never returned to the caller. */
export class TokenRejected extends Error {
  constructor(
    readonly reason: string,
    /** The key of a verified token, refused for what the key store says. */
    readonly keyId?: string,
  ) {
    super(reason);
    this.name = 'TokenRejected';
  }
}

const SEGMENT = /^[A-Za-z0-9_-]+$/;
const ALLOWED_CLAIMS = new Set<string>([...REQUIRED_CLAIMS, ...OPTIONAL_CLAIMS]);

/**
 * Checks a token against this environment's public key. What different JSON parsers could read
 * differently is refused first (canonical base64url, no duplicate or prototype keys), so nothing
 * ambiguous reaches aws-jwt-verify; it then checks the signature, `alg` and `kid` against the key,
 * `iss`, `aud` and `exp`/`nbf`, and, as its customJwtCheck, the exact header and claims of our
 * tokens. Its typed errors become the logged reason. Created once per cold start.
 */
export function createTokenVerifier(environment: string, publicJwk: PublicSigningJwk): (token: string) => TokenClaims {
  const verifier = JwtVerifier.create({
    issuer: TOKEN_ISSUER,
    audience: environment,
    // never fetched: the key is given below, and the authorizer has no network path to it anyway
    jwksUri: `https://keys.appapi.invalid/${encodeURIComponent(environment)}/jwks.json`,
    graceSeconds: CLOCK_SKEW_SECONDS,
    customJwtCheck: ({ header, payload }) => {
      checkHeader(header, publicJwk.kid);
      checkClaims(payload);
    },
  });
  verifier.cacheJwks({ keys: [{ ...publicJwk }] });
  return (token) => {
    if (token.length > MAX_TOKEN_LENGTH) throw new TokenRejected(`token longer than ${MAX_TOKEN_LENGTH} characters`);
    const segments = token.split('.');
    if (segments.length !== 3) throw new TokenRejected(`token has ${segments.length} parts, not 3`);
    if (!segments.every(isCanonicalBase64Url)) throw new TokenRejected('token part is not canonical base64url');
    if (!parseStrictObject(Buffer.from(segments[0]!, 'base64url').toString('utf8'))) throw new TokenRejected('header is not a JSON object with unique, safe keys');
    if (!parseStrictObject(Buffer.from(segments[1]!, 'base64url').toString('utf8'))) throw new TokenRejected('payload is not a JSON object with unique, safe keys');
    try {
      return verifier.verifySync(token) as unknown as TokenClaims;
    } catch (error) {
      if (error instanceof JwtBaseError) throw new TokenRejected(`${error.name}: ${error.message}`);
      throw error;
    }
  };
}

function isCanonicalBase64Url(segment: string): boolean {
  return SEGMENT.test(segment) && Buffer.from(segment, 'base64url').toString('base64url') === segment;
}

function checkHeader(header: object, kid: string): void {
  const fields = Object.keys(header).sort();
  const { alg, typ, kid: tokenKid } = header as Record<string, unknown>;
  if (fields.join() !== [...HEADER_FIELDS].join()) throw new TokenRejected(`header fields [${fields.join(', ')}], expected exactly [${HEADER_FIELDS.join(', ')}]`);
  if (alg !== TOKEN_ALGORITHM) throw new TokenRejected(`alg ${JSON.stringify(alg)}`);
  if (typ !== TOKEN_TYPE) throw new TokenRejected(`typ ${JSON.stringify(typ)}`);
  if (tokenKid !== kid) throw new TokenRejected('kid is not this environment\'s signing key');
}

function checkClaims(claims: object): void {
  const payload = claims as Record<string, unknown>;
  for (const claim of Object.keys(payload)) if (!ALLOWED_CLAIMS.has(claim)) throw new TokenRejected(`unknown claim ${JSON.stringify(claim.slice(0, 40))}`);
  for (const claim of REQUIRED_CLAIMS) if (payload[claim] === undefined) throw new TokenRejected(`missing claim ${claim}`);
  for (const claim of ['iss', 'aud', 'sub', 'jti'] as const) {
    const value = payload[claim];
    if (typeof value !== 'string' || value === '' || value.length > 128) throw new TokenRejected(`claim ${claim} is not a short string`);
  }
  for (const claim of ['iat', 'exp', 'nbf'] as const) {
    const value = payload[claim];
    if (value !== undefined && !Number.isSafeInteger(value)) throw new TokenRejected(`claim ${claim} is not whole seconds`);
  }
  if ((payload.iat as number) > Date.now() / 1000 + CLOCK_SKEW_SECONDS) throw new TokenRejected('issued in the future');
}
