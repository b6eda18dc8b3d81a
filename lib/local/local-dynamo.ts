import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startDynamoDbLocal, type StartOptions } from './dynamodb-local';

/** Where a running local gateway records the DynamoDB Local it started, for the CLI to reuse. */
export function dynamoStatePath(home: string, environment: string): string {
  return join(home, environment, 'dynamodb.json');
}

/** Each environment keeps its own DynamoDB Local data, so environments run side by side. */
export function dynamoDataPath(home: string, environment: string): string {
  return join(home, environment, 'dynamodb');
}

export interface LocalDynamo {
  readonly endpoint: string;
  /** Stops DynamoDB Local when this connection started it; leaves a running gateway's alone. */
  close(): Promise<void>;
}

/**
 * DynamoDB Local with an environment's data: the one a running `appapi dev` started when there is
 * one (so commands from a second terminal see the same tables), else a new one on the same data
 * folder, stopped by close(). `record` makes it the one others reuse, until close().
 */
export async function connectLocalDynamo(home: string, environment: string, options: { record?: boolean } & Pick<StartOptions, 'port' | 'quickStart' | 'readyTimeoutMs' | 'onSpawn'> = {}): Promise<LocalDynamo & { readonly owned: boolean }> {
  const state = dynamoStatePath(home, environment);
  if (existsSync(state)) {
    const recorded = readState(state);
    if (recorded && (await answers(recorded.endpoint))) {
      // Its recorder died without stopping it (SIGKILL, a crash): nothing else will ever stop it,
      // so a gateway taking over adopts it, and stops it when it stops.
      const orphan = options.record && recorded.javaPid !== undefined && !isRunning(recorded.pid) && isDynamoDbLocalOn(recorded.javaPid, dynamoDataPath(home, environment));
      if (!orphan) return { endpoint: recorded.endpoint, owned: false, close: async () => {} };
      const javaPid = recorded.javaPid!;
      writeFileSync(state, JSON.stringify({ endpoint: recorded.endpoint, pid: process.pid, javaPid }), { mode: 0o600 });
      return {
        endpoint: recorded.endpoint,
        owned: true,
        close: async () => {
          rmSync(state, { force: true });
          await stopProcess(javaPid);
        },
      };
    }
  }
  const dataPath = dynamoDataPath(home, environment);
  mkdirSync(dataPath, { recursive: true, mode: 0o700 });
  const { record: _record, ...startOptions } = options;
  const started = await startDynamoDbLocal({ dataPath, ...startOptions });
  if (options.record) writeFileSync(state, JSON.stringify({ endpoint: started.endpoint, pid: process.pid, javaPid: started.pid }), { mode: 0o600 });
  return {
    endpoint: started.endpoint,
    owned: true,
    close: async () => {
      if (options.record) rmSync(state, { force: true });
      await started.stop();
    },
  };
}

interface RecordedDynamo {
  readonly endpoint: string;
  /** The process that started it and stops it. */
  readonly pid?: number;
  readonly javaPid?: number;
}

function readState(path: string): RecordedDynamo | undefined {
  try {
    const value = JSON.parse(readFileSync(path, 'utf8')) as Partial<RecordedDynamo>;
    if (typeof value.endpoint !== 'string') return undefined;
    const isPid = (candidate: unknown): candidate is number => Number.isInteger(candidate) && (candidate as number) > 0;
    return { endpoint: value.endpoint, ...(isPid(value.pid) ? { pid: value.pid } : {}), ...(isPid(value.javaPid) ? { javaPid: value.javaPid } : {}) };
  } catch {
    // half-written or edited by hand: as if there were none
    return undefined;
  }
}

/** Whether a process exists (one of another user's counts: signalling it is refused, not unknown). */
function isRunning(pid: number | undefined): boolean {
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
function isDynamoDbLocalOn(pid: number, dataPath: string): boolean {
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
async function stopProcess(pid: number): Promise<void> {
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

async function answers(endpoint: string): Promise<boolean> {
  // loaded here, not at the top: a start with no DynamoDB Local to reuse spawns one before the SDK loads
  const { DynamoDBClient, ListTablesCommand } = require('@aws-sdk/client-dynamodb') as typeof import('@aws-sdk/client-dynamodb');
  const client = new DynamoDBClient({ endpoint, region: 'local', credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, maxAttempts: 1, requestHandler: { connectionTimeout: 500, requestTimeout: 1_000 } });
  try {
    await client.send(new ListTablesCommand({ Limit: 1 }));
    return true;
  } catch {
    return false;
  } finally {
    client.destroy();
  }
}
