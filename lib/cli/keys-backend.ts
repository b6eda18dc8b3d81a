import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createDocumentClient } from '../../lambdas/runtime/dynamodb';
import { parseSigningKeyPair, type SigningKeyPair } from '../../lambdas/shared/signing-jwk';
import { loadManifest } from '../declarations-cache/load-declarations';
import { ApiKeyStore, KeyCommandError } from '../keys/key-store';
import { dataHome } from '../local/data-home';
import { openLocalTables } from '../local/local-tables';
import { loadOrCreateSigningKey } from '../local/signing-key-file';
import { localTablePrefix } from '../local/table-prefix';

/** Where the keys of an environment live: DynamoDB Local and a key file, or the deployed stack. */
export interface KeysBackend {
  readonly env: string;
  readonly store: ApiKeyStore;
  /** Only `create` signs, so only it reads the private key. */
  signingKey(): Promise<SigningKeyPair>;
  close(): Promise<void>;
}

export interface AwsClients {
  readonly secrets?: SecretsManagerClient;
  readonly documents?: DynamoDBDocumentClient;
}

export async function localBackend(env: string): Promise<KeysBackend> {
  const manifest = loadManifest(env, { resourcePrefix: localTablePrefix() });
  const home = dataHome();
  const { documents, close } = await openLocalTables(home, env, manifest);
  return {
    env,
    store: new ApiKeyStore(documents, manifest.tables.apiKeys),
    signingKey: async () => loadOrCreateSigningKey(home, env),
    close,
  };
}

/** The deployed environment, through the default AWS credential chain. */
export async function awsBackend(env: string, clients: AwsClients = {}): Promise<KeysBackend> {
  const manifest = loadManifest(env);
  const documents = clients.documents ?? createDocumentClient();
  const secrets = clients.secrets ?? new SecretsManagerClient({});
  const secretId = `${manifest.prefix}/${env}/signing-key`;
  return {
    env,
    store: new ApiKeyStore(documents, manifest.tables.apiKeys),
    signingKey: async () => {
      const { SecretString } = await secrets.send(new GetSecretValueCommand({ SecretId: secretId }));
      const pair = parseSigningKeyPair(SecretString);
      if (!pair) throw new KeyCommandError(`Secret ${secretId} holds no signing key yet. Deploy the environment first: npx cdk deploy AppApi-${env}.`);
      return pair;
    },
    close: async () => {
      if (!clients.documents) documents.destroy();
      if (!clients.secrets) secrets.destroy();
    },
  };
}
