// Shares a process: units (its tests call functions and close the servers and sockets they open; see scripts/run-tests.ts)
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
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

  it('knows an installed package\'s files by the package\'s package.json and their size: an updated dependency rebuilds', () => {
    const packageRoot = join(root, 'node_modules', '@scope', 'dependency');
    mkdirSync(join(packageRoot, 'dist'), { recursive: true });
    writeFileSync(join(packageRoot, 'package.json'), '{"name":"@scope/dependency","version":"1.0.0"}');
    writeFileSync(join(packageRoot, 'dist', 'index.js'), 'exports.a = 1;');
    writeFileSync(join(root, 'entry.ts'), 'import "@scope/dependency"');
    const packageKey = `${key}-package`;
    let packageBuilds = 0;
    const buildWithPackage = () => ({ code: `built ${(packageBuilds += 1)}`, inputs: ['entry.ts', 'node_modules/@scope/dependency/dist/index.js'] });
    assert.equal(cachedBuild(packageKey, root, buildWithPackage), 'built 1');
    assert.equal(cachedBuild(packageKey, root, buildWithPackage), 'built 1', 'same package: no second build');
    writeFileSync(join(packageRoot, 'package.json'), '{"name":"@scope/dependency","version":"1.0.1"}');
    assert.equal(cachedBuild(packageKey, root, buildWithPackage), 'built 2', 'another version of the package rebuilds');
    writeFileSync(join(packageRoot, 'dist', 'index.js'), 'exports.a = 12;');
    assert.equal(cachedBuild(packageKey, root, buildWithPackage), 'built 3', 'a file of another size rebuilds');
    assert.equal(cachedBuild(packageKey, root, buildWithPackage), 'built 3');
    rmSync(join(packageRoot, 'dist', 'index.js'));
    assert.equal(cachedBuild(packageKey, root, buildWithPackage), 'built 4', 'a deleted file rebuilds');
  });
});
