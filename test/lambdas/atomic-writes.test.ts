// Shares a process: dynamo (its tables have the file's own prefix on the run's DynamoDB Local; it keeps no other state; see scripts/run-tests.ts)
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { AirDataModel, ApiApp, ApiAuth, AppApi, field, op, type AppDeclaration } from '../../lib';
import { createHandler } from '../../lambdas/runtime/create-handler';
import { createDocumentClient } from '../../lambdas/runtime/dynamodb';
import { freePort } from '../../lib/local/dynamodb-local';
import { tablesOf } from '../support/dynamo';
import { RuntimeHarness } from '../support/runtime';

const tables = tablesOf(__filename);

let hookUrl = '';
let onHook: () => Promise<void> = async () => {};

const orders: AppDeclaration = (environment) => {
  const app = new ApiApp(environment, 'Orders', { httpHosts: ['127.0.0.1'] });
  const customers = new AirDataModel(app, 'Customers', { fields: { name: field.text(), email: field.email({ unique: true }) } });
  const badges = new AirDataModel(app, 'Badges', { fields: { code: field.text({ unique: true }) } });
  const notes = new AirDataModel(app, 'Notes', { fields: { text: field.text() } });
  const post = (id: string, path: string, chain: Parameters<typeof op.when>[1]) => new AppApi(app, id, { method: 'POST', path, auth: ApiAuth.keyGroups('partners'), chain });
  post('CreateCustomer', '/customers', [op.airdata.insert(customers, { record: '{% $body %}', as: 'customer' }), op.respond({ status: 201, body: '{% $customer %}' })]);
  post('CreateNote', '/notes', [op.airdata.insert(notes, { record: '{% $body %}', as: 'note' }), op.respond({ status: 201, body: '{% $note %}' })]);
  post('InsertThenFail', '/fail', [
    op.airdata.insert(customers, { record: '{% $body %}', as: 'customer' }),
    op.journey.start({ as: 'journey' }),
    op.transform('{% $error("injected failure after two writes") %}', { as: 'never' }),
    op.respond({ status: 201 }),
  ]);
  post('CustomerWithBadge', '/badged', [
    op.airdata.insert(customers, { record: '{% $body.customer %}', as: 'customer' }),
    op.airdata.insert(badges, { record: '{% $body.badge %}', as: 'badge' }),
    // the test's hook server claims the badge code here, between the checks and the commit
    op.http({ method: 'POST', url: `{% $body.hook %}`, as: 'hook' }),
    op.respond({ status: 201, body: '{% $customer %}' }),
  ]);
};

describe('atomic writes and Idempotency-Key on DynamoDB Local', () => {
  let harness: RuntimeHarness;
  let hooks: Server;
  before(async () => {
    hooks = createServer((request, response) => {
      request.resume();
      void onHook().then(() => response.end('{}'));
    });
    await new Promise<void>((resolve) => hooks.listen(0, '127.0.0.1', resolve));
    hookUrl = `http://127.0.0.1:${(hooks.address() as AddressInfo).port}/hook`;
    harness = await RuntimeHarness.start([orders], { tables });
  });
  after(async () => {
    hooks?.close();
    await harness?.stop();
  });

  const count = async (table: string) => (await harness.items(tables.tableName(table))).length;

  it('failure injection: a chain failing after two writes leaves nothing behind', async () => {
    const before = { customers: await count('customers'), journeys: await count('journeys') };
    const answer = await harness.call('InsertThenFail', { keyId: 'k1', body: { name: 'Ann', email: 'ann@example.com' } });
    assert.equal(answer.status, 400);
    assert.equal(answer.body.code, 'expression_failed');
    assert.deepEqual({ customers: await count('customers'), journeys: await count('journeys') }, before);
    // the email was never claimed
    assert.equal((await harness.call('CreateCustomer', { keyId: 'k1', body: { name: 'Ann', email: 'ann@example.com' } })).status, 201);
  });

  it('failure injection: when the transaction itself is refused at commit, no write of the request lands', async () => {
    onHook = async () => {
      await harness.documents.send(new PutCommand({ TableName: tables.tableName('badges'), Item: { id: '#unique#code#GOLD', recordId: 'someone-else' } }));
    };
    const customersBefore = await count('customers');
    const answer = await harness.call('CustomerWithBadge', { keyId: 'k1', body: { customer: { name: 'Bob', email: 'bob@example.com' }, badge: { code: 'GOLD' }, hook: hookUrl } });
    onHook = async () => {};
    assert.equal(answer.status, 409, JSON.stringify(answer.body));
    assert.equal(answer.body.code, 'unique_conflict');
    assert.equal(answer.body.field, 'code');
    assert.equal(await count('customers'), customersBefore);
    assert.deepEqual((await harness.items(tables.tableName('badges'))).map((item) => item.id), ['#unique#code#GOLD']);
  });

  it('error flow: DynamoDB unreachable at commit answers 503 with Retry-After, quickly', { timeout: 20_000 }, async () => {
    const nowhere = createDocumentClient(`http://127.0.0.1:${await freePort()}`);
    const started = Date.now();
    const result = await createHandler(harness.manifest, 'CreateNote', nowhere)({
      httpMethod: 'POST',
      path: '/notes',
      headers: { 'Content-Type': 'application/json' },
      body: '{"text":"lost?"}',
      requestContext: { requestId: 'dead-1', authorizer: { principalId: 'k1', groups: 'partners' } },
    });
    nowhere.destroy();
    assert.equal(result.statusCode, 503);
    assert.equal(result.headers['Retry-After'], '1');
    assert.equal(JSON.parse(result.body).code, 'storage_unavailable');
    assert.ok(Date.now() - started < 9_000, 'within the 10 s Lambda timeout');
  });

  it('Idempotency-Key: a retry with the same key and body gets the first answer and writes nothing', async () => {
    const request = { keyId: 'k1', headers: { 'Idempotency-Key': 'order-0001' }, body: { text: 'hello' } };
    const first = await harness.call('CreateNote', request);
    assert.equal(first.status, 201);
    const notes = await count('notes');
    const retry = await harness.call('CreateNote', request);
    assert.equal(retry.status, 201);
    assert.deepEqual(retry.body, first.body);
    assert.equal(retry.headers['Idempotent-Replayed'], 'true');
    assert.equal(await count('notes'), notes);
  });

  it('Idempotency-Key: the same key with another body is 422; keys are scoped per route and per API key', async () => {
    await harness.call('CreateNote', { keyId: 'k1', headers: { 'Idempotency-Key': 'order-0002' }, body: { text: 'one' } });
    const reused = await harness.call('CreateNote', { keyId: 'k1', headers: { 'Idempotency-Key': 'order-0002' }, body: { text: 'two' } });
    assert.equal(reused.status, 422);
    assert.equal(reused.body.code, 'idempotency_key_reused');
    const otherCaller = await harness.call('CreateNote', { keyId: 'k2', headers: { 'Idempotency-Key': 'order-0002' }, body: { text: 'two' } });
    assert.equal(otherCaller.status, 201);
    assert.equal(otherCaller.headers['Idempotent-Replayed'], undefined);
    const otherRoute = await harness.call('CreateCustomer', { keyId: 'k1', headers: { 'Idempotency-Key': 'order-0002' }, body: { name: 'Cy', email: 'cy@example.com' } });
    assert.equal(otherRoute.status, 201);
  });

  it('Idempotency-Key: malformed keys are 400', async () => {
    for (const key of ['x'.repeat(256), 'has space', 'tab\there']) {
      const answer = await harness.call('CreateNote', { keyId: 'k1', headers: { 'Idempotency-Key': key }, body: { text: 'x' } });
      assert.equal(answer.status, 400, key);
      assert.equal(answer.body.code, 'invalid_idempotency_key');
    }
  });

  it('concurrency: 10 simultaneous requests with one key write once and all answer the first answer', async () => {
    for (const [route, body] of [
      ['CreateNote', { text: 'race' }],
      ['CreateCustomer', { name: 'Dee', email: 'dee@example.com' }],
    ] as const) {
      const table = route === 'CreateNote' ? 'notes' : 'customers';
      const before = await count(table);
      const answers = await Promise.all(Array.from({ length: 10 }, () => harness.call(route, { keyId: 'k1', headers: { 'Idempotency-Key': `race-${route}` }, body })));
      assert.deepEqual(answers.map((a) => a.status), Array(10).fill(201), JSON.stringify(answers.map((a) => a.body)));
      assert.equal(new Set(answers.map((a) => a.body.id)).size, 1, route);
      const emailMarker = table === 'customers' ? 1 : 0;
      assert.equal((await count(table)) - before, 1 + emailMarker, `${route}: one record (and its email marker)`);
    }
  });
});
