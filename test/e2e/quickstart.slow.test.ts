import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';

const root = join(__dirname, '..', '..');

/** The shell lines of the first ```sh block after a README heading. */
function commandsUnder(heading: string): string[] {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf(heading));
  const block = /```sh\n([\s\S]*?)```/.exec(section)![1]!;
  return block
    .split('\n')
    .map((line) => line.replace(/\s+#.*$/, '').trim())
    .filter(Boolean);
}

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

describe('README quickstart, followed literally on a fresh clone', () => {
  it('npm install, npm start, then the first-call curl lines succeed', { timeout: 420_000 }, async () => {
    const setup = commandsUnder('## Quickstart');
    assert.deepEqual(setup, ['npm install', 'npm start']);
    const calls = commandsUnder('### First call');
    assert.ok(calls.length >= 2 && calls.every((line) => line.startsWith('curl ')), calls.join('\n'));
    assert.ok(await portIsFree(3000), 'the quickstart serves on port 3000, which something else is using');

    const clone = mkdtempSync(join(tmpdir(), 'appapi-quickstart-'));
    execFileSync('git', ['clone', '--quiet', root, clone]);
    // a newcomer's shell: no APPAPI_HOME or PORT of ours
    const env: NodeJS.ProcessEnv = { ...process.env };
    delete env.APPAPI_HOME;
    delete env.PORT;
    const install = spawnSync('sh', ['-c', setup[0]!], { cwd: clone, env, encoding: 'utf8', timeout: 300_000 });
    assert.equal(install.status, 0, install.stderr);

    const server = spawn('sh', ['-c', setup[1]!], { cwd: clone, env, detached: true });
    let output = '';
    server.stdout.on('data', (chunk) => (output += chunk));
    server.stderr.on('data', (chunk) => (output += chunk));
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no "ready" within 90 s:\n${output}`)), 90_000);
        const check = () => {
          if (/ready/.test(output)) {
            clearTimeout(timer);
            resolve();
          }
        };
        server.stdout.on('data', check);
        server.once('exit', (code) => reject(new Error(`npm start exited ${code}:\n${output}`)));
      });
      const token = /^(eyJ[\w-]+\.[\w-]+\.[\w-]+)$/m.exec(output)?.[1];
      assert.ok(token, `npm start printed a token:\n${output}`);
      const tryIt = /^Try it: (curl .*)$/m.exec(output)?.[1];
      assert.ok(tryIt, 'npm start printed a line to try');
      for (const line of [tryIt, ...calls]) {
        const call: ReturnType<typeof spawnSync> = spawnSync('sh', ['-c', line], { env: { ...process.env, TOKEN: token }, encoding: 'utf8', timeout: 20_000 });
        assert.equal(call.status, 0, `${line}\n${call.stdout}${call.stderr}`);
      }
    } finally {
      process.kill(-server.pid!, 'SIGINT');
      await new Promise((resolve) => server.once('exit', resolve));
      rmSync(clone, { recursive: true, force: true });
    }
    assert.ok(await portIsFree(3000), 'Ctrl-C stopped the gateway');
  });
});
