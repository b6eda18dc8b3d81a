import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { declareBooking } from '../../lib/apps/booking';
import { RuntimeHarness } from '../support/runtime';

const partner = { keyId: 'partner-key' };

describe('reference app "booking" on the handler runtime and DynamoDB Local', () => {
  let harness: RuntimeHarness;
  before(async () => {
    harness = await RuntimeHarness.start([declareBooking]);
  });
  after(() => harness?.stop());

  const createCustomer = (email: string) => harness.call('CreateCustomer', { ...partner, body: { name: 'Ada Lovelace', email, phone: '+14155550123' } });

  it('GET /health answers ok', async () => {
    const answer = await harness.call('Health');
    assert.deepEqual([answer.status, answer.body], [200, { status: 'ok' }]);
  });

  it('customers: create 201 with id, same email 409, get 200/404, list by email, delete 204', async () => {
    const created = await createCustomer('ada@example.com');
    assert.equal(created.status, 201);
    assert.deepEqual(Object.keys(created.body), ['id', 'name', 'email', 'phone']);
    assert.equal((await createCustomer('ada@example.com')).status, 409);
    assert.deepEqual((await harness.call('GetCustomer', { ...partner, params: { customerId: created.body.id } })).body, created.body);
    assert.equal((await harness.call('GetCustomer', { ...partner, params: { customerId: 'nobody' } })).status, 404);
    const listed = await harness.call('ListCustomers', { ...partner, query: { email: 'ada@example.com' } });
    assert.deepEqual(listed.body, { items: [created.body], cursor: null });
    assert.equal((await harness.call('DeleteCustomer', { keyId: 'ops-key', params: { customerId: created.body.id } })).status, 204);
    assert.equal((await harness.call('GetCustomer', { ...partner, params: { customerId: created.body.id } })).status, 404);
  });

  it('bookings: start 201 with link, unknown customer 404, same customer+slot 409, Idempotency-Key replays', async () => {
    const customer = (await createCustomer('grace@example.com')).body;
    const body = { customerId: customer.id, service: 'haircut', slot: '2026-12-01T10:00:00Z' };
    const started = await harness.call('CreateBooking', { ...partner, headers: { 'Idempotency-Key': 'booking-1' }, body });
    assert.equal(started.status, 201);
    assert.equal(started.body.status, 'active');
    assert.equal(started.body.link, `https://dev.book.example.com/bookings/${started.body.journeyId}`);
    const replay = await harness.call('CreateBooking', { ...partner, headers: { 'Idempotency-Key': 'booking-1' }, body });
    assert.deepEqual([replay.status, replay.body], [201, started.body]);
    assert.equal((await harness.call('CreateBooking', { ...partner, body })).status, 409);
    const unknown = await harness.call('CreateBooking', { ...partner, body: { ...body, customerId: 'nobody' } });
    assert.equal(unknown.status, 404);
  });

  it('booking events: append and merge, confirm completes, events on an ended journey 409; /go redirects 302', async () => {
    const customer = (await createCustomer('alan@example.com')).body;
    const { journeyId } = (await harness.call('CreateBooking', { ...partner, body: { customerId: customer.id, service: 'massage', slot: '2026-12-02T09:00:00Z' } })).body;
    const noted = await harness.call('AddBookingEvent', { ...partner, params: { journeyId }, body: { type: 'note', data: { room: 4 } } });
    assert.equal(noted.status, 200);
    assert.equal(noted.body.data.room, 4);
    const confirmed = await harness.call('AddBookingEvent', { ...partner, params: { journeyId }, body: { type: 'confirm' } });
    assert.equal(confirmed.body.status, 'completed');
    const late = await harness.call('AddBookingEvent', { ...partner, params: { journeyId }, body: { type: 'note' } });
    assert.equal(late.status, 409);
    const journey = (await harness.call('GetBooking', { ...partner, params: { journeyId } })).body;
    assert.equal(journey.status, 'completed');
    assert.equal(journey.step, 'confirm');
    assert.deepEqual(journey.events.map((e: { type: string }) => e.type), ['note', 'confirm']);
    assert.deepEqual(journey.data, { customerId: customer.id, service: 'massage', slot: '2026-12-02T09:00:00Z', room: 4 });
    const go = await harness.call('FollowBookingLink', { params: { journeyId } });
    assert.equal(go.status, 302);
    assert.equal(go.headers.Location, `https://dev.book.example.com/bookings/${journeyId}`);
    assert.equal((await harness.call('FollowBookingLink', { params: { journeyId: 'nope' } })).status, 404);
    // the slot is free again once the booking ended
    assert.equal((await harness.call('CreateBooking', { ...partner, body: { customerId: customer.id, service: 'massage', slot: '2026-12-02T09:00:00Z' } })).status, 201);
  });

  it('booking events: cancel aborts', async () => {
    const customer = (await createCustomer('edsger@example.com')).body;
    const { journeyId } = (await harness.call('CreateBooking', { ...partner, body: { customerId: customer.id, service: 'x', slot: '2026-12-03T09:00:00Z' } })).body;
    assert.equal((await harness.call('AddBookingEvent', { ...partner, params: { journeyId }, body: { type: 'cancel' } })).body.status, 'aborted');
  });
});
