import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import { temporaryHome } from '../e2e/support';

const run = promisify(execFile);
const cli = join(__dirname, '..', '..', 'bin', 'appapi.js');

describe('appapi dev', () => {
  it('without Java says in one line how to install it, and exits 1', { timeout: 60_000 }, async () => {
    // a PATH holding only node: no java on it
    const bin = temporaryHome();
    symlinkSync(process.execPath, join(bin, 'node'));
    const env = { ...process.env, PATH: bin, APPAPI_HOME: temporaryHome() };
    await assert.rejects(run(process.execPath, [cli, 'dev', '--port', '0'], { env, timeout: 30_000 }), (error: { code: number; stderr: string }) => {
      const lines = error.stderr.trim().split('\n');
      assert.equal(error.code, 1);
      assert.equal(lines.length, 1, error.stderr);
      assert.match(lines[0]!, /Java 17 or newer.*apt-get install default-jre-headless/);
      return true;
    });
  });

  it('rejects a bad port with the usage', async () => {
    await assert.rejects(run(process.execPath, [cli, 'dev', '--port', 'eighty']), (error: { code: number; stderr: string }) => error.code === 2 && /--port takes a port number/.test(error.stderr));
  });
});
