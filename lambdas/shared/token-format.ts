/**
 * The API token contract, shared by whoever mints tokens (the CLI) and the authorizer that checks
 * them. A token is a JWT signed with the environment's Ed25519 key:
 * header `{ alg: "EdDSA", typ: "JWT", kid }`, payload `{ iss, aud: <env>, sub: <keyId>, jti, iat[, exp] }`.
 */
export const TOKEN_ISSUER = 'appapi';
export const TOKEN_TYPE = 'JWT';
export const TOKEN_ALGORITHM = 'EdDSA';
/** Our tokens are about 330 characters; anything much longer is not one of them. */
export const MAX_TOKEN_LENGTH = 1_024;
/** Allowed difference between the clocks of the machine that minted a token and the authorizer. */
export const CLOCK_SKEW_SECONDS = 60;

export const HEADER_FIELDS = ['alg', 'kid', 'typ'] as const;
export const REQUIRED_CLAIMS = ['aud', 'iat', 'iss', 'jti', 'sub'] as const;
export const OPTIONAL_CLAIMS = ['exp', 'nbf'] as const;

export interface TokenClaims {
  readonly iss: string;
  readonly aud: string;
  /** The API key id. */
  readonly sub: string;
  /** The key's current token id: updating a key's token invalidates the previous one. */
  readonly jti: string;
  readonly iat: number;
  readonly exp?: number;
  readonly nbf?: number;
}

/** An API key as stored in the environment's keys table. Never the token. */
export interface ApiKeyRecord {
  readonly keyId: string;
  readonly name: string;
  readonly groups: readonly string[];
  readonly tokenId: string;
  readonly createdAt: string;
  readonly updatedAt: string;
  /** ISO time the key's token stops working, when it was minted with an expiry. */
  readonly expiresAt?: string;
}
