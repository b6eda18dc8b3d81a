import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { EnvironmentManifest } from '../../lambdas/shared/manifest';
import { ApiKeyStore } from '../keys/key-store';
import { mintToken } from '../keys/tokens';
import { loadOrCreateSigningKey } from './signing-key-file';
import { writeWhole } from '../write-whole';

export const LOCAL_DEV_KEY_NAME = 'local-dev';

export interface LocalDevKey {
  readonly keyId: string;
  readonly token: string;
  readonly groups: readonly string[];
  /** False when the key was deleted since: its token no longer works. */
  readonly active: boolean;
  readonly created: boolean;
}

/**
 * The key a newcomer calls the dev environment with: created on the first `npm start`, in every
 * group the environment's routes use. Unlike other keys its token is kept, in a 0600 file under
 * the local data folder, so every start can print it again; it exists only on this machine.
 */
export async function ensureLocalDevKey(home: string, manifest: EnvironmentManifest, documents: DynamoDBDocumentClient): Promise<LocalDevKey> {
  const path = join(home, manifest.env, `${LOCAL_DEV_KEY_NAME}.json`);
  const store = new ApiKeyStore(documents, manifest.tables.apiKeys);
  const saved = readSavedKey(path);
  if (saved) {
    const active = (await store.list()).some((key) => key.keyId === saved.keyId);
    return { ...saved, active, created: false };
  }
  const groups = [...new Set(manifest.routes.flatMap((route) => (route.auth.type === 'keyGroups' ? route.auth.groups : [])))].sort();
  const key = await store.create(LOCAL_DEV_KEY_NAME, groups.length ? groups : ['local']);
  const token = mintToken(loadOrCreateSigningKey(home, manifest.env), { env: manifest.env, keyId: key.keyId, tokenId: key.tokenId });
  // whole: a start killed mid-write must not leave a file that stops every later start
  writeWhole(path, `${JSON.stringify({ keyId: key.keyId, token, groups: key.groups }, null, 2)}\n`, { mode: 0o600 });
  return { keyId: key.keyId, token, groups: key.groups, active: true, created: true };
}

/** The saved key, or undefined when there is none, or none readable (cut short by an older version, or edited): a new one replaces it. */
function readSavedKey(path: string): { keyId: string; token: string; groups: string[] } | undefined {
  try {
    const saved = JSON.parse(readFileSync(path, 'utf8')) as { keyId?: unknown; token?: unknown; groups?: unknown };
    const isText = (value: unknown): value is string => typeof value === 'string' && value.length > 0;
    if (isText(saved.keyId) && isText(saved.token) && Array.isArray(saved.groups) && saved.groups.every(isText)) return { keyId: saved.keyId, token: saved.token, groups: saved.groups };
  } catch {
    // absent, or unreadable: as if there were none
  }
  return undefined;
}
