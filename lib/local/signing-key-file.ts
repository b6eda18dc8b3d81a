import { chmodSync, existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { generateSigningKeyPair, parseSigningKeyPair, type SigningKeyPair } from '../../lambdas/shared/signing-jwk';
import { writeWhole } from '../write-whole';

/** The file holding an environment's local signing key pair. */
export function signingKeyPath(home: string, environment: string): string {
  return join(home, environment, 'signing-key.json');
}

/**
 * The local signing key of an environment, created on first use. Only the owner may read it:
 * the directory is 0700 and the file 0600, and a file found with wider permissions is narrowed.
 */
export function loadOrCreateSigningKey(home: string, environment: string): SigningKeyPair {
  const path = signingKeyPath(home, environment);
  mkdirSync(join(home, environment), { recursive: true, mode: 0o700 });
  if (existsSync(path)) {
    if ((statSync(path).mode & 0o077) !== 0) chmodSync(path, 0o600);
    const pair = parseSigningKeyPair(readFileSync(path, 'utf8'));
    if (!pair) throw new Error(`${path} does not hold a signing key pair. Move it away to have a new one created (tokens minted with the old key stop working).`);
    return pair;
  }
  const pair = generateSigningKeyPair();
  try {
    // whole, or a start killed mid-write would leave a file that holds no key and stops every
    // later start; exclusive: never replace a key another process created meanwhile
    writeWhole(path, `${JSON.stringify(pair, null, 2)}\n`, { mode: 0o600, exclusive: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return loadOrCreateSigningKey(home, environment);
    throw error;
  }
  return pair;
}
