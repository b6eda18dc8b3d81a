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
    const { endpoint } = JSON.parse(readFileSync(state, 'utf8')) as { endpoint: string };
    if (await answers(endpoint)) return { endpoint, owned: false, close: async () => {} };
  }
  const dataPath = dynamoDataPath(home, environment);
  mkdirSync(dataPath, { recursive: true, mode: 0o700 });
  const { record: _record, ...startOptions } = options;
  const started = await startDynamoDbLocal({ dataPath, ...startOptions });
  if (options.record) writeFileSync(state, JSON.stringify({ endpoint: started.endpoint, pid: process.pid }), { mode: 0o600 });
  return {
    endpoint: started.endpoint,
    owned: true,
    close: async () => {
      if (options.record) rmSync(state, { force: true });
      await started.stop();
    },
  };
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
