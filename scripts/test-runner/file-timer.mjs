// Preloaded into each test file's process by scripts/run-tests.ts: appends how long the file's
// process lived (tsx loading, module top level, hooks and tests) and the CPU it used, with the
// child processes it waited for (CLI commands), to APPAPI_TEST_TIMINGS.
import { appendFileSync, readFileSync } from 'node:fs';
import { relative } from 'node:path';

const timings = process.env.APPAPI_TEST_TIMINGS;
const file = process.argv[1];

/** CPU milliseconds of this process and its waited-for children, from /proc (Linux); else of this process only. */
function cpuMs() {
  try {
    // fields 14-17 of /proc/self/stat: utime, stime, cutime, cstime, in clock ticks (100 per second on Linux)
    const stat = readFileSync('/proc/self/stat', 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields.slice(11, 15).reduce((sum, ticks) => sum + Number(ticks), 0) * 10;
  } catch {
    const usage = process.cpuUsage();
    return Math.round((usage.user + usage.system) / 1000);
  }
}

// NODE_TEST_CONTEXT marks the processes node's test runner starts, one per file
if (timings && file && process.env.NODE_TEST_CONTEXT?.startsWith('child')) {
  process.on('exit', () => appendFileSync(timings, `${JSON.stringify({ file: relative(process.cwd(), file), ms: Math.round(performance.now()), cpuMs: cpuMs() })}\n`));
}
