import {
  CreateTableCommand,
  DescribeTableCommand,
  ListTablesCommand,
  ResourceInUseException,
  UpdateTableCommand,
  type AttributeDefinition,
  type CreateTableCommandInput,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import type { EnvironmentManifest, FieldType } from '../../lambdas/shared/manifest';
import { KEY_ATTRIBUTE_TYPES } from '../constructs/fields';

/**
 * The tables of an environment as the stack creates them in AWS (same names, keys and indexes),
 * derived from the manifest so local and AWS cannot drift apart.
 */
export function tableDefinitions(manifest: EnvironmentManifest): CreateTableCommandInput[] {
  const definitions: CreateTableCommandInput[] = [
    {
      TableName: manifest.tables.journeys,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'sk', AttributeType: 'S' },
      ],
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
    },
    {
      TableName: manifest.tables.idempotency,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [{ AttributeName: 'key', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'key', KeyType: 'HASH' }],
    },
    {
      TableName: manifest.tables.apiKeys,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [{ AttributeName: 'keyId', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'keyId', KeyType: 'HASH' }],
    },
  ];
  for (const model of Object.values(manifest.models)) {
    const attributes = new Map<string, AttributeDefinition>([['id', { AttributeName: 'id', AttributeType: 'S' }]]);
    const attributeOf = (field: string): string => {
      const type = KEY_ATTRIBUTE_TYPES[model.fields[field]?.type as FieldType] ?? 'S';
      attributes.set(field, { AttributeName: field, AttributeType: type });
      return field;
    };
    const indexes = Object.entries(model.indexes).map(([IndexName, index]) => ({
      IndexName,
      KeySchema: [
        { AttributeName: attributeOf(index.partitionKey), KeyType: 'HASH' as const },
        ...(index.sortKey ? [{ AttributeName: attributeOf(index.sortKey), KeyType: 'RANGE' as const }] : []),
      ],
      Projection: { ProjectionType: 'ALL' as const },
    }));
    definitions.push({
      TableName: model.table,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [...attributes.values()],
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      ...(indexes.length ? { GlobalSecondaryIndexes: indexes } : {}),
    });
  }
  return definitions;
}

/**
 * Creates the environment's missing tables and adds indexes declared since they were created.
 * Existing data is never touched; an index removed from a declaration is left in place. The
 * tables are listed once; only existing tables with declared indexes are described, and all of it
 * runs side by side (DynamoDB Local creates tables synchronously, so nothing waits for a table to be
 * ACTIVE; an added index is waited for, since it is backfilled in the background).
 */
export async function ensureTables(client: DynamoDBClient, manifest: EnvironmentManifest): Promise<{ created: string[]; indexesAdded: string[] }> {
  const definitions = tableDefinitions(manifest);
  const existing = await tableNames(client);
  const created: string[] = [];
  const indexesAdded: string[] = [];
  await Promise.all(
    definitions.map(async (definition) => {
      const name = definition.TableName!;
      if (!existing.has(name)) {
        try {
          await client.send(new CreateTableCommand(definition));
          created.push(name);
        } catch (error) {
          // another process (a second terminal's command) created it since the listing
          if (!(error instanceof ResourceInUseException)) throw error;
        }
        return;
      }
      if (!definition.GlobalSecondaryIndexes?.length) return;
      const table = (await client.send(new DescribeTableCommand({ TableName: name }))).Table;
      const present = new Set((table?.GlobalSecondaryIndexes ?? []).map((index) => index.IndexName));
      for (const index of definition.GlobalSecondaryIndexes) {
        if (present.has(index.IndexName)) continue;
        await client.send(
          new UpdateTableCommand({
            TableName: name,
            AttributeDefinitions: definition.AttributeDefinitions,
            GlobalSecondaryIndexUpdates: [{ Create: { IndexName: index.IndexName, KeySchema: index.KeySchema, Projection: index.Projection } }],
          }),
        );
        indexesAdded.push(`${name}/${index.IndexName}`);
      }
      if (indexesAdded.some((added) => added.startsWith(`${name}/`))) await untilIndexesActive(client, name);
    }),
  );
  // in declaration order, whatever order the calls finished in
  const order = definitions.map((definition) => definition.TableName!);
  created.sort((a, b) => order.indexOf(a) - order.indexOf(b));
  return { created, indexesAdded };
}

const INDEX_BACKFILL_TIMEOUT_MS = 30_000;

/**
 * A new index is CREATING while DynamoDB backfills it, and a query on it is refused until it is
 * ACTIVE; the gateway serves the routes that query it right after this, so it waits (DynamoDB
 * Local backfills a local table in well under a second).
 * @see https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/GSI.OnlineOps.html
 */
async function untilIndexesActive(client: DynamoDBClient, table: string): Promise<void> {
  const deadline = Date.now() + INDEX_BACKFILL_TIMEOUT_MS;
  for (;;) {
    const indexes = (await client.send(new DescribeTableCommand({ TableName: table }))).Table?.GlobalSecondaryIndexes ?? [];
    if (indexes.every((index) => index.IndexStatus === 'ACTIVE')) return;
    if (Date.now() > deadline) throw new Error(`Table ${table}: its new indexes were not ACTIVE within ${INDEX_BACKFILL_TIMEOUT_MS / 1000} s (${indexes.map((index) => `${index.IndexName} ${index.IndexStatus}`).join(', ')}).`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function tableNames(client: DynamoDBClient): Promise<Set<string>> {
  const names = new Set<string>();
  let start: string | undefined;
  do {
    const page = await client.send(new ListTablesCommand({ ...(start ? { ExclusiveStartTableName: start } : {}) }));
    (page.TableNames ?? []).forEach((name) => names.add(name));
    start = page.LastEvaluatedTableName;
  } while (start);
  return names;
}
