import type { CdkCustomResourceEvent, CdkCustomResourceResponse } from 'aws-lambda';
import { GetSecretValueCommand, PutSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { createLogger } from '../shared/logger';
import { generateSigningKeyPair, parseSigningKeyPair, type PublicSigningJwk } from '../shared/signing-jwk';

/**
 * The event the custom-resources Provider framework passes to an onEvent handler, as
 * @types/aws-lambda defines it: the fields used here.
 */
export type SigningKeyEvent = Pick<CdkCustomResourceEvent, 'RequestType'> & {
  /** Checked, not trusted: SecretId must be a non-empty string. */
  readonly ResourceProperties: Partial<CdkCustomResourceEvent<{ readonly SecretId?: unknown }>['ResourceProperties']>;
  readonly PhysicalResourceId?: string;
};

export interface SigningKeyResponse extends CdkCustomResourceResponse<{ readonly PublicJwk: string; readonly Kid: string }> {
  /** The secret's ARN: a new secret is a new resource, whose old self is then deleted (a no-op). */
  readonly PhysicalResourceId: string;
}

/** Only the client's `send`, so tests can pass a mocked client. */
export type SecretsClient = Pick<SecretsManagerClient, 'send'>;

/**
 * The onEvent handler of the environment's signing-key custom resource. Create/Update keep the key
 * pair the secret already holds; only when it holds none (the secret's initial random value) is a
 * new Ed25519 pair generated and stored. A redeploy therefore never rotates the key. Delete does
 * nothing: the secret has its own removal policy. A Secrets Manager error fails the deploy rather
 * than inventing a key.
 */
export function createSigningKeyHandler(client: SecretsClient): (event: SigningKeyEvent) => Promise<SigningKeyResponse> {
  return async (event) => {
    const secretId = event.ResourceProperties.SecretId;
    if (event.RequestType === 'Delete') {
      logger.info('signing key left to the secret\'s removal policy', { requestType: event.RequestType });
      return { PhysicalResourceId: event.PhysicalResourceId ?? String(secretId) };
    }
    if (typeof secretId !== 'string' || secretId === '') {
      throw new Error(`Signing key: ResourceProperties.SecretId must be the secret's ARN or name; received ${JSON.stringify(secretId)}.`);
    }
    const current = await client.send(new GetSecretValueCommand({ SecretId: secretId }));
    let pair = parseSigningKeyPair(current.SecretString);
    const created = pair === undefined;
    if (pair === undefined) {
      pair = generateSigningKeyPair();
      await client.send(new PutSecretValueCommand({ SecretId: secretId, SecretString: JSON.stringify(pair) }));
    }
    // rebuilt field by field: whatever else a stored value carries never leaves the secret
    const { kty, crv, x, kid } = pair.publicJwk;
    const publicJwk: PublicSigningJwk = { kty, crv, x, kid, alg: 'EdDSA', use: 'sig' };
    logger.info(created ? 'signing key created' : 'signing key kept', { requestType: event.RequestType, kid: publicJwk.kid });
    return { PhysicalResourceId: secretId, Data: { PublicJwk: JSON.stringify(publicJwk), Kid: publicJwk.kid } };
  };
}

// Never log key material: only the kid and what was done.
const logger = createLogger({ function: 'signing-key' });

// Created once per container, reused across invocations.
export const handler = createSigningKeyHandler(new SecretsManagerClient({}));
