// Shares a process: dynamo (its tables have the file's own prefix on the run's DynamoDB Local; it keeps no other state; see scripts/run-tests.ts)
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { Duration } from 'aws-cdk-lib';
import { AirDataModel, ApiApp, ApiAuth, AppApi, field, op, type AppDeclaration } from '../../lib';
import { createHandler } from '../../lambdas/runtime/create-handler';
import { requestDeadline } from '../../lambdas/runtime/middlewares/deadline';
import type { ProxyEvent } from '../../lambdas/runtime/proxy-event';
import { tablesOf } from '../support/dynamo';
import { RuntimeHarness } from '../support/runtime';

const tables = tablesOf(__filename);

const SLOW_UPSTREAM_MS = 1_200;

const notes: AppDeclaration = (environment) => {
  const app = new ApiApp(environment, 'Slow', { httpHosts: ['127.0.0.1'] });
  const model = new AirDataModel(app, 'Notes', { fields: { text: field.text() } });
  new AppApi(app, 'WriteThenCall', {
    method: 'POST',
    path: '/notes',
    auth: ApiAuth.public(),
    query: [{ name: 'url', required: true }],
    chain: [
      op.airdata.insert(model, { record: '{% $body %}', as: 'note' }),
      op.http({ url: '{% $query.url %}', timeout: Duration.seconds(5), as: 'upstream' }),
      op.respond({ status: 201, body: '{% $note %}' }),
    ],
  });
};

/** A Lambda context whose remaining time counts down, as Lambda's does. */
const lambdaContext = (remainingMs: number) => {
  const end = Date.now() + remainingMs;
  return { getRemainingTimeInMillis: () => end - Date.now() };
};

describe('deadline: middy\'s timeoutEarly answers 503 and its abort signal keeps the transaction from committing', () => {
  let harness: RuntimeHarness;
  let upstream: Server;
  let url = '';
  before(async () => {
    harness = await RuntimeHarness.start([notes], { tables });
    upstream = createServer((_, response) => setTimeout(() => response.writeHead(200, { 'Content-Type': 'application/json' }).end('{}'), SLOW_UPSTREAM_MS));
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}/slow`;
  });
  after(async () => {
    upstream?.closeAllConnections();
    upstream?.close();
    await harness?.stop();
  });

  const event = (text: string): ProxyEvent => ({
    httpMethod: 'POST',
    path: '/notes',
    headers: { 'Content-Type': 'application/json' },
    queryStringParameters: { url },
    body: JSON.stringify({ text }),
    requestContext: { requestId: `deadline-${text}` },
  });
  const stored = async (text: string) => (await harness.items(harness.manifest.models.Notes!.table)).filter((item) => item.text === text);

  it('happy flow: with time to spare, the write commits after the slow call', { timeout: 15_000 }, async () => {
    const handler = createHandler(harness.manifest, 'WriteThenCall', harness.documents);
    const result = await handler(event('in-time'), lambdaContext(5_000));
    assert.equal(result.statusCode, 201);
    assert.equal((await stored('in-time')).length, 1);
  });

  it('error flow: past the deadline the caller gets 503 and the write never lands, even once the chain finishes', { timeout: 15_000 }, async () => {
    const handler = createHandler(harness.manifest, 'WriteThenCall', harness.documents);
    const started = Date.now();
    const result = await handler(event('too-late'), lambdaContext(1_500));
    assert.equal(result.statusCode, 503);
    assert.equal(JSON.parse(result.body).code, 'deadline_exceeded');
    assert.ok(Date.now() - started < SLOW_UPSTREAM_MS, 'answered before the upstream did');
    // the chain goes on in the background until the upstream answers; give it time to (not) commit
    await new Promise((resolve) => setTimeout(resolve, SLOW_UPSTREAM_MS + 500));
    assert.deepEqual(await stored('too-late'), []);
  });

  it('another request\'s abort (middy shares one AbortController per process) does not count as this one\'s deadline', () => {
    const controller = new AbortController();
    const deadline = requestDeadline(controller.signal, { getRemainingTimeInMillis: () => 10_000 });
    assert.equal(deadline.passed(), false);
    controller.abort();
    assert.equal(deadline.passed(), false, 'aborted, but 9 s of this request\'s budget are left');
    const spent = requestDeadline(controller.signal, { getRemainingTimeInMillis: () => 700 });
    assert.equal(spent.passed(), true, 'aborted within the margin: the deadline has passed');
  });
});
