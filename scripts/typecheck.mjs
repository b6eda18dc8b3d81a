// `npm test`'s type check: `tsc --noEmit`, skipped when nothing tsc reads has changed since the last
// check that passed. Even incremental, tsc parses and binds every declaration file the project uses
// (1.3 million lines of aws-cdk-lib and the AWS SDK) before it finds nothing to do: about 18 s of CPU
// on every run. Its answer depends only on the project's sources, tsconfig.json, the installed
// packages and tsc's version, so a hash of those decides. `npx tsc --noEmit` always checks.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';

const ROOT = join(import.meta.dirname ?? new URL('.', import.meta.url).pathname, '..');
const CACHE = join(ROOT, 'node_modules', '.cache', 'appapi');
const STAMP = join(CACHE, 'typecheck.sha256');
const SOURCE = /\.(c|m)?tsx?$/;

/** Every file under the folders tsconfig.json includes that tsc could read. */
function sources() {
  const { include = [] } = JSON.parse(readFileSync(join(ROOT, 'tsconfig.json'), 'utf8'));
  const walk = (folder) =>
    readdirSync(folder, { withFileTypes: true }).flatMap((entry) => {
      const path = join(folder, entry.name);
      if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : walk(path);
      return SOURCE.test(entry.name) ? [path] : [];
    });
  return include.flatMap((folder) => (existsSync(join(ROOT, folder)) ? walk(join(ROOT, folder)) : [])).sort();
}

function inputsHash() {
  const hash = createHash('sha256');
  const files = [
    ...sources(),
    join(ROOT, 'tsconfig.json'),
    join(ROOT, 'package-lock.json'),
    // rewritten by every npm install: the packages actually installed
    join(ROOT, 'node_modules', '.package-lock.json'),
    join(ROOT, 'node_modules', 'typescript', 'package.json'),
  ];
  for (const file of files) {
    hash.update(relative(ROOT, file)).update('\0');
    hash.update(existsSync(file) ? readFileSync(file) : '(absent)').update('\0');
  }
  return hash.digest('hex');
}

const hash = inputsHash();
if (existsSync(STAMP) && readFileSync(STAMP, 'utf8') === hash) {
  console.log('Types: unchanged since the last passing `tsc --noEmit` (not checked again).');
  process.exit(0);
}
mkdirSync(CACHE, { recursive: true });
const tsc = spawnSync(
  process.execPath,
  [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '--noEmit', '--incremental', '--tsBuildInfoFile', join(CACHE, 'tsc.tsbuildinfo')],
  { cwd: ROOT, stdio: 'inherit' },
);
if (tsc.status !== 0) process.exit(tsc.status ?? 1);
writeFileSync(STAMP, hash);
