import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { loadDeclarations } from '../../lib/declarations-cache/load-declarations';
import { localTablePrefix } from '../../lib/local/table-prefix';

// npm install's postinstall (scripts/postinstall.js), run as npm runs it, without Java on PATH so
// that no JVM starts (the archive it builds with Java is tested in dynamodb-local.slow.test.ts).

const root = join(__dirname, '..', '..');
const work = mkdtempSync(join(tmpdir(), 'appapi-postinstall-'));
const withoutJava = join(work, 'bin');
mkdirSync(withoutJava);
symlinkSync(process.execPath, join(withoutJava, 'node'));

function postinstall(env: NodeJS.ProcessEnv, ...args: string[]) {
  return spawnSync(process.execPath, ['scripts/postinstall.js', ...args], { cwd: root, env: { ...process.env, PATH: withoutJava, ...env }, encoding: 'utf8', timeout: 120_000 });
}

describe('npm install prepares the first npm start', () => {
  after(() => rmSync(work, { recursive: true, force: true }));

  it("stores the dev environment's declarations where the first start looks them up, silently", { timeout: 150_000 }, () => {
    const cache = join(work, 'cache');
    const run = postinstall({ APPAPI_CACHE_DIR: cache });
    assert.equal(run.status, 0, run.stderr);
    assert.equal(run.stdout, '', 'prints nothing');
    assert.equal(run.stderr, '', 'prints nothing');
    const saved = process.env.APPAPI_CACHE_DIR;
    process.env.APPAPI_CACHE_DIR = cache;
    try {
      // the request `appapi dev` makes (lib/local/gateway/generation.ts): a hit, not a build
      const prefix = localTablePrefix();
      const declarations = loadDeclarations({ environment: 'dev', platform: true, ...(prefix ? { resourcePrefix: prefix } : {}) });
      assert.equal(declarations.source, 'cache');
      assert.ok(declarations.manifest.routes.length > 0);
    } finally {
      if (saved === undefined) delete process.env.APPAPI_CACHE_DIR;
      else process.env.APPAPI_CACHE_DIR = saved;
    }
    const second = postinstall({ APPAPI_CACHE_DIR: cache }, '--report');
    assert.equal(second.status, 0);
    assert.match(second.stdout, /DynamoDB Local class-data archive: no archive; declarations of dev: already stored/);
  });

  it('never fails the install: declarations that do not build are left to the first start', { timeout: 150_000 }, () => {
    const cache = join(work, 'broken');
    const run = postinstall({ APPAPI_CACHE_DIR: cache, APPAPI_TABLE_PREFIX: 'Not A Prefix' }, '--report');
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /declarations of dev: not built \(APPAPI_TABLE_PREFIX "Not A Prefix" must be/);
    assert.deepEqual(existsSync(cache) ? readdirSync(cache).filter((name) => name.startsWith('declarations-')) : [], []);
  });

  it('does nothing with APPAPI_CACHE=off', () => {
    const cache = join(work, 'off');
    const run = postinstall({ APPAPI_CACHE_DIR: cache, APPAPI_CACHE: 'off' }, '--report');
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /archive: caching off; declarations of dev: caching off/);
    assert.equal(existsSync(cache), false);
  });
});
