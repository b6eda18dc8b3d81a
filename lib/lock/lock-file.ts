import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeWhole } from '../write-whole';
import { LOCK_VERSION, type EnvironmentLock, type LockFile } from './stateful-resources';

/** The committed lock of the project: next to cdk.json. */
export const PROJECT_LOCK_FILE = join(__dirname, '..', '..', 'appapi.lock.json');

const ABOUT =
  'The tables and secrets each environment has deployed, written by `appapi lock` and `appapi deploy`. Commit it: cdk synth refuses a change that would replace or delete them. See README, "Changing a model safely".';

/** A lock file that cannot be read; the message says how to repair it. */
export class LockFileError extends Error {}

/** The lock at `path`, or undefined when there is none (nothing recorded as deployed yet). */
export function readLockFile(path: string = PROJECT_LOCK_FILE): LockFile | undefined {
  if (!existsSync(path)) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new LockFileError(`${path} is not valid JSON (${(error as Error).message}). Restore it from version control (git checkout -- appapi.lock.json), or regenerate it with appapi lock.`);
  }
  const lock = parsed as Partial<LockFile>;
  if (lock?.version !== LOCK_VERSION || typeof lock.environments !== 'object' || lock.environments === null) {
    throw new LockFileError(`${path} is not an appapi lock of version ${LOCK_VERSION} ("version" and "environments" expected). Restore it from version control, or regenerate it with appapi lock.`);
  }
  return { version: LOCK_VERSION, environments: lock.environments };
}

/** Records environments in the lock at `path`, keeping the others; the file is replaced atomically. */
export function writeLockEnvironments(updates: { readonly [environment: string]: EnvironmentLock }, path: string = PROJECT_LOCK_FILE): void {
  const existing = readLockFile(path)?.environments ?? {};
  const environments = { ...existing, ...updates };
  const ordered = Object.fromEntries(Object.keys(environments).sort().map((name) => [name, environments[name]!]));
  const text = `${JSON.stringify({ about: ABOUT, version: LOCK_VERSION, environments: ordered }, null, 2)}\n`;
  writeWhole(path, text);
}
