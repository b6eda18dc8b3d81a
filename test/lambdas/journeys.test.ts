// Shares a process: dynamo (its tables have the file's own prefix on the run's DynamoDB Local; it keeps no other state; see scripts/run-tests.ts)
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ApiApp, ApiAuth, AppApi, op, type AppDeclaration } from '../../lib';
import { tablesOf } from '../support/dynamo';
import { RuntimeHarness } from '../support/runtime';

const tables = tablesOf(__filename);

const visits: AppDeclaration = (environment) => {
  for (const appName of ['visits', 'other']) {
    const app = new ApiApp(environment, appName === 'visits' ? 'Visits' : 'Other', { appName });
    const prefix = appName === 'visits' ? '' : '/other';
    const route = (id: string, method: 'GET' | 'POST', path: string, chain: Parameters<typeof op.when>[1]) =>
      new AppApi(app, `${appName === 'visits' ? '' : 'Other'}${id}`, { method, path: `${prefix}${path}`, auth: ApiAuth.public(), chain });
    for (const onConflict of ['reject', 'resume', 'replace'] as const) {
      route(`Start${onConflict}`, 'POST', `/start/${onConflict}`, [
        op.journey.start({ identifier: '{% $body.identifier %}', onConflict, step: 'started', data: '{% $body.data %}', as: 'journey' }),
        op.respond({ status: 201, body: '{% $journey %}' }),
      ]);
    }
    route('Get', 'GET', '/journeys/{id}', [op.journey.get({ id: '{% $params.id %}', events: true, as: 'journey' }), op.respond({ body: '{% $journey %}' })]);
    route('Update', 'POST', '/journeys/{id}/events', [
      op.journey.update({ id: '{% $params.id %}', data: '{% $body.data %}', step: '{% $body.step %}', event: { type: '{% $body.type %}', data: '{% $body.data %}' }, as: 'journey' }),
      op.respond({ body: '{% $journey %}' }),
    ]);
    route('End', 'POST', '/journeys/{id}/end', [op.journey.end({ id: '{% $params.id %}', status: 'completed', as: 'journey' }), op.respond({ body: '{% $journey %}' })]);
  }
};

const table = tables.tableName('journeys');

describe('journeys on DynamoDB Local', () => {
  let harness: RuntimeHarness;
  before(async () => {
    harness = await RuntimeHarness.start([visits], { tables });
  });
  after(() => harness?.stop());

  it('happy flow: start, update (merge data, step, event), end; get shows status, data and every event', async () => {
    const started = await harness.call('Startreject', { body: { data: { a: 1, keep: true } } });
    assert.equal(started.status, 201);
    const id = started.body.id;
    assert.equal(started.body.status, 'active');
    assert.equal(started.body.step, 'started');
    assert.equal(started.body.identifier, null);
    assert.ok(Date.parse(started.body.expiresAt) - Date.now() > 29.9 * 86_400_000, 'expires in 30 days by default');
    const updated = await harness.call('Update', { params: { id }, body: { type: 'picked', step: 'picking', data: { a: 2, b: 'x' } } });
    assert.equal(updated.status, 200);
    assert.deepEqual(updated.body.data, { a: 2, keep: true, b: 'x' });
    assert.equal(updated.body.step, 'picking');
    const ended = await harness.call('End', { params: { id } });
    assert.equal(ended.body.status, 'completed');
    const read = await harness.call('Get', { params: { id } });
    assert.equal(read.body.status, 'completed');
    assert.deepEqual(read.body.data, { a: 2, keep: true, b: 'x' });
    assert.deepEqual(read.body.events.map((e: { type: string }) => e.type), ['picked']);
    assert.equal(read.body.eventCount, 1);
  });

  it('error flow: an ended journey takes no updates (409); an unknown id or another app\'s journey is 404', async () => {
    const id = (await harness.call('Startreject', { body: {} })).body.id;
    await harness.call('End', { params: { id } });
    const late = await harness.call('Update', { params: { id }, body: { type: 'late' } });
    assert.equal(late.status, 409);
    assert.equal(late.body.code, 'journey_not_active');
    assert.equal((await harness.call('Get', { params: { id: 'no-such-journey' } })).status, 404);
    const foreign = await harness.call('OtherGet', { params: { id } });
    assert.equal(foreign.status, 404);
    assert.equal(foreign.body.code, 'journey_not_found');
    assert.equal((await harness.call('OtherUpdate', { params: { id }, body: { type: 'x' } })).status, 404);
  });

  it('identifier clash: reject is 409, resume returns the active journey, replace aborts it and starts anew', async () => {
    const first = await harness.call('Startreject', { body: { identifier: 'cust-1:slot-1' } });
    assert.equal(first.status, 201);
    const rejected = await harness.call('Startreject', { body: { identifier: 'cust-1:slot-1' } });
    assert.equal(rejected.status, 409);
    assert.equal(rejected.body.code, 'journey_identifier_in_use');
    const resumed = await harness.call('Startresume', { body: { identifier: 'cust-1:slot-1' } });
    assert.equal(resumed.body.id, first.body.id);
    const replaced = await harness.call('Startreplace', { body: { identifier: 'cust-1:slot-1' } });
    assert.notEqual(replaced.body.id, first.body.id);
    const old = await harness.call('Get', { params: { id: first.body.id } });
    assert.equal(old.body.status, 'aborted');
    assert.deepEqual(old.body.events.map((e: { type: string }) => e.type), ['replaced']);
    // the same identifier in another app is another journey
    assert.equal((await harness.call('OtherStartreject', { body: { identifier: 'cust-1:slot-1' } })).status, 201);
    // ending the journey frees its identifier
    await harness.call('End', { params: { id: replaced.body.id } });
    assert.equal((await harness.call('Startreject', { body: { identifier: 'cust-1:slot-1' } })).status, 201);
  });

  it('expiry: a journey past its expiry reads as expired before TTL removes it, takes no updates, and frees its identifier', async () => {
    const started = await harness.call('Startreject', { body: { identifier: 'soon-gone' } });
    const id = started.body.id;
    await harness.documents.send(
      new UpdateCommand({ TableName: table, Key: { pk: `journey#${id}`, sk: 'journey' }, UpdateExpression: 'SET expiresAt = :past', ExpressionAttributeValues: { ':past': Math.floor(Date.now() / 1000) - 60 } }),
    );
    assert.equal((await harness.call('Get', { params: { id } })).body.status, 'expired');
    assert.equal((await harness.call('Update', { params: { id }, body: { type: 'late' } })).status, 409);
    assert.equal((await harness.call('Startreject', { body: { identifier: 'soon-gone' } })).status, 201);
  });

  it('concurrency: 50 simultaneous updates of one journey record 50 events and merge every data key', async () => {
    const id = (await harness.call('Startreject', { body: {} })).body.id;
    const answers = await Promise.all(
      Array.from({ length: 50 }, (_, n) => harness.call('Update', { params: { id }, body: { type: `event-${n}`, data: { [`k${n}`]: n } } })),
    );
    assert.deepEqual(
      answers.filter((a) => a.status !== 200).map((a) => a.body),
      [],
    );
    const read = await harness.call('Get', { params: { id } });
    assert.equal(read.body.events.length, 50);
    assert.deepEqual(new Set(read.body.events.map((e: { type: string }) => e.type)), new Set(Array.from({ length: 50 }, (_, n) => `event-${n}`)));
    assert.equal(read.body.eventCount, 50);
    assert.equal(Object.keys(read.body.data).length, 50);
  });

  it('error flow: bad journey input is 400; an oversized journey is 413 and not written', async () => {
    const id = (await harness.call('Startreject', { body: {} })).body.id;
    const notObject = await harness.call('Update', { params: { id }, body: { type: 'x', data: [1, 2] } });
    assert.equal(notObject.status, 400);
    assert.equal(notObject.body.code, 'invalid_journey');
    const noType = await harness.call('Update', { params: { id }, body: { data: { a: 1 } } });
    assert.equal(noType.status, 400);
    const huge = await harness.call('Update', { params: { id }, body: { type: 'big', data: { blob: 'x'.repeat(410 * 1024) } } });
    assert.equal(huge.status, 413);
    assert.equal(huge.body.code, 'item_too_large');
    const read = await harness.call('Get', { params: { id } });
    assert.deepEqual(read.body.events, []);
    assert.deepEqual(read.body.data, {});
  });
});
