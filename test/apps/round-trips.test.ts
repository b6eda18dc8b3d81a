// Shares a process: dynamo (its tables have the file's own prefix on the run's DynamoDB Local; it keeps no other state; see scripts/run-tests.ts)
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { BatchWriteCommand, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { declareBooking } from '../../lib/apps/booking';
import { bookingRequests, runTraced, type TracedRequest } from '../support/booking-requests';
import { environmentStack } from '../support/cdk';
import { tablesOf, TestDatabase } from '../support/dynamo';

const tables = tablesOf(__filename);

const manifest = environmentStack([declareBooking], tables.isolated).manifest;

/**
 * The DynamoDB calls of one request of each reference route, from its trace, at the minimum its
 * answer needs: conditions decide conflicts at commit instead of reads before it, and a refused
 * commit (`!`) tells what it refused by the item it returns.
 */
const EXPECTED_CALLS: Record<string, string[] | 'scan'> = {
  'Health: public, no table': [],
  'CreateCustomer: insert (unique email)': ['TransactWrite'],
  'CreateCustomer: insert, email taken': ['TransactWrite!'],
  'CreateCustomer: insert with Idempotency-Key': ['Get', 'TransactWrite'],
  'CreateCustomer: same Idempotency-Key, replayed': ['Get'],
  'GetCustomer: get': ['Get'],
  'GetCustomer: get, missing': ['Get'],
  'ListCustomers: query by email (index)': ['Query'],
  // how many pages fill a page of records depends on where the marker items fall: not counted here
  'ListCustomers: first page, no filter (scan)': 'scan',
  // the customer, then the journey and its identifier's claim in one transaction
  'CreateBooking: start journey (identifier)': ['Get', 'TransactWrite'],
  // the refused claim returns the identifier's holder, which is read to tell active from ended
  'CreateBooking: identifier in use': ['Get', 'TransactWrite!', 'Get'],
  'GetBooking: journey with events': ['Query'],
  'GetBooking: journey, missing': ['Query'],
  'FollowBookingLink: redirect to the journey': ['Get'],
  // the answer is the updated journey, which a transaction cannot return: it is read first
  'AddBookingEvent: update + event': ['Get', 'TransactWrite'],
  'AddBookingEvent: update, missing journey': ['Get'],
  'AddBookingEvent: update + end': ['Get', 'TransactWrite'],
  'AddBookingEvent: update, journey ended': ['Get'],
  // the record's unique values name the markers to release (a marker is released only by its owner: the condition checks)
  'DeleteCustomer: delete (releases email)': ['Get', 'TransactWrite'],
  'DeleteCustomer: delete, missing': ['Get'],
};

describe('round trips of the reference app', () => {
  let database: TestDatabase;
  let traced: TracedRequest[];
  before(async () => {
    database = await TestDatabase.open(manifest);
    traced = await runTraced(manifest, database.documents, bookingRequests('round-trips'));
  });
  after(() => database?.close());

  it('answers every request as before: statuses and problem types', () => {
    const answers = traced.map(({ request, answer }) => [`${request.route}: ${request.name}`, answer.status, answer.body?.code]);
    assert.deepEqual(
      answers,
      traced.map(({ request }) => [`${request.route}: ${request.name}`, request.status, request.problem]),
    );
  });

  it('covers every route of the app', () => {
    assert.deepEqual(new Set(traced.map(({ request }) => request.route)), new Set(manifest.routes.map((route) => route.id)));
    assert.deepEqual(traced.map(({ request }) => `${request.route}: ${request.name}`), Object.keys(EXPECTED_CALLS));
  });

  it('makes only the DynamoDB calls each answer needs', () => {
    const calls = Object.fromEntries(
      traced.map(({ request, calls: made }) => {
        const name = `${request.route}: ${request.name}`;
        const kinds = made.map((call) => `${call.command}${call.error ? '!' : ''}`);
        return [name, EXPECTED_CALLS[name] === 'scan' && kinds.length > 0 && kinds.every((kind) => kind === 'Scan') ? 'scan' : kinds];
      }),
    );
    assert.deepEqual(calls, EXPECTED_CALLS);
  });

  it('a record whose marker another record holds (written before the field became unique) is deleted, the marker kept', async () => {
    const table = manifest.models.Customers!.table;
    await database.documents.send(new PutCommand({ TableName: table, Item: { id: 'legacy', name: 'Old', email: 'shared@example.com' } }));
    const [holder] = await runTraced(manifest, database.documents, [
      { name: 'claims the value', route: 'CreateCustomer', options: () => ({ keyId: 'p', groups: ['partners'], body: { name: 'New', email: 'shared@example.com' } }), status: 201 },
    ]);
    assert.equal(holder!.answer.status, 201);
    const [deleted] = await runTraced(manifest, database.documents, [
      { name: 'delete legacy', route: 'DeleteCustomer', options: () => ({ keyId: 'o', groups: ['ops'], params: { customerId: 'legacy' } }), status: 204 },
    ]);
    assert.equal(deleted!.answer.status, 204);
    // the release is refused (the marker is not the record's), and the second run leaves it out
    assert.deepEqual(deleted!.calls.map((call) => `${call.command}${call.error ? '!' : ''}`), ['Get', 'TransactWrite!', 'Get', 'TransactWrite']);
    assert.equal((await database.documents.send(new GetCommand({ TableName: table, Key: { id: 'legacy' } }))).Item, undefined);
    const marker = await database.documents.send(new GetCommand({ TableName: table, Key: { id: '#unique#email#shared@example.com' } }));
    assert.equal(marker.Item?.recordId, holder!.answer.body.id);
  });

  it('a journey with more events than one answer holds: the first 1,000 events, and its item by a second Query', async () => {
    const partner = { keyId: 'p', groups: ['partners'] };
    const [, started] = await runTraced(manifest, database.documents, [
      { name: 'customer', route: 'CreateCustomer', options: () => ({ ...partner, body: { name: 'Many', email: 'many@example.com' } }), status: 201, keep: (answer, state) => state.set('customer', answer.body.id) },
      { name: 'start', route: 'CreateBooking', options: (state) => ({ ...partner, body: { customerId: state.get('customer')!, service: 'cut', slot: '2027-02-01T10:00:00Z' } }), status: 201 },
    ]);
    assert.equal(started!.answer.status, 201, JSON.stringify(started!.answer.body));
    const journeyId = started!.answer.body.journeyId as string;
    const events = Array.from({ length: 1_001 }, (_, n) => ({ pk: `journey#${journeyId}`, sk: `event#2027-01-01T00:00:00.000Z#${String(n).padStart(6, '0')}`, type: `e${n}`, at: '2027-01-01T00:00:00.000Z' }));
    for (let index = 0; index < events.length; index += 25) {
      await database.documents.send(new BatchWriteCommand({ RequestItems: { [manifest.tables.journeys]: events.slice(index, index + 25).map((Item) => ({ PutRequest: { Item } })) } }));
    }
    const [read] = await runTraced(manifest, database.documents, [{ name: 'read', route: 'GetBooking', options: () => ({ ...partner, params: { journeyId } }), status: 200 }]);
    assert.equal(read!.answer.status, 200);
    assert.equal(read!.answer.body.id, journeyId);
    assert.equal(read!.answer.body.events.length, 1_000);
    assert.equal(read!.answer.body.events[999].type, 'e999');
    assert.deepEqual(read!.calls.map((call) => call.command), ['Query', 'Query']);
  });

  it('a refused commit is traced as such, never as a success', () => {
    const taken = traced.find(({ request }) => request.name === 'insert, email taken')!;
    assert.equal(taken.calls[0]!.error, 'TransactionCanceledException');
  });
});
