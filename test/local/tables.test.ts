// Shares a process: dynamo (its tables have the file's own prefix on the run's DynamoDB Local; it keeps no other state; see scripts/run-tests.ts)
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DescribeTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { Template } from 'aws-cdk-lib/assertions';
import { AirDataModel, ApiApp, field, type AppDeclaration } from '../../lib';
import { declareBooking } from '../../lib/apps/booking';
import { ensureTables } from '../../lib/local/tables';
import { environmentStack, newApp } from '../support/cdk';
import { tablesOf, TestDatabase } from '../support/dynamo';

const tables = tablesOf(__filename);

const notes =
  (indexes: Record<string, { partitionKey: string }>): AppDeclaration =>
  (environment) =>
    void new AirDataModel(new ApiApp(environment, 'Notes'), 'Notes', { fields: { title: field.text(), author: field.email() }, indexes });

describe('local tables on DynamoDB Local', () => {
  let database: TestDatabase;
  let client: DynamoDBClient;
  before(async () => {
    database = await TestDatabase.open();
    client = database.client;
  });
  after(() => database?.close());

  it('creates exactly the tables the stack declares, with the same keys and indexes', async () => {
    const stack = environmentStack([declareBooking], tables.isolated);
    const result = await ensureTables(client, stack.manifest);
    assert.deepEqual(result.created.sort(), ['api-keys', 'customers', 'idempotency', 'journeys'].map((name) => tables.tableName(name)));
    const declared = Template.fromStack(stack).findResources('AWS::DynamoDB::Table');
    for (const table of Object.values(declared)) {
      const properties = table.Properties as { TableName: string; KeySchema: unknown; GlobalSecondaryIndexes?: Array<{ IndexName: string; KeySchema: unknown }> };
      const local = (await client.send(new DescribeTableCommand({ TableName: properties.TableName }))).Table!;
      assert.deepEqual(local.KeySchema, properties.KeySchema, `${properties.TableName} key schema`);
      assert.deepEqual(
        (local.GlobalSecondaryIndexes ?? []).map((index) => ({ IndexName: index.IndexName, KeySchema: index.KeySchema })),
        (properties.GlobalSecondaryIndexes ?? []).map((index) => ({ IndexName: index.IndexName, KeySchema: index.KeySchema })),
        `${properties.TableName} indexes`,
      );
    }
  });

  it('is idempotent, and adds an index declared later without touching the table', async () => {
    const first = environmentStack([notes({})], tables.isolated, newApp());
    assert.deepEqual((await ensureTables(client, first.manifest)).created.includes(tables.tableName('notes')), true);
    const again = await ensureTables(client, first.manifest);
    assert.deepEqual(again, { created: [], indexesAdded: [] });
    const later = environmentStack([notes({ byAuthor: { partitionKey: 'author' } })], tables.isolated, newApp());
    assert.deepEqual(await ensureTables(client, later.manifest), { created: [], indexesAdded: [`${tables.tableName('notes')}/byAuthor`] });
  });
});
