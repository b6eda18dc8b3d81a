// Runs the test files with node's built-in runner (through tsx), several at a time, on one
// DynamoDB Local shared by every file (each file keeps to tables of its own prefix), then prints
// the ten slowest files and a closing line with the totals. A file that measures time under the
// CPU it gets says so with a line `// Runs alone: <why>`, and runs after the others, by itself.
//
//   npm test                          every test/**/*.test.ts except the slow tier
//   npm run test:slow                 the slow tier: test/**/*.slow.test.ts, one file at a time
//   npm test -- --test-name-pattern=nag   extra arguments go to node's runner
//   npm test -- test/cli/keys.test.ts     only these files
//
// APPAPI_TEST_CONCURRENCY sets how many files run at a time; APPAPI_TEST_TIMINGS_OUT=<file> keeps
// every file's wall and CPU time there (JSON lines), not only the ten slowest.
//
// Node 20's --test takes no globs and has no global setup, hence this script.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { JavaMissingError, startDynamoDbLocal } from '../lib/local/dynamodb-local';
import { DYNAMODB_ENDPOINT_VARIABLE } from '../test/support/endpoint';

const SLOW = /\.slow\.test\.ts$/;
const RUNS_ALONE = /^\/\/ Runs alone: /m;
const SHARES_PROCESS = /^\/\/ Shares a process: ([a-z-]+)/m;

function findTests(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) return findTests(path);
    return entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

const slowTier = process.argv.includes('--slow');
const args = process.argv.slice(2).filter((arg) => arg !== '--slow');
const named = args.filter((arg) => arg.endsWith('.ts'));
const files = named.length ? named : findTests('test').filter((file) => SLOW.test(file) === slowTier).sort();
// Files run side by side unless they measure time under load (the slow tier): they share no port
// (each listens on port 0) and no table (each has its own prefix).
const concurrency = slowTier ? 1 : Number(process.env.APPAPI_TEST_CONCURRENCY ?? Math.max(2, availableParallelism() * 2));

const work = mkdtempSync(join(tmpdir(), 'appapi-test-run-'));
const timingsFile = join(work, 'timings.jsonl');

interface PhaseOutcome {
  readonly status: number;
  /** The runner's closing counts (tests, pass, fail, …); absent when it did not finish its report. */
  readonly totals?: Record<string, number>;
}

let phaseCount = 0;

/** One `node --test` over some files. */
async function runPhase(phaseFiles: readonly string[], phaseConcurrency: number, env: NodeJS.ProcessEnv): Promise<PhaseOutcome> {
  phaseCount += 1;
  const totalsFile = join(work, `totals-${phaseCount}.json`);
  const runner = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      '--import',
      pathToFileURL(join(__dirname, 'test-runner', 'file-timer.mjs')).href,
      '--test',
      `--test-concurrency=${phaseConcurrency}`,
      '--test-reporter=spec',
      '--test-reporter-destination=stdout',
      `--test-reporter=${pathToFileURL(join(__dirname, 'test-runner', 'summary-reporter.mjs')).href}`,
      `--test-reporter-destination=${totalsFile}`,
      ...args.filter((arg) => !arg.endsWith('.ts')),
      ...phaseFiles,
    ],
    { stdio: 'inherit', env },
  );
  const stopRunner = () => runner.kill('SIGINT');
  process.once('SIGINT', stopRunner);
  process.once('SIGTERM', stopRunner);
  const status = await new Promise<number>((resolve) => runner.once('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0))));
  process.off('SIGINT', stopRunner);
  process.off('SIGTERM', stopRunner);
  let totals: Record<string, number> | undefined;
  try {
    totals = JSON.parse(readFileSync(totalsFile, 'utf8')) as Record<string, number>;
  } catch {
    // no report: counted as a failed run below
  }
  return { status, ...(totals ? { totals } : {}) };
}

/**
 * For every JVM of the run (the shared DynamoDB Local, and those a test starts itself): the client
 * compiler only and one GC thread. A JVM that lives a few minutes spends more CPU in C2's
 * compilations and parallel GC threads than it wins back: measured on DynamoDB Local, start plus
 * 20 tables and 4,000 requests took 16.6 s of CPU by default and 8.4 s with these (3.4 s instead
 * of 6.5 s to start). Nothing else changes: these options choose how Java runs the same code.
 */
const JVM_OPTIONS = '-XX:TieredStopAtLevel=1 -XX:+UseSerialGC';

async function main(): Promise<number> {
  // set before DynamoDB Local starts, and passed on to the test files (and any JVM they start);
  // options of the caller's own are kept as they are
  process.env.JAVA_TOOL_OPTIONS ??= JVM_OPTIONS;
  let dynamo;
  try {
    dynamo = await startDynamoDbLocal({ readyTimeoutMs: 60_000 });
  } catch (error) {
    if (error instanceof JavaMissingError) {
      console.error(error.message);
      return 1;
    }
    throw error;
  }
  const env = {
    ...process.env,
    [DYNAMODB_ENDPOINT_VARIABLE]: dynamo.endpoint,
    APPAPI_TEST_TIMINGS: timingsFile,
    // the SDK's notice about its future Node 22 minimum, once per process, says nothing about the tests
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  };
  const startedAt = Date.now();
  const alone = files.filter((file) => RUNS_ALONE.test(readFileSync(file, 'utf8')));
  const together = longestFirst(sharingProcesses(files.filter((file) => !alone.includes(file))));
  const phases: PhaseOutcome[] = [];
  try {
    if (together.length) phases.push(await runPhase(together, concurrency, env));
    if (alone.length) phases.push(await runPhase(alone, 1, env));
  } finally {
    await dynamo.stop();
  }
  const seconds = Math.round((Date.now() - startedAt) / 1000);

  printSlowest(seconds, alone.length);
  printCpu(seconds);
  if (!slowTier && named.length === 0) {
    const slowFiles = findTests('test').filter((file) => SLOW.test(file));
    console.log(`\nNot run here: the slow tier (${slowFiles.length} files: load, faults, quickstart, scale). Run it with: npm run test:slow`);
  }
  const sum = (name: string) => phases.reduce((total, phase) => total + (phase.totals?.[name] ?? 0), 0);
  const failed = sum('fail') + sum('cancelled');
  console.log(`\ntests: ${sum('pass')} passed, ${failed} failed, ${sum('skipped') + sum('todo')} skipped`);
  const complete = phases.every((phase) => phase.totals !== undefined);
  return complete && failed === 0 && phases.every((phase) => phase.status === 0) ? 0 : 1;
}

/**
 * How long each process took last time (ms of wall time, by file, or by group for a shared
 * process), kept with the installed packages, so the next run starts the longest first: four at a
 * time on two cores, a long process started last would keep the run waiting alone at the end.
 */
const LAST_DURATIONS = join('node_modules', '.cache', 'appapi-tests', 'durations.json');

/** A process's name across runs: its file, or its group's loader's name (the loader is in a new folder each run). */
function durationKey(file: string): string {
  return groups.has(resolve(file)) ? basename(file) : relative('.', resolve(file));
}

function lastDurations(): Record<string, number> {
  try {
    return JSON.parse(readFileSync(LAST_DURATIONS, 'utf8')) as Record<string, number>;
  } catch {
    return {};
  }
}

/** The processes, longest first by last run; those not seen before first of all (they may be long). */
function longestFirst(processes: readonly string[]): string[] {
  const last = lastDurations();
  const duration = (file: string) => last[durationKey(file)] ?? Number.POSITIVE_INFINITY;
  return [...processes].sort((a, b) => duration(b) - duration(a));
}

function keepDurations(timings: ReadonlyArray<{ file: string; ms: number }>): void {
  const durations = lastDurations();
  for (const { file, ms } of timings) durations[durationKey(file)] = ms;
  try {
    mkdirSync(dirname(LAST_DURATIONS), { recursive: true });
    writeFileSync(LAST_DURATIONS, `${JSON.stringify(durations, null, 1)}\n`);
  } catch {
    // no node_modules to write to: the next run keeps the default order
  }
}

/** The files of each `// Shares a process: <group>` group, by the file that loads them. */
const groups = new Map<string, string[]>();

/**
 * Every test process pays for loading tsx, the SDK, aws-cdk-lib, the constructs and the project's
 * modules (1 to 3 s of CPU), and warms up the same code again; a file marked `// Shares a process:
 * <group>` runs in one process with the others of its group, one after the other, each keeping its
 * own tests, hooks and names. Only files that keep no state outside their tests say so: their
 * DynamoDB tables have the file's own prefix (`tablesOf(__filename)`), their servers listen on
 * port 0 and are closed by their hooks, environment variables and mocks are restored when their
 * tests end. The longest processes of the last run start first (`longestFirst`).
 */
function sharingProcesses(phaseFiles: readonly string[]): string[] {
  const byGroup = new Map<string, string[]>();
  for (const file of phaseFiles) {
    const group = SHARES_PROCESS.exec(readFileSync(file, 'utf8'))?.[1];
    if (group) byGroup.set(group, [...(byGroup.get(group) ?? []), file]);
  }
  const loaders: string[] = [];
  for (const [group, members] of byGroup) {
    if (members.length < 2) continue;
    const loader = join(work, `${group}.group.test.ts`);
    writeFileSync(loader, `// written by scripts/run-tests.ts: the files of group "${group}", in one process\n${members.map((file) => `import ${JSON.stringify(resolve(file))};\n`).join('')}`);
    groups.set(loader, members);
    loaders.push(loader);
  }
  const grouped = new Set([...groups.values()].flat());
  return [...loaders, ...phaseFiles.filter((file) => !grouped.has(file))];
}

function printSlowest(seconds: number, aloneCount: number): void {
  let lines: string[] = [];
  try {
    lines = readFileSync(timingsFile, 'utf8').trim().split('\n').filter(Boolean);
  } catch {
    return;
  }
  const timings = lines.map((line) => JSON.parse(line) as { file: string; ms: number; cpuMs?: number }).sort((a, b) => b.ms - a.ms);
  const together = files.length - aloneCount;
  console.log(`\n${files.length} files in ${seconds} s (${together} up to ${concurrency} at a time${aloneCount ? `, then ${aloneCount} alone` : ''}). Slowest (wall time, CPU time of the file and its child processes):`);
  // a run of some files only may have some of a group's files: only whole runs say how long each takes
  if (named.length === 0 && !slowTier) keepDurations(timings);
  if (process.env.APPAPI_TEST_TIMINGS_OUT) writeFileSync(process.env.APPAPI_TEST_TIMINGS_OUT, `${timings.map((t) => JSON.stringify(t)).join('\n')}\n`);
  for (const { file, ms, cpuMs } of timings.slice(0, 10)) {
    const members = groups.get(resolve(file));
    const name = members ? `${members.length} files in one process: ${members.map((member) => relative('test', member)).join(', ')}` : file;
    console.log(`  ${(ms / 1000).toFixed(1).padStart(6)} s ${cpuMs === undefined ? '' : `${(cpuMs / 1000).toFixed(1).padStart(6)} s CPU`}  ${name}`);
  }
}

/**
 * The CPU the whole run used: this process and every process it waited for (the test files, their
 * CLI commands, DynamoDB Local), from /proc on Linux. Other work on the machine does not count, so
 * this is what the run costs, and the total divided by the cores is the wall time it needs at best.
 */
function printCpu(seconds: number): void {
  let stat: string;
  try {
    stat = readFileSync('/proc/self/stat', 'utf8');
  } catch {
    return; // not Linux: the wall time above is all there is
  }
  // fields 14-17: utime, stime, cutime, cstime, in clock ticks (100 per second on Linux)
  const ticks = stat.slice(stat.lastIndexOf(')') + 2).split(' ').slice(11, 15).reduce((sum, value) => sum + Number(value), 0);
  const cpuSeconds = Math.round(ticks / 100);
  const cores = availableParallelism();
  console.log(`CPU: ${cpuSeconds} s in all (${cores} cores: at least ${Math.round(cpuSeconds / cores)} s of wall time when nothing else runs; it took ${seconds} s, load average ${loadavg()[0]!.toFixed(1)} at the end)`);
}

main()
  .then((code) => {
    rmSync(work, { recursive: true, force: true });
    process.exit(code);
  })
  .catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
