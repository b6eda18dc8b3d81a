// Shares a process: units (its tests call functions and close the servers and sockets they open; see scripts/run-tests.ts)
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { writeWhole } from '../lib/write-whole';
import { temporaryFolder } from './support/temporary-folder';

describe('writeWhole', () => {
  it('replaces a file with the whole new content, with the mode asked for, and leaves nothing beside it', () => {
    const folder = temporaryFolder('write-whole-');
    const path = join(folder, 'state.json');
    writeFileSync(path, 'old');
    writeWhole(path, 'new content', { mode: 0o600 });
    assert.equal(readFileSync(path, 'utf8'), 'new content');
    assert.equal(statSync(path).mode & 0o777, 0o600);
    assert.deepEqual(readdirSync(folder), ['state.json']);
  });

  it('exclusive: creates a file that is not there, whole', () => {
    const folder = temporaryFolder('write-whole-');
    const path = join(folder, 'key.json');
    writeWhole(path, '{"key":1}', { mode: 0o600, exclusive: true });
    assert.equal(readFileSync(path, 'utf8'), '{"key":1}');
    assert.equal(statSync(path).mode & 0o777, 0o600);
    assert.deepEqual(readdirSync(folder), ['key.json']);
  });

  it('exclusive: never replaces a file already there (EEXIST, as flag wx), and leaves nothing beside it', () => {
    const folder = temporaryFolder('write-whole-');
    const path = join(folder, 'key.json');
    writeFileSync(path, 'another process\'s key');
    assert.throws(() => writeWhole(path, 'mine', { exclusive: true }), { code: 'EEXIST' });
    assert.equal(readFileSync(path, 'utf8'), 'another process\'s key');
    assert.deepEqual(readdirSync(folder), ['key.json']);
  });

  it('a failed write removes the file beside its target and throws', () => {
    const folder = temporaryFolder('write-whole-');
    // a folder in the way: the rename fails after the file beside it was written
    const path = join(folder, 'taken');
    writeFileSync(join(folder, 'keep'), '');
    mkdirSync(join(path, 'inside'), { recursive: true });
    assert.throws(() => writeWhole(path, 'content'));
    assert.deepEqual(readdirSync(folder).sort(), ['keep', 'taken']);
  });
});
