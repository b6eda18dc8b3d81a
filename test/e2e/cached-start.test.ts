// The reference app served by a gateway that started from the declarations cache (neither the
// declarations nor aws-cdk-lib loaded): the same booking flow as test/e2e/booking.test.ts.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { RunningGateway } from '../../lib/local/gateway/server';
import { bookingFlowTests } from '../support/booking-flow';
import { tablesOf } from '../support/dynamo';
import { createToken, httpCallRoute, request, startTestGateway } from './support';

const tables = tablesOf(__filename);

describe('reference app "booking" through a gateway started from the declarations cache', () => {
  let gateway: RunningGateway;
  let builtManifest: unknown;
  const tokens = { partner: '', ops: '' };
  const cacheDir = mkdtempSync(join(tmpdir(), 'appapi-cached-start-'));
  const saved = process.env.APPAPI_CACHE_DIR;
  before(async () => {
    process.env.APPAPI_CACHE_DIR = cacheDir;
    const options = { appsModule: require.resolve('../../lib/apps') };
    const first = await startTestGateway(tables, options);
    builtManifest = first.manifest();
    assert.equal(first.declarationsSource, 'built');
    await first.stop();
    gateway = await startTestGateway(tables, options);
    tokens.partner = (await createToken(gateway, ['partners'])).token;
    tokens.ops = (await createToken(gateway, ['ops'])).token;
  });
  after(async () => {
    await gateway?.stop();
    if (saved === undefined) delete process.env.APPAPI_CACHE_DIR;
    else process.env.APPAPI_CACHE_DIR = saved;
    rmSync(cacheDir, { recursive: true, force: true });
  });

  it('started from the cache, with the manifest the build made', () => {
    assert.equal(gateway.declarationsSource, 'cache');
    assert.deepStrictEqual(gateway.manifest(), builtManifest);
  });

  it('answers malformed JSON with 400 from the request validator, no token with 401, all problem+json', async () => {
    const malformed = await request(gateway, 'POST', '/customers', { token: tokens.partner, body: '{"name":', headers: { 'Content-Type': 'application/json' } });
    assert.equal(malformed.status, 400);
    const anonymous = await request(gateway, 'POST', '/customers', { body: { name: 'Anon', email: 'anon@example.com' } });
    assert.equal(anonymous.status, 401);
    for (const answer of [malformed, anonymous]) assert.match(answer.headers.get('content-type') ?? '', /problem\+json/);
  });

  const call = httpCallRoute(() => gateway, tokens);
  bookingFlowTests(() => call);
});
