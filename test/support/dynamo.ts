import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { after } from 'node:test';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ScanCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createDocumentClient } from '../../lambdas/runtime/dynamodb';
import type { EnvironmentManifest } from '../../lambdas/shared/manifest';
import { startDynamoDbLocal, type DynamoDbLocal } from '../../lib/local/dynamodb-local';
import { dynamoStatePath } from '../../lib/local/local-dynamo';
import { ensureTables } from '../../lib/local/tables';
import { DYNAMODB_ENDPOINT_VARIABLE } from './endpoint';


/** One test file's tables on the shared DynamoDB Local. */
export interface FileTables {
  /** The file's table prefix (`<prefix>-dev-customers`). */
  readonly prefix: string;
  /** Stack props that give an environment this file's tables. */
  readonly isolated: { readonly resourcePrefix: string };
  /** The name of one of the file's tables, e.g. `tableName('customers')` in environment `dev`. */
  tableName(name: string, env?: string): string;
}

/**
 * The tables of the test file at `testFile` (pass `__filename`): a prefix unique per file, so files
 * running side by side on the run's one DynamoDB Local, or one after another in one process
 * (`// Shares a process:`), never see each other's tables. The stacks' default prefix, `appapi`, is
 * left to the tests of the deployed names (`keys --aws`). It is derived from the file's path, not
 * drawn at random: the run's DynamoDB Local (and the one a file run alone starts) is in memory and
 * new, so it is as unique, and a file synthesizes the same templates every run, which keeps their
 * CloudFormation Validate findings cached (cfn-validate-cache.ts).
 */
export function tablesOf(testFile: string): FileTables {
  const prefix = `t${createHash('sha256').update(relative(join(__dirname, '..', '..'), resolve(testFile))).digest('hex').slice(0, 10)}`;
  return {
    prefix,
    isolated: { resourcePrefix: prefix },
    tableName: (name, env = 'dev') => `${prefix}-${env}-${name}`,
  };
}

let own: Promise<DynamoDbLocal> | undefined;

/**
 * The run's DynamoDB Local; for a file run alone (`node --import tsx --test file`), one started
 * for this process on first use and stopped when its tests are done.
 */
export async function sharedDynamoEndpoint(): Promise<string> {
  const given = process.env[DYNAMODB_ENDPOINT_VARIABLE];
  if (given) return given;
  own ??= startDynamoDbLocal();
  return (await own).endpoint;
}

// a root-level hook: runs once, after every test of the file
after(async () => {
  if (own) await (await own).stop();
});

/**
 * Makes `home` look like a data folder whose `appapi dev` is running on the shared DynamoDB Local,
 * so the gateway and CLI commands given that home reuse it, as from a second terminal. A home that
 * already records a DynamoDB Local keeps it.
 */
export async function shareDynamo(home: string, env = 'dev'): Promise<void> {
  const state = dynamoStatePath(home, env);
  if (existsSync(state)) return;
  const endpoint = await sharedDynamoEndpoint();
  mkdirSync(dirname(state), { recursive: true, mode: 0o700 });
  writeFileSync(state, JSON.stringify({ endpoint, pid: process.pid }), { mode: 0o600 });
}

/** Clients on the shared DynamoDB Local, with a manifest's tables created (under this file's prefix). */
export class TestDatabase {
  readonly client: DynamoDBClient;
  readonly documents: DynamoDBDocumentClient;

  private constructor(readonly endpoint: string) {
    // the SDK's default of 3 attempts: DynamoDB Local on a busy machine may drop a connection now and then
    this.client = new DynamoDBClient({ endpoint, region: 'local', credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, maxAttempts: 3 });
    this.documents = createDocumentClient(endpoint);
  }

  static async open(...manifests: EnvironmentManifest[]): Promise<TestDatabase> {
    const database = new TestDatabase(await sharedDynamoEndpoint());
    for (const manifest of manifests) await ensureTables(database.client, manifest);
    return database;
  }

  /** Every item of a table, internal items included, for checking what was (not) written. */
  async items(table: string): Promise<Record<string, any>[]> {
    return scanAll(this.documents, table);
  }

  close(): void {
    this.client.destroy();
    this.documents.destroy();
  }
}

export async function scanAll(documents: DynamoDBDocumentClient, table: string): Promise<Record<string, any>[]> {
  const items: Record<string, any>[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await documents.send(new ScanCommand({ TableName: table, ConsistentRead: true, ...(startKey ? { ExclusiveStartKey: startKey } : {}) }));
    items.push(...(page.Items ?? []));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return items;
}
