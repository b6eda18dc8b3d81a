import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { RunningGateway } from '../../lib/local/gateway/server';
import { createToken, request, startTestGateway } from './support';

describe('reference app "booking" through the local gateway', () => {
  let gateway: RunningGateway;
  let partners: string;
  let ops: string;
  before(async () => {
    gateway = await startTestGateway({ appsModule: require.resolve('../../lib/apps') });
    partners = (await createToken(gateway, ['partners'])).token;
    ops = (await createToken(gateway, ['ops'])).token;
  });
  after(() => gateway?.stop());

  const newCustomer = async (email: string) => (await request(gateway, 'POST', '/customers', { token: partners, body: { name: 'Grace Hopper', email, phone: '+14155550123' } })).body;

  it('GET /health (public) → 200 {"status":"ok"}', async () => {
    const answer = await request(gateway, 'GET', '/health');
    assert.deepEqual([answer.status, answer.body], [200, { status: 'ok' }]);
  });

  it('POST /customers → 201 with id; same email → 409; invalid body → 400; no token → 401', async () => {
    const created = await request(gateway, 'POST', '/customers', { token: partners, body: { name: 'Ada', email: 'ada@example.com' } });
    assert.equal(created.status, 201);
    assert.match(created.body.id, /^[0-9a-f-]{36}$/);
    const again = await request(gateway, 'POST', '/customers', { token: partners, body: { name: 'Ada Again', email: 'ada@example.com' } });
    assert.deepEqual([again.status, again.body.code], [409, 'unique_conflict']);
    assert.equal((await request(gateway, 'POST', '/customers', { token: partners, body: { name: 'No Email' } })).status, 400);
    assert.equal((await request(gateway, 'POST', '/customers', { token: partners, body: '{"name":', headers: { 'Content-Type': 'application/json' } })).status, 400);
    assert.equal((await request(gateway, 'POST', '/customers', { body: { name: 'Anon', email: 'anon@example.com' } })).status, 401);
  });

  it('GET /customers/{customerId} → 200 / 404; GET /customers?email= → {items, cursor}', async () => {
    const customer = await newCustomer('grace@example.com');
    assert.deepEqual((await request(gateway, 'GET', `/customers/${customer.id}`, { token: partners })).body, customer);
    const missing = await request(gateway, 'GET', '/customers/00000000-0000-0000-0000-000000000000', { token: partners });
    assert.deepEqual([missing.status, missing.body.code], [404, 'record_not_found']);
    const listed = await request(gateway, 'GET', '/customers?email=grace@example.com', { token: partners });
    assert.deepEqual(listed.body, { items: [customer], cursor: null });
  });

  it('DELETE /customers/{customerId} [ops] → 204; partners → 403', async () => {
    const customer = await newCustomer('linus@example.com');
    assert.equal((await request(gateway, 'DELETE', `/customers/${customer.id}`, { token: partners })).status, 403);
    assert.equal((await request(gateway, 'DELETE', `/customers/${customer.id}`, { token: ops })).status, 204);
    assert.equal((await request(gateway, 'GET', `/customers/${customer.id}`, { token: partners })).status, 404);
  });

  it('POST /bookings → 201 {journeyId, status, link}; unknown customer 404; same customer+slot 409; Idempotency-Key replays', async () => {
    const customer = await newCustomer('barbara@example.com');
    const body = { customerId: customer.id, service: 'haircut', slot: '2026-12-01T10:00:00Z' };
    const started = await request(gateway, 'POST', '/bookings', { token: partners, body, headers: { 'Idempotency-Key': 'b-1' } });
    assert.equal(started.status, 201);
    assert.deepEqual(Object.keys(started.body), ['journeyId', 'status', 'link']);
    assert.equal(started.body.status, 'active');
    assert.equal(started.body.link, `https://dev.book.example.com/bookings/${started.body.journeyId}`);
    const replay = await request(gateway, 'POST', '/bookings', { token: partners, body, headers: { 'Idempotency-Key': 'b-1' } });
    assert.deepEqual([replay.status, replay.body, replay.headers.get('idempotent-replayed')], [201, started.body, 'true']);
    const clash = await request(gateway, 'POST', '/bookings', { token: partners, body });
    assert.deepEqual([clash.status, clash.body.code], [409, 'journey_identifier_in_use']);
    const unknown = await request(gateway, 'POST', '/bookings', { token: partners, body: { ...body, customerId: 'nobody' } });
    assert.equal(unknown.status, 404);
    const reused = await request(gateway, 'POST', '/bookings', { token: partners, body: { ...body, service: 'other' }, headers: { 'Idempotency-Key': 'b-1' } });
    assert.equal(reused.status, 422);
  });

  it('GET /bookings/{journeyId}, POST events (merge, confirm → completed, cancel → aborted, ended → 409), GET /go/{journeyId} → 302', async () => {
    const customer = await newCustomer('margaret@example.com');
    const start = (slot: string) => request(gateway, 'POST', '/bookings', { token: partners, body: { customerId: customer.id, service: 'massage', slot } });
    const { journeyId } = (await start('2026-12-02T09:00:00Z')).body;
    const noted = await request(gateway, 'POST', `/bookings/${journeyId}/events`, { token: partners, body: { type: 'note', data: { room: 4 } } });
    assert.equal(noted.body.data.room, 4);
    assert.equal((await request(gateway, 'POST', `/bookings/${journeyId}/events`, { token: partners, body: { type: 'confirm' } })).body.status, 'completed');
    const late = await request(gateway, 'POST', `/bookings/${journeyId}/events`, { token: partners, body: { type: 'note' } });
    assert.deepEqual([late.status, late.body.code], [409, 'journey_not_active']);
    const journey = (await request(gateway, 'GET', `/bookings/${journeyId}`, { token: partners })).body;
    assert.deepEqual([journey.status, journey.step, journey.events.map((e: { type: string }) => e.type)], ['completed', 'confirm', ['note', 'confirm']]);
    assert.equal(journey.data.room, 4);
    const cancelled = (await start('2026-12-03T09:00:00Z')).body.journeyId;
    assert.equal((await request(gateway, 'POST', `/bookings/${cancelled}/events`, { token: partners, body: { type: 'cancel' } })).body.status, 'aborted');
    const go = await request(gateway, 'GET', `/go/${journeyId}`);
    assert.deepEqual([go.status, go.headers.get('location')], [302, `https://dev.book.example.com/bookings/${journeyId}`]);
    assert.equal((await request(gateway, 'GET', '/go/unknown-journey')).status, 404);
    assert.equal((await request(gateway, 'GET', '/bookings/unknown-journey', { token: partners })).status, 404);
  });
});
