import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { startDynamoDbLocal } from './dynamodb-local';

/** Where a running local gateway records the DynamoDB Local it started, for the CLI to reuse. */
export function dynamoStatePath(home: string): string {
  return join(home, 'dynamodb.json');
}

export function recordDynamoEndpoint(home: string, endpoint: string): void {
  mkdirSync(home, { recursive: true, mode: 0o700 });
  writeFileSync(dynamoStatePath(home), JSON.stringify({ endpoint, pid: process.pid }), { mode: 0o600 });
}

export function forgetDynamoEndpoint(home: string): void {
  rmSync(dynamoStatePath(home), { force: true });
}

export interface LocalDynamo {
  readonly endpoint: string;
  /** Stops DynamoDB Local when this connection started it; leaves a running gateway's alone. */
  close(): Promise<void>;
}

/**
 * DynamoDB Local with the project's data: the one a running `appapi dev` started when there is
 * one (so commands from a second terminal see the same tables), else a new one on the same data
 * folder for the duration of the command.
 */
export async function connectLocalDynamo(home: string): Promise<LocalDynamo> {
  const state = dynamoStatePath(home);
  if (existsSync(state)) {
    const { endpoint } = JSON.parse(readFileSync(state, 'utf8')) as { endpoint: string };
    if (await answers(endpoint)) return { endpoint, close: async () => {} };
  }
  const dataPath = join(home, 'dynamodb');
  mkdirSync(dataPath, { recursive: true, mode: 0o700 });
  const started = await startDynamoDbLocal({ dataPath });
  return { endpoint: started.endpoint, close: () => started.stop() };
}

async function answers(endpoint: string): Promise<boolean> {
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
