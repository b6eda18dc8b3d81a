import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { runCli } from '../../lib/cli/main';
import type { FileTables } from './dynamo';

const run = promisify(execFile);
const CLI = join(__dirname, '..', '..', 'bin', 'appapi.js');

export interface CliOptions {
  /** The test file's tables (`tablesOf(__filename)`): the commands use its prefix. */
  readonly tables: FileTables;
  /** The data folder (APPAPI_HOME). @default - the caller's environment decides */
  readonly home?: string;
  /** Variables added to (or, as undefined, removed from) this process's environment. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** @default 60_000 */
  readonly timeout?: number;
}

/** The environment a CLI command of this test file runs in: its tables, its data folder. */
function cliEnvironment(options: CliOptions): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, APPAPI_TABLE_PREFIX: options.tables.prefix, ...(options.home ? { APPAPI_HOME: options.home } : {}) };
  for (const [name, value] of Object.entries(options.env ?? {})) {
    if (value === undefined) delete env[name];
    else env[name] = value;
  }
  return env;
}

/**
 * Runs `appapi ARGS` as a user would (bin/appapi.js in a new process). Resolves with its output;
 * rejects on a non-zero exit with an error carrying `code`, `stdout` and `stderr`.
 */
export function appapi(args: readonly string[], options: CliOptions): Promise<{ stdout: string; stderr: string }> {
  return run(process.execPath, [CLI, ...args], { env: cliEnvironment(options), timeout: options.timeout ?? 60_000 });
}

export interface CliOutcome {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs `appapi ARGS` in this process: the same command code as bin/appapi.js, with the same
 * environment variables, without paying for a new Node.js process (about 3 s of CPU each). Tests
 * keep a few commands in a real process to cover bin/ and exit codes; the rest run here.
 */
export async function appapiHere(args: readonly string[], options: CliOptions): Promise<CliOutcome> {
  const variables = { APPAPI_TABLE_PREFIX: options.tables.prefix, ...(options.home ? { APPAPI_HOME: options.home } : {}), ...options.env };
  const saved = Object.fromEntries(Object.keys(variables).map((name) => [name, process.env[name]]));
  const assign = (values: Record<string, string | undefined>) => {
    for (const [name, value] of Object.entries(values)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  };
  const stdout: string[] = [];
  const stderr: string[] = [];
  assign(variables);
  try {
    const code = await runCli(args, { out: (line) => stdout.push(line), err: (line) => stderr.push(line) });
    return { code, stdout: stdout.map((line) => `${line}\n`).join(''), stderr: stderr.map((line) => `${line}\n`).join('') };
  } finally {
    assign(saved);
  }
}

/** `appapi dev ARGS` in its own process, resolved once it printed "ready" (within 60 s). */
export async function startAppapiDev(args: readonly string[], options: CliOptions): Promise<ChildProcess> {
  const child = spawn(process.execPath, [CLI, 'dev', ...args], { env: cliEnvironment(options), stdio: ['ignore', 'pipe', 'pipe'] });
  await new Promise<void>((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`appapi dev not ready within 60 s:\n${output}`));
    }, options.timeout ?? 60_000);
    const collect = (chunk: Buffer) => {
      output += chunk;
      if (/\bready\b/.test(output)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on('data', collect);
    child.stderr!.on('data', collect);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`appapi dev exited ${code}:\n${output}`));
    });
  });
  return child;
}

/** Stops an `appapi dev` process as Ctrl-C does and waits for it to exit. */
export async function stopAppapiDev(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGINT');
  await exited;
}
