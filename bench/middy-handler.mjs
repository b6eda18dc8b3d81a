// The plain alternative for the cold-start comparison: middy + the SDK, one consistent GetItem.
import middy from '@middy/core';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';

const endpoint = process.env.APPAPI_DYNAMODB_ENDPOINT;
const documents = DynamoDBDocumentClient.from(
  new DynamoDBClient(endpoint ? { endpoint, region: 'local', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } } : {}),
);

export const handler = middy(async (event) => {
  const { Item } = await documents.send(new GetCommand({ TableName: process.env.BENCH_TABLE, Key: { id: event.pathParameters.customerId }, ConsistentRead: true }));
  return { statusCode: Item ? 200 : 404, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(Item ?? {}) };
});
