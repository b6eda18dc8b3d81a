// `npm start` timed from outside: process start to the "ready" line, and an edit to "reloaded".
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface StartTimes {
  /** Process start to the "ready" line, ms. */
  readonly readyMs: number;
  /** What the start line itself says of its phases (absent before it said any). */
  readonly phases?: string;
  /** Touching the reference app's file to "reloaded in N ms", as the gateway measured it. */
  readonly reloadMs?: number;
  /** "ready" to DynamoDB Local's class-data archive in place (built in the background), ms. */
  readonly archiveMs?: number;
  /** With `afterInstall`, what the project's postinstall prepared (its --report line) and how long it took, ms. */
  readonly install?: { readonly ms: number; readonly report: string };
}

/** The project's install-time preparation of the first start (absent in checkouts before it). */
const POSTINSTALL = join('scripts', 'postinstall.js');

/**
 * One `appapi dev` in `projectRoot` with the given data folder, which holds its declarations cache
 * too (APPAPI_CACHE_DIR). A fresh clone is a new data folder (so an empty declarations cache, as a
 * clone has no node_modules/.cache yet) and a new TMPDIR (no tsx transform cache, no bundle cache,
 * no staged assets). `afterInstall` then runs, untimed, what `npm install` runs after installing
 * the packages (the project's postinstall, when it has one) with the same cache folder and TMPDIR,
 * as a clone's `npm install` would have: a fresh clone's first start is the one after it.
 */
export async function timeStart(projectRoot: string, home: string, options: { freshTmp?: boolean; afterInstall?: boolean; reload?: boolean; awaitArchive?: boolean } = {}): Promise<StartTimes> {
  const tmp = options.freshTmp ? mkdtempSync(join(tmpdir(), 'appapi-fresh-')) : undefined;
  // the declarations cache lives with the data folder: a fresh clone's is empty, its warm restart finds what the first start stored
  const env = { ...process.env, APPAPI_HOME: home, APPAPI_CACHE_DIR: join(home, 'declarations-cache'), ...(tmp ? { TMPDIR: tmp } : {}), AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' };
  let install: StartTimes['install'];
  if (options.afterInstall && existsSync(join(projectRoot, POSTINSTALL))) {
    const installStarted = performance.now();
    const prepared = spawnSync(process.execPath, [POSTINSTALL, '--report'], { cwd: projectRoot, env, encoding: 'utf8', timeout: 300_000 });
    install = { ms: performance.now() - installStarted, report: prepared.stdout.trim() || `exit ${prepared.status}: ${prepared.stderr}` };
  }
  const started = performance.now();
  const child = spawn(process.execPath, [join(projectRoot, 'bin', 'appapi.js'), 'dev', '--port', '0'], {
    cwd: projectRoot,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const edited = join(projectRoot, 'lib', 'apps', 'booking.ts');
  const original = options.reload ? readFileSync(edited, 'utf8') : undefined;
  let output = '';
  const waitFor = (pattern: RegExp, timeoutMs: number) =>
    new Promise<RegExpExecArray>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ${pattern} within ${timeoutMs} ms:\n${output}`)), timeoutMs);
      const check = () => {
        const match = pattern.exec(output);
        if (match) {
          clearTimeout(timer);
          child.stdout.off('data', onData);
          resolve(match);
        }
      };
      const onData = (chunk: Buffer) => {
        output += chunk;
        check();
      };
      child.stdout.on('data', onData);
      check();
    });
  child.stderr.on('data', (chunk) => (output += chunk));
  try {
    // the whole line: a signal sent while it is half written reached earlier versions before their handler
    const ready = await waitFor(/ready[^\n]*\n/, 120_000);
    const readyMs = performance.now() - started;
    const phases = /\(declarations [^)]*\)/.exec(ready[0])?.[0];
    let reloadMs: number | undefined;
    if (options.reload) {
      // an edit to the reference app's declarations, as a developer saves it: a change of content
      // (touching it alone changes nothing the declarations cache is keyed on), undone below
      writeFileSync(edited, `${original}// edited at ${Date.now()}\n`);
      reloadMs = Number((await waitFor(/reloaded in (\d+) ms/, 60_000))[1]);
    }
    // a first session that lasts until DynamoDB Local's class-data archive is built (in the
    // background after "ready"), as any session of a minute or two does; a checkout without one waits for nothing
    let archiveMs: number | undefined;
    if (options.awaitArchive && existsSync(join(projectRoot, 'lib', 'local', 'dynamodb-local-class-data.ts'))) {
      const archives = join(home, 'declarations-cache', 'dynamodb-local');
      const readyAt = performance.now();
      for (const deadline = Date.now() + 180_000; Date.now() < deadline; await new Promise((resolve) => setTimeout(resolve, 250))) {
        if (existsSync(archives) && readdirSync(archives).some((name) => name.endsWith('.jsa'))) {
          archiveMs = performance.now() - readyAt;
          break;
        }
      }
    }
    return { readyMs, ...(phases ? { phases } : {}), ...(reloadMs === undefined ? {} : { reloadMs }), ...(archiveMs === undefined ? {} : { archiveMs }), ...(install ? { install } : {}) };
  } finally {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGINT');
    setTimeout(() => child.kill('SIGKILL'), 10_000).unref();
    await exited;
    if (original !== undefined) writeFileSync(edited, original);
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  }
}

/** Whether a folder holds this project (for BENCH_BEFORE, a checkout of an earlier commit). */
export function isProject(root: string): boolean {
  try {
    return (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { name?: string }).name === 'appapi';
  } catch {
    return false;
  }
}
