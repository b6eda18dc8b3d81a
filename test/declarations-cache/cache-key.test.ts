// The key covers every input of a build by content: a project in a temporary folder, edited file by file.
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { declarationsKey } from '../../lib/declarations-cache/cache-key';
import { MAX_CACHE_ENTRIES, readEntry, writeEntry } from '../../lib/declarations-cache/cache-store';

const root = mkdtempSync(join(tmpdir(), 'appapi-key-test-'));
after(() => rmSync(root, { recursive: true, force: true }));
for (const folder of ['lib/apps', 'lambdas/runtime', 'teams/shop', 'node_modules/aws-cdk-lib', 'fixtures']) mkdirSync(join(root, folder), { recursive: true });
const files: Record<string, string> = {
  'cdk.json': JSON.stringify({ context: { 'appapi:apps': ['./teams/shop'] } }),
  'package.json': '{"name":"appapi"}',
  'package-lock.json': '{"lockfileVersion":3}',
  'appapi.lock.json': '{"environments":{}}',
  'tsconfig.json': '{}',
  'lib/apps/booking.ts': 'export const a = 1;',
  'lambdas/runtime/handler.ts': 'export const h = 1;',
  'teams/shop/index.ts': 'export const apps = [];',
  'node_modules/aws-cdk-lib/package.json': '{"version":"2.0.0"}',
  'fixtures/apps.ts': 'export const apps = [];',
};
for (const [file, text] of Object.entries(files)) writeFileSync(join(root, file), text);
const context = { 'appapi:apps': ['./teams/shop'] };
const key = (inputs: Partial<Parameters<typeof declarationsKey>[0]> = {}) => declarationsKey({ environment: 'dev', context, ...inputs }, root);

describe('declarations cache key', () => {
  it('changes with the content of every file the declarations are built from, not with their times', () => {
    const base = key();
    assert.equal(key(), base, 'stable');
    const later = new Date(Date.now() + 60_000);
    for (const file of Object.keys(files)) utimesSync(join(root, file), later, later);
    assert.equal(key(), base, 'touching changes nothing');
    for (const [file, text] of Object.entries(files)) {
      if (file === 'fixtures/apps.ts') continue;
      // aws-cdk-lib stands in by its version
      writeFileSync(join(root, file), file.startsWith('node_modules') ? '{"version":"2.0.1"}' : `${text} `);
      assert.notEqual(key(), base, `${file} is in the key`);
      writeFileSync(join(root, file), text);
      assert.equal(key(), base, `${file} back as it was`);
    }
    writeFileSync(join(root, 'lib/apps/new.ts'), '');
    assert.notEqual(key(), base, 'a new file');
    rmSync(join(root, 'lib/apps/new.ts'));
    cpSync(join(root, 'lib/apps/booking.ts'), join(root, 'lib/booking.ts'));
    assert.notEqual(key(), base, 'a file moved');
    rmSync(join(root, 'lib/booking.ts'));
    assert.equal(key(), base);
  });

  it('changes with the environment, table prefix, context, apps module and CDK_* variables', () => {
    const base = key();
    assert.notEqual(key({ environment: 'prod' }), base);
    assert.notEqual(key({ resourcePrefix: 'other' }), base);
    assert.notEqual(key({ context: { ...context, flag: true } }), base);
    const module = join(root, 'fixtures/apps.ts');
    const withModule = key({ appsModule: module });
    assert.notEqual(withModule, base);
    writeFileSync(module, 'export const apps = [1];');
    assert.notEqual(key({ appsModule: module }), withModule, "an apps module's folder is in the key");
    process.env.CDK_DEFAULT_REGION = 'eu-west-3';
    try {
      assert.notEqual(key(), base);
    } finally {
      delete process.env.CDK_DEFAULT_REGION;
    }
  });

  it('keeps at most MAX_CACHE_ENTRIES entries, the most recently used', () => {
    const folder = join(root, 'cache');
    for (let index = 0; index < MAX_CACHE_ENTRIES + 5; index++) {
      writeEntry(folder, index.toString(16).padStart(4, '0'), { index });
      // the first stays in use: read before every write
      assert.deepEqual(readEntry(folder, '0000'), { index: 0 });
    }
    const kept = Array.from({ length: MAX_CACHE_ENTRIES + 5 }, (_, index) => readEntry(folder, index.toString(16).padStart(4, '0')) !== undefined);
    assert.equal(kept.filter(Boolean).length, MAX_CACHE_ENTRIES);
    assert.ok(kept[0], 'the entry in use is kept');
    assert.ok(kept[MAX_CACHE_ENTRIES + 4], 'the newest is kept');
    assert.ok(!kept[1], 'the least recently used went');
  });
});
