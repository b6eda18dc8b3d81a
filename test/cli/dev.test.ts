import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { temporaryHome } from '../e2e/support';
import { appapi, appapiHere } from '../support/cli';
import { tablesOf } from '../support/dynamo';

const tables = tablesOf(__filename);

/** `appapi dev --port 0` in a child process; `ready` once it serves. */
function startDev(home: string) {
  const child = spawn(process.execPath, [join(__dirname, '..', '..', 'bin', 'appapi.js'), 'dev', '--port', '0'], {
    env: { ...process.env, APPAPI_TABLE_PREFIX: tables.prefix, APPAPI_HOME: home },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const ready = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`not serving after 120 s:\n${output}`)), 120_000);
    const read = (chunk: Buffer) => {
      output += chunk;
      if (/^Serving http/m.test(output)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout.on('data', read);
    child.stderr.on('data', read);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`exited ${code} before serving:\n${output}`));
    });
  });
  ready.catch(() => undefined);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, ready, exited, output: () => output };
}

/** The DynamoDB Local a state file records, or undefined when there is none (yet). */
function readRecorded(state: string): { pid: number; javaPid: number } | undefined {
  try {
    return JSON.parse(readFileSync(state, 'utf8')) as { pid: number; javaPid: number };
  } catch {
    return undefined;
  }
}

/** Running, not exited (an exited JVM may stay a zombie a moment until its new parent reaps it). */
function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return !stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
}

describe('appapi dev', () => {
  // the timeouts only guard against a hang: a new CLI process on a busy machine can take a while
  it('without Java says in one line how to install it, and exits 1', { timeout: 150_000 }, async () => {
    // a PATH holding only node: no java on it
    const bin = temporaryHome();
    symlinkSync(process.execPath, join(bin, 'node'));
    await assert.rejects(appapi(['dev', '--port', '0'], { tables, home: temporaryHome(), env: { PATH: bin }, timeout: 120_000 }), (error: { code: number; stderr: string }) => {
      const lines = error.stderr.trim().split('\n');
      assert.equal(error.code, 1);
      assert.equal(lines.length, 1, error.stderr);
      assert.match(lines[0]!, /Java 17 or newer.*apt-get install default-jre-headless/);
      return true;
    });
  });

  it('with its port taken says how to choose another, exits 1, and leaves no DynamoDB Local running', { timeout: 150_000 }, async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as AddressInfo).port;
    const home = temporaryHome();
    try {
      // a data folder with no `appapi dev` running: the command starts DynamoDB Local itself, and must stop it
      await assert.rejects(appapi(['dev', '--port', String(port)], { tables, home, timeout: 120_000 }), (error: { code: number; stderr: string }) => {
        assert.equal(error.code, 1);
        assert.match(error.stderr, new RegExp(`Port ${port} is already in use.*--port 3001`));
        return true;
      });
      // DynamoDB Local's command line names its data folder, which is this home's
      assert.equal(spawnSync('pgrep', ['-f', home]).status, 1, 'no DynamoDB Local left behind');
    } finally {
      blocker.close();
    }
  });

  it('a start that fails once DynamoDB Local runs (a signing key file holding no key) says why, exits 1, and leaves nothing running', { timeout: 150_000 }, async () => {
    const home = temporaryHome();
    // what a start killed while it created the key once left behind
    mkdirSync(join(home, 'dev'), { recursive: true, mode: 0o700 });
    writeFileSync(join(home, 'dev', 'signing-key.json'), '', { mode: 0o600 });
    try {
      await assert.rejects(appapi(['dev', '--port', '0'], { tables, home, timeout: 120_000 }), (error: { code: number; stderr: string }) => {
        assert.equal(error.code, 1, error.stderr);
        assert.match(error.stderr, /signing-key\.json does not hold a signing key pair\. Move it away/);
        return true;
      });
      assert.equal(existsSync(join(home, 'dev', 'dynamodb.json')), false, 'no state file claims a DynamoDB Local');
      assert.equal(spawnSync('pgrep', ['-f', home]).status, 1, 'no DynamoDB Local left behind');
    } finally {
      spawnSync('pkill', ['-KILL', '-f', home]);
    }
  });

  it('stopped with Ctrl-C while it starts, stops the DynamoDB Local it started too', { timeout: 150_000 }, async () => {
    const home = temporaryHome();
    const state = join(home, 'dev', 'dynamodb.json');
    const child = spawn(process.execPath, [join(__dirname, '..', '..', 'bin', 'appapi.js'), 'dev', '--port', '0'], {
      env: { ...process.env, APPAPI_TABLE_PREFIX: tables.prefix, APPAPI_HOME: home },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      // DynamoDB Local answered (its state is recorded); tables, key and listening are still to come
      for (const deadline = Date.now() + 120_000; !existsSync(state) && Date.now() < deadline; ) await new Promise((resolve) => setTimeout(resolve, 10));
      assert.ok(existsSync(state), `DynamoDB Local started:\n${output}`);
      child.kill('SIGINT');
      const code = await exited;
      assert.ok(code === 130 || code === 0, `exit ${code}:\n${output}`);
      assert.equal(existsSync(state), false, 'its state file is removed');
      assert.equal(spawnSync('pgrep', ['-f', home]).status, 1, 'no DynamoDB Local left behind');
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('stopped by SIGHUP (its terminal closed) stops DynamoDB Local and removes its state', { timeout: 150_000 }, async () => {
    const home = temporaryHome();
    const dev = startDev(home);
    try {
      await dev.ready;
      dev.child.kill('SIGHUP');
      const code = await dev.exited;
      assert.ok(code === 129 || code === 0, `exit ${code}:\n${dev.output()}`);
      assert.equal(existsSync(join(home, 'dev', 'dynamodb.json')), false, 'its state file is removed');
      assert.equal(spawnSync('pgrep', ['-f', home]).status, 1, 'no DynamoDB Local left behind');
    } finally {
      dev.child.kill('SIGKILL');
      // a failed assertion must not leave a JVM behind: its command line names this home
      spawnSync('pkill', ['-KILL', '-f', home]);
    }
  });

  it('after a SIGKILL left DynamoDB Local running, the next start adopts it and stops it when stopped', { timeout: 200_000 }, async () => {
    const home = temporaryHome();
    const state = join(home, 'dev', 'dynamodb.json');
    // the state file is written once DynamoDB Local answers, before the declarations load
    const recordedBy = async (pid: number | undefined) => {
      for (const deadline = Date.now() + 120_000; Date.now() < deadline; await new Promise((resolve) => setTimeout(resolve, 10))) {
        const recorded = readRecorded(state);
        if (recorded && recorded.pid === pid) return recorded;
      }
      throw new Error(`no DynamoDB Local recorded by ${pid}`);
    };
    const first = startDev(home);
    let second: ReturnType<typeof startDev> | undefined;
    try {
      const jvm = (await recordedBy(first.child.pid)).javaPid;
      first.child.kill('SIGKILL');
      await first.exited;
      assert.ok(isRunning(jvm), 'a SIGKILL leaves the JVM running: nothing can stop it then');
      second = startDev(home);
      assert.equal((await recordedBy(second.child.pid)).javaPid, jvm, 'the running JVM was reused, now recorded as this start\'s');
      second.child.kill('SIGINT');
      const code = await second.exited;
      assert.ok(code === 130 || code === 0, `exit ${code}:\n${second.output()}`);
      assert.equal(existsSync(state), false, `its state file is removed:\n${second.output()}`);
      assert.equal(isRunning(jvm), false, 'the adopted JVM is stopped');
    } finally {
      first.child.kill('SIGKILL');
      second?.child.kill('SIGKILL');
      // whether or not its pid was read before a failure: the JVM's command line names this home
      spawnSync('pkill', ['-KILL', '-f', home]);
    }
  });

  it('rejects a bad port with the usage', async () => {
    const outcome = await appapiHere(['dev', '--port', 'eighty'], { tables });
    assert.deepEqual([outcome.code, /--port takes a port number/.test(outcome.stderr)], [2, true], outcome.stderr);
  });
});
