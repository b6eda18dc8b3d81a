import { fork, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';

/** A bench server in its own process; resolves once it says it is ready. */
export function startServer(script: string, env: Record<string, string>): Promise<ChildProcess> {
  // a path of its own (BENCH_BEFORE's server) runs from its checkout
  const child = fork(isAbsolute(script) ? script : join(__dirname, script), [], { ...(isAbsolute(script) ? { cwd: join(script, '..', '..') } : {}), env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', ...env }, execArgv: ['--import', 'tsx'], stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${script} did not start`)), 60_000);
    child.on('message', (message) => {
      if (message === 'ready') {
        clearTimeout(timer);
        resolve(child);
      }
    });
    child.once('exit', (code) => reject(new Error(`${script} exited ${code}`)));
  });
}

export async function stopServer(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  setTimeout(() => child.kill('SIGKILL'), 5_000).unref();
  await exited;
}

export interface LoadResult {
  readonly rps: number;
  /** Requests answered in the run. */
  readonly total: number;
  readonly p50: number;
  readonly p99: number;
  readonly mean: number;
  readonly statuses: Record<string, number>;
}

/** autocannon in a separate process, so the load generator does not share the server's event loop. */
export function load(url: string, method: string, body: string | undefined, token: string | undefined, seconds: number, connections: number): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(__dirname, 'load.ts'), url, method, body ?? '-', token ?? '-', String(seconds), String(connections)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.once('exit', (code) => (code === 0 ? resolve(JSON.parse(output) as LoadResult) : reject(new Error(`load exited ${code}`))));
  });
}

/** CPU time (user + system) a process has used so far, in µs (Linux /proc; clock ticks of 10 ms). */
export function cpuMicros(pid: number): number {
  // the command name may hold spaces and parentheses: the fields start after the last ')'
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10_000;
}

/** Peak and current resident memory of a process, in bytes (Linux /proc). */
export function memory(pid: number): { peak: number; current: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const field = (name: string) => Number(new RegExp(`${name}:\\s+(\\d+) kB`).exec(status)?.[1] ?? 0) * 1024;
  return { peak: field('VmHWM'), current: field('VmRSS') };
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}
