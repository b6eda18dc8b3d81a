// Shares a process: units (its tests call functions and close the servers and sockets they open; see scripts/run-tests.ts)
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { cachedBuild } from '../../lib/constructs/bundle-cache';

describe('bundle cache across processes', () => {
  const root = mkdtempSync(join(tmpdir(), 'appapi-bundle-cache-'));
  const key = `test-${randomUUID()}`;
  let builds = 0;
  const build = () => {
    builds += 1;
    return { code: `built ${builds}`, inputs: ['entry.ts', 'dependency.ts'] };
  };

  it('reuses the last output while every input read is unchanged, and rebuilds when one changes or disappears', () => {
    writeFileSync(join(root, 'entry.ts'), 'import "./dependency"');
    writeFileSync(join(root, 'dependency.ts'), 'export const a = 1');
    assert.equal(cachedBuild(key, root, build), 'built 1');
    assert.equal(cachedBuild(key, root, build), 'built 1', 'same sources: no second build');
    writeFileSync(join(root, 'dependency.ts'), 'export const a = 2');
    assert.equal(cachedBuild(key, root, build), 'built 2', 'an edited import rebuilds');
    assert.equal(cachedBuild(key, root, build), 'built 2');
    rmSync(join(root, 'dependency.ts'));
    assert.equal(cachedBuild(key, root, build), 'built 3', 'a deleted input rebuilds');
    assert.equal(cachedBuild(`${key}-other-options`, root, build), 'built 4', 'another key is another build');
  });
});
