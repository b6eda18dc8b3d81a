// Shares a process: dynamo (its tables have the file's own prefix on the run's DynamoDB Local; it keeps no other state; see scripts/run-tests.ts)
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createHandler } from '../../lambdas/runtime/create-handler';
import { createDocumentClient } from '../../lambdas/runtime/dynamodb';
import type { ProxyEvent } from '../../lambdas/runtime/proxy-event';
import { AirDataModel, ApiApp, ApiAuth, AppApi, field, op } from '../../lib';
import { freePort } from '../../lib/local/dynamodb-local';
import { environmentStack } from '../support/cdk';
import { tablesOf, TestDatabase } from '../support/dynamo';

const tables = tablesOf(__filename);

const stack = environmentStack([
  (environment) => {
    const app = new ApiApp(environment, 'Crm');
    const people = new AirDataModel(app, 'People', { fields: { name: field.text() } });
    new AppApi(app, 'GetPerson', {
      method: 'GET',
      path: '/people/{personId}',
      auth: ApiAuth.public(),
      chain: [op.airdata.get(people, { id: '{% $params.personId %}', as: 'person' }), op.respond({ body: '{% $person %}' })],
    });
    new AppApi(app, 'PersonOrNull', {
      method: 'GET',
      path: '/maybe/{personId}',
      auth: ApiAuth.public(),
      chain: [op.airdata.get(people, { id: '{% $params.personId %}', as: 'person', notFound: 'null' }), op.respond({ body: { found: '{% $exists($person) and $person != null %}' } })],
    });
  },
], tables.isolated);

const get = (personId: string): ProxyEvent => ({ httpMethod: 'GET', pathParameters: { personId }, requestContext: { requestId: `r-${personId}` } });

describe('airdata.get on DynamoDB Local', () => {
  let database: TestDatabase;
  let documents: DynamoDBDocumentClient;
  before(async () => {
    database = await TestDatabase.open(stack.manifest);
    documents = database.documents;
    await documents.send(new PutCommand({ TableName: tables.tableName('people'), Item: { id: 'p1', name: 'Ada' } }));
    await documents.send(new PutCommand({ TableName: tables.tableName('people'), Item: { id: '#unique#name#Ada', owner: 'p1' } }));
  });
  after(() => database?.close());

  it('happy flow: returns the record by id', async () => {
    const result = await createHandler(stack.manifest, 'GetPerson', documents)(get('p1'));
    assert.equal(result.statusCode, 200);
    assert.deepEqual(JSON.parse(result.body), { id: 'p1', name: 'Ada' });
  });

  it('error flow: a missing record is 404 problem+json; notFound "null" binds null', async () => {
    const missing = await createHandler(stack.manifest, 'GetPerson', documents)(get('nobody'));
    assert.equal(missing.statusCode, 404);
    assert.equal(JSON.parse(missing.body).code, 'record_not_found');
    const maybe = await createHandler(stack.manifest, 'PersonOrNull', documents)(get('nobody'));
    assert.deepEqual(JSON.parse(maybe.body), { found: false });
  });

  it('error flow: internal marker items are never readable as records', async () => {
    const result = await createHandler(stack.manifest, 'GetPerson', documents)(get('#unique#name#Ada'));
    assert.equal(result.statusCode, 404);
  });

  // the timeout is a hang guard: the client's own timeouts must end the request
  it('error flow: unreachable DynamoDB answers 503 with Retry-After and without internals', { timeout: 15_000 }, async () => {
    const nowhere = createDocumentClient(`http://127.0.0.1:${await freePort()}`);
    const result = await createHandler(stack.manifest, 'GetPerson', nowhere)(get('p1'));
    nowhere.destroy();
    assert.equal(result.statusCode, 503);
    assert.equal(result.headers['Retry-After'], '1');
    const problem = JSON.parse(result.body);
    assert.equal(problem.code, 'storage_unavailable');
    assert.doesNotMatch(problem.detail, /ECONNREFUSED|127\.0\.0\.1/);
  });
});
