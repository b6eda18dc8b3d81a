import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { startDynamoDbLocal, type StartOptions } from './dynamodb-local';
import { isDynamoDbLocalOn, isRunning, stopProcess } from './local-processes';
import { writeWhole } from '../write-whole';

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
      writeState(state, { endpoint: recorded.endpoint, pid: process.pid, javaPid });
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
  if (options.record) writeState(state, { endpoint: started.endpoint, pid: process.pid, ...(started.pid === undefined ? {} : { javaPid: started.pid }) });
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

/** Written whole: a second terminal reading it never sees half of it. */
function writeState(path: string, recorded: RecordedDynamo): void {
  writeWhole(path, JSON.stringify(recorded), { mode: 0o600 });
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
