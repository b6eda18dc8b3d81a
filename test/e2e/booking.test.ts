// Shares a process: gateway (its gateways listen on port 0 with the file's own tables and are closed by its hooks; see scripts/run-tests.ts)
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { RunningGateway } from '../../lib/local/gateway/server';
import { bookingFlowTests } from '../support/booking-flow';
import { tablesOf } from '../support/dynamo';
import { createToken, httpCallRoute, request, startTestGateway } from './support';

const tables = tablesOf(__filename);

describe('reference app "booking" through the local gateway', () => {
  let gateway: RunningGateway;
  const tokens = { partner: '', ops: '' };
  before(async () => {
    gateway = await startTestGateway(tables, { appsModule: require.resolve('../../lib/apps') });
    tokens.partner = (await createToken(gateway, ['partners'])).token;
    tokens.ops = (await createToken(gateway, ['ops'])).token;
  });
  after(() => gateway?.stop());

  const call = httpCallRoute(() => gateway, tokens);
  bookingFlowTests(() => call);

  it('over HTTP only: malformed JSON → 400 from the method\'s request validator, no token → 401, a key of another group → 403, all problem+json', async () => {
    const malformed = await request(gateway, 'POST', '/customers', { token: tokens.partner, body: '{"name":', headers: { 'Content-Type': 'application/json' } });
    // the method has a body model and a validator, so API Gateway refuses it (BAD_REQUEST_BODY) before the handler parses it
    assert.deepEqual([malformed.status, malformed.body.code], [400, 'validation_failed']);
    const anonymous = await request(gateway, 'POST', '/customers', { body: { name: 'Anon', email: 'anon@example.com' } });
    assert.deepEqual([anonymous.status, anonymous.headers.get('content-type')], [401, 'application/problem+json']);
    const customer = (await request(gateway, 'POST', '/customers', { token: tokens.partner, body: { name: 'Kept', email: 'kept@example.com' } })).body;
    const forbidden = await request(gateway, 'DELETE', `/customers/${customer.id}`, { token: tokens.partner });
    assert.deepEqual([forbidden.status, forbidden.body.code], [403, 'forbidden']);
    assert.equal((await request(gateway, 'GET', `/customers/${customer.id}`, { token: tokens.partner })).status, 200, 'the refused delete deleted nothing');
  });
});
