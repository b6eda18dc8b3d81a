// Shares a process: units (its tests call functions and close the servers and sockets they open; see scripts/run-tests.ts)
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { Duration } from 'aws-cdk-lib';
import { createHandler } from '../../lambdas/runtime/create-handler';
import type { ProxyEvent } from '../../lambdas/runtime/proxy-event';
import { ApiApp, ApiAuth, AppApi, op, type AppDeclaration } from '../../lib';
import { lambdaAssetDirectory } from '../../lib/constructs/lambda-asset';
import { environmentStack } from '../support/cdk';

const site: AppDeclaration = (environment) => {
  const app = new ApiApp(environment, 'Site', { settings: { home: 'https://home.example' } });
  new AppApi(app, 'Health', { method: 'GET', path: '/health', auth: ApiAuth.public(), chain: [op.respond({ body: { status: 'ok' } })] });
  new AppApi(app, 'Quote', {
    method: 'POST',
    path: '/quotes/{product}',
    auth: ApiAuth.keyGroups('partners'),
    query: [{ name: 'quantity', type: 'integer', required: true }, { name: 'express', type: 'boolean' }],
    body: { type: 'object', required: ['currency'], properties: { currency: { enum: ['EUR', 'USD'] }, note: { type: 'string', maxLength: 5 } } },
    chain: [
      op.transform('{% $query.quantity * ($query.express ? 12 : 10) %}', { as: 'total' }),
      op.when('{% $total > 100 %}', [op.respond({ status: 422, body: { error: 'too many' } })]),
      op.respond({
        status: 201,
        headers: { 'X-Key': '{% $auth.keyId %}' },
        body: '{% { "product": $params.product, "total": $total, "currency": $body.currency, "env": $auth.env, "requestId": $request.id } %}',
      }),
    ],
  });
  new AppApi(app, 'Echo', { method: 'POST', path: '/echo', auth: ApiAuth.public(), chain: [op.respond({ body: '{% $body %}' })] });
  new AppApi(app, 'Home', { method: 'GET', path: '/home', auth: ApiAuth.public(), chain: [op.redirect({ location: '{% $settings.home & "/welcome" %}' })] });
  new AppApi(app, 'Divide', {
    method: 'GET',
    path: '/divide',
    auth: ApiAuth.public(),
    query: [{ name: 'by' }],
    chain: [op.respond({ body: '{% 10 / $query.by %}' })],
  });
};

const relay: AppDeclaration = (environment) => {
  const app = new ApiApp(environment, 'Relay', { httpHosts: ['127.0.0.1'] });
  new AppApi(app, 'Relay', {
    method: 'GET',
    path: '/relay',
    auth: ApiAuth.public(),
    query: [{ name: 'url', required: true }],
    chain: [op.http({ url: '{% $query.url %}', timeout: Duration.seconds(5), as: 'upstream' }), op.respond({ body: '{% { "status": $upstream.status, "body": $upstream.body } %}' })],
  });
};

const stack = environmentStack([site, relay]);
const manifest = stack.manifest;

function event(overrides: Partial<ProxyEvent> & { httpMethod: string }): ProxyEvent {
  return {
    headers: {},
    queryStringParameters: null,
    pathParameters: null,
    body: null,
    isBase64Encoded: false,
    requestContext: { requestId: 'req-1', requestTimeEpoch: Date.UTC(2026, 10, 28), authorizer: { principalId: 'key-123', groups: 'partners' } },
    ...overrides,
  };
}

const quote = createHandler(manifest, 'Quote');
const quoteEvent = (overrides: Partial<ProxyEvent> = {}) =>
  event({
    httpMethod: 'POST',
    pathParameters: { product: 'widget' },
    queryStringParameters: { quantity: '3', express: 'true' },
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ currency: 'EUR' }),
    ...overrides,
  });

describe('chain runtime (no database)', () => {
  it('happy flow: answers a literal respond with JSON', async () => {
    const result = await createHandler(manifest, 'Health')(event({ httpMethod: 'GET' }));
    assert.equal(result.statusCode, 200);
    assert.equal(result.headers['Content-Type'], 'application/json');
    assert.deepEqual(JSON.parse(result.body), { status: 'ok' });
  });

  it('happy flow: binds params, typed query, body, auth and request, and evaluates headers', async () => {
    const result = await quote(quoteEvent());
    assert.equal(result.statusCode, 201);
    assert.equal(result.headers['X-Key'], 'key-123');
    assert.deepEqual(JSON.parse(result.body), { product: 'widget', total: 36, currency: 'EUR', env: 'dev', requestId: 'req-1' });
  });

  it('runs op.when branches, which may answer', async () => {
    const result = await quote(quoteEvent({ queryStringParameters: { quantity: '11' } }));
    assert.equal(result.statusCode, 422);
    assert.deepEqual(JSON.parse(result.body), { error: 'too many' });
  });

  it('redirects with 302 and a Location built from app settings', async () => {
    const result = await createHandler(manifest, 'Home')(event({ httpMethod: 'GET' }));
    assert.equal(result.statusCode, 302);
    assert.equal(result.headers.Location, 'https://home.example/welcome');
  });

  it('error flow: reports every body violation as 400 problem+json', async () => {
    const result = await quote(quoteEvent({ body: JSON.stringify({ currency: 'GBP', note: 'far too long' }) }));
    assert.equal(result.statusCode, 400);
    assert.equal(result.headers['Content-Type'], 'application/problem+json');
    const problem = JSON.parse(result.body);
    assert.equal(problem.code, 'validation_failed');
    assert.equal(problem.requestId, 'req-1');
    assert.deepEqual(problem.violations.map((v: { pointer: string }) => v.pointer).sort(), ['/body/currency', '/body/note']);
  });

  it('error flow: malformed JSON is 400, a non-JSON content type 415', async () => {
    const malformed = await quote(quoteEvent({ body: '{"currency": "EUR"' }));
    assert.equal(malformed.statusCode, 400);
    assert.equal(JSON.parse(malformed.body).code, 'malformed_json');
    const wrongType = await quote(quoteEvent({ headers: { 'content-type': 'text/plain' } }));
    assert.equal(wrongType.statusCode, 415);
    assert.equal(JSON.parse(wrongType.body).code, 'unsupported_media_type');
  });

  it('error flow: missing or mistyped query parameters are 400 listing each', async () => {
    const result = await quote(quoteEvent({ queryStringParameters: { express: 'yes' } }));
    assert.equal(result.statusCode, 400);
    const problem = JSON.parse(result.body);
    assert.equal(problem.code, 'invalid_query');
    assert.deepEqual(problem.violations, [
      { parameter: 'quantity', reason: 'is required' },
      { parameter: 'express', reason: 'must be a boolean' },
    ]);
  });

  it('error flow: an expression the input breaks is 400, not 500', async () => {
    const result = await createHandler(manifest, 'Divide')(event({ httpMethod: 'GET', queryStringParameters: { by: 'zero' } }));
    assert.equal(result.statusCode, 400);
    assert.equal(JSON.parse(result.body).code, 'expression_failed');
  });

  it('error flow: a body over 5 MiB that got past the gateway is 413 (the handler\'s backstop), base64 or not', async () => {
    const big = JSON.stringify({ currency: 'EUR', note: 'x'.repeat(5 * 1024 * 1024) });
    for (const overrides of [{ body: big }, { body: Buffer.from(big).toString('base64'), isBase64Encoded: true }]) {
      const result = await quote(quoteEvent(overrides));
      assert.equal(result.statusCode, 413);
      assert.equal(JSON.parse(result.body).code, 'payload_too_large');
    }
  });

  it('error flow: a __proto__ key in the body is dropped at any depth, the rest is served, and nothing is polluted', async () => {
    const body = '{"currency":"EUR","__proto__":{"polluted":true},"nested":{"__proto__":{"polluted":true},"kept":1}}';
    const quoted = await quote(quoteEvent({ body }));
    assert.deepEqual([quoted.statusCode, JSON.parse(quoted.body).currency], [201, 'EUR']);
    const echoed = await createHandler(manifest, 'Echo')(event({ httpMethod: 'POST', headers: { 'Content-Type': 'application/json' }, body }));
    assert.equal(echoed.statusCode, 200);
    // JSON.parse keeps "__proto__" as an own key, so one the chain had seen would be listed here
    const seen = JSON.parse(echoed.body);
    assert.deepEqual(Object.keys(seen), ['currency', 'nested']);
    assert.deepEqual(Object.keys(seen.nested), ['kept']);
    assert.equal(Object.getPrototypeOf(seen.nested), Object.prototype);
    assert.equal(({} as { polluted?: boolean }).polluted, undefined);
  });

  it('happy flow: an http step binds the upstream status and parsed JSON body', async (t) => {
    const upstream = createServer((_, response) => response.writeHead(418, { 'Content-Type': 'application/json' }).end('{"tea":true}'));
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    t.after(() => upstream.close());
    const url = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}/pot`;
    const result = await createHandler(manifest, 'Relay')(event({ httpMethod: 'GET', queryStringParameters: { url } }));
    assert.deepEqual(JSON.parse(result.body), { status: 418, body: { tea: true } });
  });

  it('error flow: a request outliving the Lambda\'s remaining time answers 503 with Retry-After before it', { timeout: 10_000 }, async (t) => {
    const silent = createServer(() => {});
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    t.after(() => silent.closeAllConnections?.() ?? silent.close());
    const url = `http://127.0.0.1:${(silent.address() as AddressInfo).port}/never`;
    const started = Date.now();
    const result = await createHandler(manifest, 'Relay')(event({ httpMethod: 'GET', queryStringParameters: { url } }), { getRemainingTimeInMillis: () => 1_500 });
    const elapsed = Date.now() - started;
    silent.close();
    assert.equal(result.statusCode, 503);
    assert.equal(result.headers['Retry-After'], '1');
    assert.equal(JSON.parse(result.body).code, 'deadline_exceeded');
    assert.ok(elapsed < 1_500, `answered after ${elapsed} ms, before the 1,500 ms the platform allowed`);
  });

  it('the shipped bundle loads its manifest at cold start and answers in a fresh process (SDK from the runtime, as on nodejs22.x)', () => {
    const directory = lambdaAssetDirectory('handler', manifest);
    const script = `require(${JSON.stringify(join(directory, 'handler.js'))}).handler({ httpMethod: 'GET', requestContext: { requestId: 'cold' } }).then((r) => console.log(JSON.stringify(r)))`;
    const output = execFileSync(process.execPath, ['-e', script], { env: { ...process.env, APPAPI_ROUTE: 'Health', NODE_PATH: join(__dirname, '..', '..', 'node_modules') }, encoding: 'utf8' });
    const [log, answer] = output.trim().split('\n').map((line) => JSON.parse(line));
    assert.deepEqual(answer, { statusCode: 200, headers: { 'Content-Type': 'application/json', 'Cache-Control': 'no-store', 'Referrer-Policy': 'no-referrer', 'X-Content-Type-Options': 'nosniff' }, body: '{"status":"ok"}' });
    // one structured line per request, with API Gateway's request id
    assert.deepEqual({ ...log, latencyMs: typeof log.latencyMs, timestamp: typeof log.timestamp }, { timestamp: 'string', level: 'info', message: 'request', function: 'handler', requestId: 'cold', route: 'Health', method: 'GET', status: 200, latencyMs: 'number' });
    // at debug level the chain's trace is logged too (off by default)
    const debug = execFileSync(process.execPath, ['-e', script], { env: { ...process.env, APPAPI_ROUTE: 'Health', APPAPI_LOG_LEVEL: 'debug', NODE_PATH: join(__dirname, '..', '..', 'node_modules') }, encoding: 'utf8' });
    const trace = debug.trim().split('\n').map((line) => JSON.parse(line)).find((entry) => entry.message === 'trace');
    assert.deepEqual([trace.level, trace.requestId, trace.steps.map((step: { op: string }) => step.op)], ['debug', 'cold', ['respond']]);
  });
});
