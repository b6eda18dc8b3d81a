import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/** What one build read (esbuild's metafile inputs, relative to `root`) and what it produced. */
export interface BuildOutput {
  readonly code: string;
  readonly inputs: readonly string[];
}

interface CacheRecord {
  readonly code: string;
  /** Each input file and the SHA-256 of its content when the code was built. */
  readonly inputs: Readonly<Record<string, string | undefined>>;
}

const CACHE_DIRECTORY = join(tmpdir(), 'appapi-bundles');

/**
 * The output of `build`, reused across processes (synth, the CLI, every test file) while none of
 * the files the last build read has changed: each is hashed again and compared, so an edited
 * handler, a changed import or an updated dependency rebuilds. `key` names the build (entry,
 * options, bundler version, project folder); a stale or unreadable record just rebuilds.
 */
export function cachedBuild(key: string, root: string, build: () => BuildOutput): string {
  const recordPath = join(CACHE_DIRECTORY, `${createHash('sha256').update(key).update('\0').update(resolve(root)).digest('hex').slice(0, 32)}.json`);
  const cached = readRecord(recordPath);
  const packages = new Map<string, string | undefined>();
  if (cached && Object.entries(cached.inputs).every(([file, hash]) => fingerprintOf(join(root, file), packages) === hash)) return cached.code;

  const output = build();
  packages.clear();
  const inputs = Object.fromEntries(output.inputs.map((file) => [file, fingerprintOf(join(root, file), packages)]));
  mkdirSync(CACHE_DIRECTORY, { recursive: true });
  // written whole, then renamed: a process reading at the same time sees the old record or the new one
  const staging = `${recordPath}.${process.pid}.tmp`;
  writeFileSync(staging, JSON.stringify({ code: output.code, inputs } satisfies CacheRecord));
  renameSync(staging, recordPath);
  return output.code;
}

function readRecord(path: string): CacheRecord | undefined {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as CacheRecord;
  } catch {
    return undefined;
  }
}

// an installed package's folder: node_modules/name or node_modules/@scope/name
const PACKAGE_FILE = /^(.*[\\/]node_modules[\\/](?:@[^\\/]+[\\/])?[^\\/]+)[\\/]/;

/**
 * What stands for an input's content. A project file: the SHA-256 of its bytes. A file of an
 * installed package: its package.json (which names the version installed) and the file's size.
 * The Lambda bundles are built from ~900 files, nearly all of the AWS SDK; hashing them all cost
 * ~150 ms of CPU in every process that synthesizes, for files that change with their package's version.
 */
function fingerprintOf(path: string, packages: Map<string, string | undefined>): string | undefined {
  const installed = PACKAGE_FILE.exec(path)?.[1];
  if (installed === undefined) return hashOf(path);
  if (!packages.has(installed)) packages.set(installed, hashOf(join(installed, 'package.json')));
  try {
    return `${packages.get(installed)} ${statSync(path).size}`;
  } catch {
    return undefined; // a deleted input: the record no longer matches
  }
}

function hashOf(path: string): string | undefined {
  try {
    return createHash('sha256').update(readFileSync(path)).digest('hex');
  } catch {
    return undefined; // a deleted input: the record no longer matches
  }
}
