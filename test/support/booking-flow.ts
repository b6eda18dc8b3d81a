import assert from 'node:assert/strict';
import { it } from 'node:test';

export interface FlowAnswer {
  readonly status: number;
  readonly body: any;
  header(name: string): string | null;
}

export interface FlowCall {
  /** The caller's key: one in group `partners`, one in group `ops`, or none. */
  readonly as?: 'partner' | 'ops';
  readonly params?: Record<string, string>;
  readonly query?: Record<string, string>;
  readonly headers?: Record<string, string>;
  readonly body?: unknown;
}

/** Calls one App API of the reference app by its id: on the handler runtime, or over HTTP. */
export type CallRoute = (routeId: string, call?: FlowCall) => Promise<FlowAnswer>;

/**
 * The reference app's booking flow, route by route with its error cases: registered as tests in
 * the calling suite, so the handler runtime and the local gateway are held to the same answers.
 */
export function bookingFlowTests(call: () => CallRoute): void {
  const newCustomer = async (email: string) => {
    const created = await call()('CreateCustomer', { as: 'partner', body: { name: 'Grace Hopper', email, phone: '+14155550123' } });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    return created.body as { id: string; name: string; email: string; phone: string };
  };

  it('GET /health (public) → 200 {"status":"ok"}', async () => {
    const answer = await call()('Health');
    assert.deepEqual([answer.status, answer.body], [200, { status: 'ok' }]);
  });

  it('POST /customers → 201 with id; same email → 409; invalid body → 400', async () => {
    const created = await call()('CreateCustomer', { as: 'partner', body: { name: 'Ada', email: 'ada@example.com' } });
    assert.equal(created.status, 201);
    assert.match(created.body.id, /^[0-9a-f-]{36}$/);
    assert.deepEqual(Object.keys(created.body), ['id', 'name', 'email']);
    const again = await call()('CreateCustomer', { as: 'partner', body: { name: 'Ada Again', email: 'ada@example.com' } });
    assert.deepEqual([again.status, again.body.code], [409, 'unique_conflict']);
    const invalid = await call()('CreateCustomer', { as: 'partner', body: { name: 'No Email' } });
    assert.deepEqual([invalid.status, invalid.body.code], [400, 'validation_failed']);
  });

  it('GET /customers/{customerId} → 200 / 404; GET /customers?email= → {items, cursor}', async () => {
    const customer = await newCustomer('grace@example.com');
    assert.deepEqual(Object.keys(customer), ['id', 'name', 'email', 'phone']);
    assert.deepEqual((await call()('GetCustomer', { as: 'partner', params: { customerId: customer.id } })).body, customer);
    const missing = await call()('GetCustomer', { as: 'partner', params: { customerId: '00000000-0000-0000-0000-000000000000' } });
    assert.deepEqual([missing.status, missing.body.code], [404, 'record_not_found']);
    const listed = await call()('ListCustomers', { as: 'partner', query: { email: 'grace@example.com' } });
    assert.deepEqual([listed.status, listed.body], [200, { items: [customer], cursor: null }]);
  });

  it('DELETE /customers/{customerId} [ops] → 204, then the record is gone', async () => {
    const customer = await newCustomer('linus@example.com');
    assert.equal((await call()('DeleteCustomer', { as: 'ops', params: { customerId: customer.id } })).status, 204);
    assert.equal((await call()('GetCustomer', { as: 'partner', params: { customerId: customer.id } })).status, 404);
  });

  it('POST /bookings → 201 {journeyId, status, link}; unknown customer 404; same customer+slot 409; Idempotency-Key replays, and refuses another body', async () => {
    const customer = await newCustomer('barbara@example.com');
    const body = { customerId: customer.id, service: 'haircut', slot: '2026-12-01T10:00:00Z' };
    const started = await call()('CreateBooking', { as: 'partner', body, headers: { 'Idempotency-Key': 'b-1' } });
    assert.equal(started.status, 201);
    assert.deepEqual(Object.keys(started.body), ['journeyId', 'status', 'link']);
    assert.equal(started.body.status, 'active');
    assert.equal(started.body.link, `https://dev.book.example.com/bookings/${started.body.journeyId}`);
    const replay = await call()('CreateBooking', { as: 'partner', body, headers: { 'Idempotency-Key': 'b-1' } });
    assert.deepEqual([replay.status, replay.body, replay.header('idempotent-replayed')], [201, started.body, 'true']);
    const clash = await call()('CreateBooking', { as: 'partner', body });
    assert.deepEqual([clash.status, clash.body.code], [409, 'journey_identifier_in_use']);
    assert.equal((await call()('CreateBooking', { as: 'partner', body: { ...body, customerId: 'nobody' } })).status, 404);
    const reused = await call()('CreateBooking', { as: 'partner', body: { ...body, service: 'other' }, headers: { 'Idempotency-Key': 'b-1' } });
    assert.deepEqual([reused.status, reused.body.code], [422, 'idempotency_key_reused']);
  });

  it('booking events: merge, confirm → completed, ended → 409; GET /bookings/{journeyId}; /go → 302; the slot is free again', async () => {
    const customer = await newCustomer('margaret@example.com');
    const start = (slot: string) => call()('CreateBooking', { as: 'partner', body: { customerId: customer.id, service: 'massage', slot } });
    const event = (journeyId: string, body: unknown) => call()('AddBookingEvent', { as: 'partner', params: { journeyId }, body });
    const { journeyId } = (await start('2026-12-02T09:00:00Z')).body;
    const noted = await event(journeyId, { type: 'note', data: { room: 4 } });
    assert.deepEqual([noted.status, noted.body.data.room], [200, 4]);
    assert.equal((await event(journeyId, { type: 'confirm' })).body.status, 'completed');
    const late = await event(journeyId, { type: 'note' });
    assert.deepEqual([late.status, late.body.code], [409, 'journey_not_active']);
    const journey = (await call()('GetBooking', { as: 'partner', params: { journeyId } })).body;
    assert.deepEqual([journey.status, journey.step, journey.events.map((e: { type: string }) => e.type)], ['completed', 'confirm', ['note', 'confirm']]);
    assert.deepEqual(journey.data, { customerId: customer.id, service: 'massage', slot: '2026-12-02T09:00:00Z', room: 4 });
    const go = await call()('FollowBookingLink', { params: { journeyId } });
    assert.deepEqual([go.status, go.header('location')], [302, `https://dev.book.example.com/bookings/${journeyId}`]);
    assert.equal((await call()('FollowBookingLink', { params: { journeyId: 'unknown-journey' } })).status, 404);
    assert.equal((await call()('GetBooking', { as: 'partner', params: { journeyId: 'unknown-journey' } })).status, 404);
    assert.equal((await start('2026-12-02T09:00:00Z')).status, 201, 'the slot is free again once the booking ended');
  });

  it('booking events: cancel → aborted', async () => {
    const customer = await newCustomer('edsger@example.com');
    const { journeyId } = (await call()('CreateBooking', { as: 'partner', body: { customerId: customer.id, service: 'x', slot: '2026-12-03T09:00:00Z' } })).body;
    const cancelled = await call()('AddBookingEvent', { as: 'partner', params: { journeyId }, body: { type: 'cancel' } });
    assert.deepEqual([cancelled.status, cancelled.body.status], [200, 'aborted']);
  });
}
