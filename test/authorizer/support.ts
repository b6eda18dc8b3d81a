import { createHmac, createPrivateKey, generateKeyPairSync, sign } from 'node:crypto';
import type { AuthorizerEvent } from '../../lambdas/authorizer/create-authorizer';
import type { SigningKeyPair } from '../../lambdas/shared/signing-jwk';

export const b64 = (value: unknown): string => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

/** Signs any header and payload text with an Ed25519 private JWK: how an attacker holding a key would. */
export function signRaw(headerText: string, payloadText: string, pair: Pick<SigningKeyPair, 'privateJwk'>): string {
  const input = `${b64(headerText)}.${b64(payloadText)}`;
  return `${input}.${sign(null, Buffer.from(input), createPrivateKey({ key: { ...pair.privateJwk }, format: 'jwk' })).toString('base64url')}`;
}

export function signHs256(header: unknown, payload: unknown, secret: string | Buffer): string {
  const input = `${b64(header)}.${b64(payload)}`;
  return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
}

/** A key pair nobody trusts. */
export function attackerKey(): SigningKeyPair {
  const { privateKey } = generateKeyPairSync('ed25519');
  const { x, d } = privateKey.export({ format: 'jwk' }) as { x: string; d: string };
  const publicJwk = { kty: 'OKP', crv: 'Ed25519', x, kid: 'attacker', alg: 'EdDSA', use: 'sig' } as const;
  return { publicJwk, privateJwk: { ...publicJwk, d } };
}

export const STAGE = 'arn:aws:execute-api:eu-west-1:123456789012:abcdef1234/dev';

export function authorizerEvent(authorization: string | undefined, method = 'GET', path = 'customers/c-1'): AuthorizerEvent {
  return {
    methodArn: `${STAGE}/${method}/${path}`,
    headers: authorization === undefined ? {} : { Authorization: authorization },
    requestContext: { requestId: 'attack' },
  };
}
