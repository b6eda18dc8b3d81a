// Shares a process: gateway (its gateways listen on port 0 with the file's own tables and are closed by its hooks; see scripts/run-tests.ts)
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { traceOutput } from '../../lambdas/runtime/trace';
import type { RunningGateway } from '../../lib/local/gateway/server';
import { CONSOLE_OPEN_WINDOW_MS, TraceStore } from '../../lib/local/gateway/trace-store';
import { createToken, request, startTestGateway } from '../e2e/support';
import { tablesOf } from '../support/dynamo';

const tables = tablesOf(__filename);

describe('request traces', () => {
  let gateway: RunningGateway;
  let token: string;
  before(async () => {
    gateway = await startTestGateway(tables, { traces: 'always' });
    token = (await createToken(gateway, ['partners', 'ops'])).token;
  });
  after(() => gateway?.stop());

  const lastTrace = () => gateway.traces.list().at(-1)!;

  it('records each operation (name, binding, duration, output) and each DynamoDB call with its consumed capacity', async () => {
    const created = await request(gateway, 'POST', '/customers', { token, body: { name: 'Traced', email: 'traced@example.com' } });
    assert.equal(created.status, 201);
    const { access, trace } = lastTrace();
    assert.equal(access.requestId, created.headers.get('x-amzn-requestid'));
    assert.equal(access.keyId !== undefined, true);
    assert.deepEqual(trace!.steps.map((step) => [step.op, step.as]), [['airdata.insert', 'customer'], ['respond', undefined]]);
    assert.ok(trace!.steps.every((step) => step.ms >= 0 && step.startMs >= 0));
    assert.match(trace!.steps[0]!.output!, /traced@example.com/);
    assert.equal(trace!.steps[1]!.output, '{"status":201}');
    // the unique email is claimed by the transaction's condition, with no read before it
    assert.deepEqual(trace!.dynamo.map((call) => call.command), ['TransactWrite']);
    assert.deepEqual(trace!.dynamo[0]!.tables, [tables.tableName('customers')]);
    assert.ok(trace!.dynamo.every((call) => typeof call.consumedCapacity === 'number' && call.consumedCapacity > 0), JSON.stringify(trace!.dynamo));
  });

  it('records the failing step with its problem code', async () => {
    // the conflict is decided by the transaction's condition: it shows as the commit step
    await request(gateway, 'POST', '/customers', { token, body: { name: 'Traced', email: 'traced@example.com' } });
    const { trace } = lastTrace();
    assert.deepEqual(trace!.steps.map((step) => [step.op, step.error]), [['airdata.insert', undefined], ['respond', undefined], ['commit', 'unique_conflict']]);
  });

  it('never holds a token: none of the recorded requests shows the caller\'s, and token-like values are redacted', () => {
    assert.ok(!JSON.stringify(gateway.traces.list()).includes(token));
    assert.equal(traceOutput({ auth: `Bearer ${token}` }), '{"auth":"Bearer [token]"}');
    assert.equal(traceOutput({ leaked: token }), '{"leaked":"[token]"}');
    assert.match(traceOutput('x'.repeat(5_000))!, /… \(5002 characters\)$/);
  });

  it('keeps the last 1,000 requests', () => {
    const store = new TraceStore();
    for (let n = 0; n < 1_005; n += 1) store.access({ requestId: `r${n}`, method: 'GET', path: '/', status: 200, latencyMs: 1, bodyBytes: 0 });
    assert.equal(store.list().length, 1_000);
    assert.equal(store.list()[0]!.access.requestId, 'r5');
  });
});

describe('request traces while the console is closed', () => {
  let gateway: RunningGateway;
  let token: string;
  before(async () => {
    gateway = await startTestGateway(tables, { console: true });
    token = (await createToken(gateway, ['partners', 'ops'])).token;
  });
  after(() => gateway?.stop());

  it('keeps the access log but records no chain trace until the console reads, then records each request', async () => {
    const unwatched = await request(gateway, 'POST', '/customers', { token, body: { name: 'Unwatched', email: 'unwatched@example.com' } });
    assert.equal(unwatched.status, 201);
    const first = gateway.traces.list().at(-1)!;
    assert.equal(first.access.requestId, unwatched.headers.get('x-amzn-requestid'));
    assert.equal(first.trace, undefined);

    assert.equal((await request(gateway, 'GET', '/__appapi/api/requests', { headers: { 'X-AppAPI-Console': '1' } })).status, 200);
    const watched = await request(gateway, 'POST', '/customers', { token, body: { name: 'Watched', email: 'watched@example.com' } });
    assert.equal(watched.status, 201);
    const second = gateway.traces.list().at(-1)!;
    assert.equal(second.access.requestId, watched.headers.get('x-amzn-requestid'));
    assert.deepEqual(second.trace!.steps.map((step) => step.op), ['airdata.insert', 'respond']);
  });

  it('counts the console as open for 30 s after its last read', () => {
    let now = 1_000;
    const store = new TraceStore(10, false, () => now);
    assert.equal(store.recording(), false);
    store.watched();
    now += CONSOLE_OPEN_WINDOW_MS - 1;
    assert.equal(store.recording(), true);
    now += 1;
    assert.equal(store.recording(), false);
    assert.equal(new TraceStore(10, true, () => now).recording(), true);
  });
});
