import { createHash, generateKeyPairSync } from 'node:crypto';

/** The public half of an environment's Ed25519 signing key, as the authorizer verifies with it. */
export interface PublicSigningJwk {
  readonly kty: 'OKP';
  readonly crv: 'Ed25519';
  readonly x: string;
  readonly kid: string;
  readonly alg: 'EdDSA';
  readonly use: 'sig';
}

/** The key pair as stored (Secrets Manager in AWS, a 0600 file locally). */
export interface SigningKeyPair {
  readonly privateJwk: PublicSigningJwk & { readonly d: string };
  readonly publicJwk: PublicSigningJwk;
}

/** A new Ed25519 key pair; its kid is the RFC 7638 thumbprint of the public key. */
export function generateSigningKeyPair(): SigningKeyPair {
  const { privateKey } = generateKeyPairSync('ed25519');
  const { x, d } = privateKey.export({ format: 'jwk' }) as { x: string; d: string };
  const kid = createHash('sha256').update(JSON.stringify({ crv: 'Ed25519', kty: 'OKP', x })).digest('base64url');
  const publicJwk: PublicSigningJwk = { kty: 'OKP', crv: 'Ed25519', x, kid, alg: 'EdDSA', use: 'sig' };
  return { publicJwk, privateJwk: { ...publicJwk, d } };
}

/** Reads a stored key pair; undefined when the value is not one (e.g. a secret's initial random value). */
export function parseSigningKeyPair(text: string | undefined): SigningKeyPair | undefined {
  if (!text) return undefined;
  try {
    const value = JSON.parse(text) as Partial<SigningKeyPair>;
    const pub = value.publicJwk;
    const priv = value.privateJwk;
    if (pub?.kty !== 'OKP' || pub.crv !== 'Ed25519' || typeof pub.x !== 'string' || typeof pub.kid !== 'string') return undefined;
    if (priv?.x !== pub.x || typeof priv.d !== 'string') return undefined;
    return { publicJwk: pub, privateJwk: priv };
  } catch {
    return undefined;
  }
}
