// Shares a process: dynamo (its tables have the file's own prefix on the run's DynamoDB Local; it keeps no other state; see scripts/run-tests.ts)
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { DescribeTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { AirDataModel, ApiApp, field, type AppDeclaration } from '../../lib';
import { createDocumentClient } from '../../lambdas/runtime/dynamodb';
import { ensureTables } from '../../lib/local/tables';
import { environmentStack } from '../support/cdk';
import { sharedDynamoEndpoint, tablesOf } from '../support/dynamo';

const tables = tablesOf(__filename);

const orders =
  (indexes: Record<string, { partitionKey: string }>): AppDeclaration =>
  (environment) =>
    void new AirDataModel(new ApiApp(environment, 'Shop'), 'Orders', { fields: { customer: field.text(), status: field.text() }, indexes });

describe('a new index on DynamoDB Local', () => {
  // the run's DynamoDB Local, with this file's tables (tables.isolated): the index is added to a table of its own
  let endpoint: string;
  before(async () => {
    endpoint = await sharedDynamoEndpoint();
  });

  it('finds the records stored before it was added: no backfill needed', async () => {
    const documents = createDocumentClient(endpoint);
    try {
      const before = environmentStack([orders({})], tables.isolated).manifest;
      await ensureTables(documents, before);
      const table = before.models.Orders!.table;
      for (let index = 0; index < 12; index++) {
        await documents.send(new PutCommand({ TableName: table, Item: { id: `o${index}`, customer: `c${index % 3}`, status: 'open' } }));
      }
      const afterDeploy = environmentStack([orders({ byCustomer: { partitionKey: 'customer' } })], tables.isolated).manifest;
      assert.deepEqual((await ensureTables(documents, afterDeploy)).indexesAdded, [`${table}/byCustomer`]);
      // DynamoDB fills a new index in the background (IndexStatus CREATING, then ACTIVE); ensureTables
      // returns once it is ACTIVE, because the gateway serves the routes that query it right after
      const { Table } = await (documents as unknown as DynamoDBClient).send(new DescribeTableCommand({ TableName: table }));
      assert.equal(Table?.GlobalSecondaryIndexes?.find((index) => index.IndexName === 'byCustomer')?.IndexStatus, 'ACTIVE');
      const { Items } = await documents.send(new QueryCommand({ TableName: table, IndexName: 'byCustomer', KeyConditionExpression: '#customer = :customer', ExpressionAttributeNames: { '#customer': 'customer' }, ExpressionAttributeValues: { ':customer': 'c1' } }));
      assert.deepEqual(Items?.map((item) => item.id).sort(), ['o1', 'o10', 'o4', 'o7']);
    } finally {
      documents.destroy();
    }
  });
});
