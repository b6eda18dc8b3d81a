import { existsSync, readFileSync } from 'node:fs';

// Processes a local gateway finds by id in its state file: a DynamoDB Local whose gateway died.

/** Whether a process exists (one of another user's counts: signalling it is refused, not unknown). */
export function isRunning(pid: number | undefined): boolean {
  if (pid === undefined) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Whether a process is the DynamoDB Local of this data folder, not another that took its id since:
 * its command line names the folder (where /proc shows it; elsewhere, that it runs).
 */
export function isDynamoDbLocalOn(pid: number, dataPath: string): boolean {
  if (!isRunning(pid)) return false;
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').includes(dataPath);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ENOENT' && !existsSync('/proc/self');
  }
}

/** Gone, or exited and not yet reaped by its new parent (a zombie: /proc shows state Z). */
function hasExited(pid: number): boolean {
  if (!isRunning(pid)) return true;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return false;
  }
}

/** SIGTERM, then SIGKILL if it is still there after the JVM's usual grace. */
export async function stopProcess(pid: number): Promise<void> {
  const gone = async (withinMs: number) => {
    for (const deadline = Date.now() + withinMs; Date.now() < deadline; await new Promise((resolve) => setTimeout(resolve, 50))) if (hasExited(pid)) return true;
    return hasExited(pid);
  };
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return;
  }
  if (await gone(5_000)) return;
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    return;
  }
  await gone(2_000);
}
