import { mintToken } from '../../lib/keys/tokens';
import type { SigningKeyPair } from '../../lambdas/shared/signing-jwk';
import { attackerKey, b64, signHs256, signRaw } from './support';

export interface AttackContext {
  readonly pair: SigningKeyPair;
  /** Another environment's key pair. */
  readonly staging: SigningKeyPair;
  readonly keyId: string;
  readonly tokenId: string;
  readonly validToken: string;
  readonly deletedToken: string;
}

/** Every token attack of the suite, as `Authorization` header values: each must be refused 401. */
export function tokenAttacks(context: AttackContext): Array<[string, string]> {
  const { pair, staging, keyId, tokenId, validToken, deletedToken } = context;
  const now = () => Math.floor(Date.now() / 1000);
  const claims = (overrides: Record<string, unknown> = {}) => ({ iss: 'appapi', aud: 'dev', sub: keyId, jti: tokenId, iat: now() - 10, ...overrides });
  const header = (overrides: Record<string, unknown> = {}) => ({ alg: 'EdDSA', typ: 'JWT', kid: pair.publicJwk.kid, ...overrides });
  const signed = (h: unknown, p: unknown, key: Pick<SigningKeyPair, 'privateJwk'> = pair) => signRaw(JSON.stringify(h), JSON.stringify(p), key);
    const [h, p, s] = validToken.split('.') as [string, string, string];
    const flipped = Buffer.from(s, 'base64url');
    flipped[10]! ^= 0x01;
    const stagingToken = mintToken(staging, { env: 'staging', keyId, tokenId });
    return [
      ...['none', 'None', 'NONE', 'nOnE'].map((alg): [string, string] => [`alg ${alg} without signature`, `${b64(header({ alg }))}.${p}.`]),
      ['alg none with the original signature', `${b64(header({ alg: 'none' }))}.${p}.${s}`],
      ['stripped signature', `${h}.${p}.`],
      ['truncated signature', `${h}.${p}.${s.slice(0, 40)}`],
      ['flipped signature bit', `${h}.${p}.${flipped.toString('base64url')}`],
      ['all-zero signature', `${h}.${p}.${Buffer.alloc(64).toString('base64url')}`],
      ['tampered payload (other key id)', `${h}.${b64(claims({ sub: 'key_admin' }))}.${s}`],
      ['tampered payload (other audience)', `${h}.${b64(claims({ aud: 'prod' }))}.${s}`],
      ['tampered header (typ)', `${b64(header({ typ: 'at+jwt' }))}.${p}.${s}`],
      ['HS256 signed with the public x', signHs256(header({ alg: 'HS256' }), claims(), Buffer.from(pair.publicJwk.x, 'base64url'))],
      ['HS256 signed with the public JWK text', signHs256(header({ alg: 'HS256' }), claims(), JSON.stringify(pair.publicJwk))],
      ['embedded jwk of the attacker', signed(header({ jwk: attackerKey().publicJwk }), claims(), attackerKey())],
      ['embedded jku', signed(header({ jku: 'https://evil.example/jwks.json' }), claims())],
      ['embedded x5u', signed(header({ x5u: 'https://evil.example/cert.pem' }), claims())],
      ['signed by an unknown key under our kid', signed(header(), claims(), attackerKey())],
      ['kid unknown', signed(header({ kid: 'some-other-key' }), claims())],
      ['kid empty', signed(header({ kid: '' }), claims())],
      ['kid path traversal', signed(header({ kid: '../../../../etc/passwd' }), claims())],
      ['kid very long', signed(header({ kid: 'k'.repeat(5_000) }), claims())],
      ['a staging token', stagingToken],
      ['a dev-audience token signed by the staging key', mintToken(staging, { env: 'dev', keyId, tokenId })],
      ['a token of a deleted key', deletedToken],
      ['expired', signed(header(), claims({ exp: now() - 3_600 }))],
      ['not yet valid', signed(header(), claims({ nbf: now() + 3_600 }))],
      ['issued in the future', signed(header(), claims({ iat: now() + 3_600 }))],
      ['missing iat', signed(header(), (({ iat: _iat, ...rest }) => rest)(claims()))],
      ['missing jti', signed(header(), (({ jti: _jti, ...rest }) => rest)(claims()))],
      ['stale token id', signed(header(), claims({ jti: 'an-older-token' }))],
      ['wrong iss', signed(header(), claims({ iss: 'someone-else' }))],
      ['wrong aud', signed(header(), claims({ aud: 'staging' }))],
      ['aud as a list containing dev', signed(header(), claims({ aud: ['dev', 'prod'] }))],
      ['iat as a string', signed(header(), claims({ iat: String(now()) }))],
      ['duplicate sub claim', signRaw(JSON.stringify(header()), JSON.stringify(claims()).replace('{', `{"sub":"key_admin",`), pair)],
      ['duplicate alg header', signRaw(JSON.stringify(header()).replace('{', '{"alg":"none",'), JSON.stringify(claims()), pair)],
      ['duplicate claim written with an escape', signRaw(JSON.stringify(header()), JSON.stringify(claims()).replace('{', '{"s\\u0075b":"key_admin",'), pair)],
      ['__proto__ in the payload', signRaw(JSON.stringify(header()), JSON.stringify(claims()).replace('{', '{"__proto__":{"admin":true},'), pair)],
      ['__proto__ in the header', signRaw(JSON.stringify(header()).replace('{', '{"__proto__":{"alg":"EdDSA"},'), JSON.stringify(claims()), pair)],
      ['constructor key', signRaw(JSON.stringify(header()), JSON.stringify(claims()).replace('{', '{"constructor":{},'), pair)],
      ['standard base64 characters', `${h}.${p}.${Buffer.from(s, 'base64url').toString('base64')}`],
      ['base64 padding', `${h}=.${p}.${s}`],
      ['non-canonical base64url (trailing bits)', `${h}.${p}.${s.slice(0, -1)}${s.endsWith('A') ? 'B' : 'A'}`],
      ['spaces inside', `${h}. ${p}.${s}`],
      ['non-ASCII', `${h}.${p}é.${s}`],
      ['header not JSON', `${b64('not json')}.${p}.${s}`],
      ['payload a JSON array', signRaw(JSON.stringify(header()), '[1,2]', pair)],
      ['2 parts', `${h}.${p}`],
      ['4 parts', `${h}.${p}.${s}.${s}`],
      ['5 parts', `${h}.${p}.${s}.${p}.${s}`],
      ['oversized token', `${h}.${b64({ ...claims(), pad: 'x'.repeat(5_000) })}.${s}`],
      ['oversized header value', `Bearer ${'a'.repeat(100_000)}`],
    ].map(([name, token]) => [name, token?.startsWith('Bearer ') ? token : `Bearer ${token}`] as [string, string]);
}

/** Authorization header values that are not exactly one `Bearer <token>`. */
export function bearerVariants(validToken: string): Array<[string, string | undefined]> {
  return [
    ['no Authorization header', undefined],
    ['empty Authorization header', ''],
    ['token without scheme', validToken],
    ['Basic scheme', `Basic ${validToken}`],
    ['Token scheme', `Token ${validToken}`],
    ['two spaces', `Bearer  ${validToken}`],
    ['tab', `Bearer\t${validToken}`],
    ['trailing space', `Bearer ${validToken} `],
    ['leading space', ` Bearer ${validToken}`],
    ['scheme only', 'Bearer'],
    ['two tokens', `Bearer ${validToken} ${validToken}`],
    ['comma-joined headers', `Bearer ${validToken}, Bearer ${validToken}`],
  ];
}
