import { createPrivateKey, sign } from 'node:crypto';
import type { SigningKeyPair } from '../../lambdas/shared/signing-jwk';
import { TOKEN_ALGORITHM, TOKEN_ISSUER, TOKEN_TYPE, type TokenClaims } from '../../lambdas/shared/token-format';

const encode = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');

/** Signs the token of one API key for one environment. The token is shown once and never stored. */
export function mintToken(pair: SigningKeyPair, claims: { env: string; keyId: string; tokenId: string; expiresAt?: Date; now?: Date }): string {
  const iat = Math.floor((claims.now ?? new Date()).getTime() / 1000);
  const payload: TokenClaims = {
    iss: TOKEN_ISSUER,
    aud: claims.env,
    sub: claims.keyId,
    jti: claims.tokenId,
    iat,
    ...(claims.expiresAt ? { exp: Math.floor(claims.expiresAt.getTime() / 1000) } : {}),
  };
  const input = `${encode({ alg: TOKEN_ALGORITHM, typ: TOKEN_TYPE, kid: pair.publicJwk.kid })}.${encode(payload)}`;
  const key = createPrivateKey({ key: { ...pair.privateJwk }, format: 'jwk' });
  return `${input}.${sign(null, Buffer.from(input), key).toString('base64url')}`;
}
