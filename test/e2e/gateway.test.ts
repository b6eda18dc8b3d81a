// Shares a process: gateway (its gateways listen on port 0 with the file's own tables and are closed by its hooks; see scripts/run-tests.ts)
import assert from 'node:assert/strict';
import { Agent, createServer, request as httpRequest, type Server } from 'node:http';
import { connect } from 'node:net';
import type { AddressInfo, Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import { MAX_BODY_BYTES } from '../../lib/gateway-problems';
import { loadEnvironment } from '../../lib/environments';
import type { RunningGateway } from '../../lib/local/gateway/server';
import { tablesOf } from '../support/dynamo';
import { apps } from '../support/lab-app';
import { createToken, request, startTestGateway } from './support';

const tables = tablesOf(__filename);

/** When a test last called a throttled route (its token bucket is the gateway's, shared by the tests). */
let throttledCalledAt = 0;

/** What the gateway sends back on a raw connection until it closes it (or it fails). */
function rawExchange(gateway: RunningGateway, send: (socket: Socket) => void): Promise<string> {
  return new Promise<string>((resolve) => {
    const socket = connect(Number(new URL(gateway.url).port), '127.0.0.1');
    let text = '';
    socket.on('data', (chunk) => (text += chunk));
    socket.on('close', () => resolve(text));
    socket.on('error', () => resolve(text));
    send(socket);
  });
}

describe('local gateway over HTTP', () => {
  let gateway: RunningGateway;
  let upstream: Server;
  let partners: string;
  let ops: string;
  before(async () => {
    gateway = await startTestGateway(tables);
    partners = (await createToken(gateway, ['partners'])).token;
    ops = (await createToken(gateway, ['ops'])).token;
    upstream = createServer((_, response) => response.writeHead(200, { 'Content-Type': 'application/json' }).end('{"pong":true}'));
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  });
  after(async () => {
    upstream?.close();
    await gateway?.stop();
  });

  it('serves exactly the routes the synthesized REST API has, for every environment (ANY methods are the 405 fallbacks)', async () => {
    for (const env of ['dev', 'staging', 'prod']) {
      const stack = loadEnvironment(env, apps);
      const methods = stack.node.findAll().filter((construct): construct is apigateway.Method => construct instanceof apigateway.Method && construct.resource.path !== '/');
      const synthesized = methods
        .filter((method) => !['ANY', 'OPTIONS'].includes(method.httpMethod))
        .map((method) => `${method.httpMethod} ${method.resource.path} ${(method.node.defaultChild as apigateway.CfnMethod).authorizationType}`)
        .sort();
      const served = stack.manifest.routes.map((route) => `${route.method} ${route.path} ${route.auth.type === 'public' ? 'NONE' : 'CUSTOM'}`).sort();
      assert.deepEqual(served, synthesized, env);
      // preflights exist on exactly the paths of apps with cors, where the local gateway answers them
      const preflightPaths = methods.filter((method) => method.httpMethod === 'OPTIONS').map((method) => method.resource.path).sort();
      const corsPaths = [...new Set(stack.manifest.routes.filter((route) => stack.manifest.apps[route.app]?.cors).map((route) => route.path))].sort();
      assert.deepEqual(preflightPaths, corsPaths, env);
    }
    // and the gateway resolves each of them (public → answers, key routes → 401 without a token)
    for (const route of gateway.manifest().routes) {
      const path = route.path.replace(/\{[^}]+\}/g, 'x');
      if (route.throttling) throttledCalledAt = Date.now();
      const answer = await request(gateway, route.method, `${path}${route.query.some((q) => q.required) ? '?url=http://127.0.0.1:1/' : ''}`);
      assert.ok(!['not_found', 'method_not_allowed'].includes(answer.body?.code), `${route.method} ${route.path} → ${answer.status} ${answer.body?.code}`);
      if (route.auth.type === 'keyGroups') assert.equal(answer.status, 401, `${route.method} ${route.path}`);
    }
  });

  it('put, patch, validate, transform and http operations over HTTP', async () => {
    assert.deepEqual((await request(gateway, 'PUT', '/lab/notes/n1', { body: { title: 'first' } })).body, { id: 'n1', title: 'first' });
    assert.deepEqual((await request(gateway, 'PATCH', '/lab/notes/n1', { body: { tags: ['a'] } })).body, { id: 'n1', title: 'first', tags: ['a'] });
    const invalid = await request(gateway, 'PUT', '/lab/notes/n2', { body: { tags: [] } });
    assert.equal(invalid.status, 400);
    assert.equal(invalid.body.code, 'validation_failed');
    assert.deepEqual((await request(gateway, 'POST', '/lab/size', { body: { data: 'abcdef' } })).body, { length: 6 });
    const port = (upstream.address() as AddressInfo).port;
    assert.deepEqual((await request(gateway, 'GET', `/lab/relay?url=${encodeURIComponent(`http://127.0.0.1:${port}/ping`)}`)).body, { status: 200, body: { pong: true } });
  });

  it('auth: no token or a bad token is 401, a token the route does not allow 403, an allowed one reaches the chain; all problem+json', async () => {
    // DELETE /customers/{id} is for ops; the record does not exist, so an allowed key gets the chain's 404
    for (const [token, status, code] of [
      [undefined, 401, 'unauthorized'],
      ['not-a-token', 401, 'unauthorized'],
      [partners, 403, 'forbidden'],
      [ops, 404, 'record_not_found'],
    ] as const) {
      const answer = await request(gateway, 'DELETE', '/customers/nobody-here', token ? { token } : {});
      assert.equal(answer.status, status, `${code}: ${JSON.stringify(answer.body)}`);
      assert.equal(answer.headers.get('content-type'), 'application/problem+json');
      assert.equal(answer.body.status, status);
      assert.equal(answer.body.code, code);
      assert.ok(answer.body.requestId);
    }
  });

  it('a dev token is 401 in staging running side by side', async () => {
    const staging = await startTestGateway(tables, { env: 'staging' });
    try {
      assert.equal((await request(staging, 'GET', '/customers/x', { token: partners })).status, 401);
      const stagingToken = (await createToken(staging, ['partners'])).token;
      assert.equal((await request(staging, 'GET', '/customers/x', { token: stagingToken })).status, 404);
      assert.equal((await request(gateway, 'GET', '/customers/x', { token: stagingToken })).status, 401);
    } finally {
      await staging.stop();
    }
  });

  it('HTTP semantics: unknown path 404, undeclared method 405 with Allow, problem+json', async () => {
    const missing = await request(gateway, 'GET', '/nowhere/at/all');
    assert.equal(missing.status, 404);
    assert.equal(missing.headers.get('content-type'), 'application/problem+json');
    const wrongMethod = await request(gateway, 'PATCH', '/customers');
    assert.equal(wrongMethod.status, 405);
    assert.equal(wrongMethod.headers.get('allow'), 'GET, POST');
    assert.equal(wrongMethod.body.code, 'method_not_allowed');
  });

  it('answers the gateway makes keep the connection of a request without a body open, and close it when a declared body is left unread', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const sockets = new Set<unknown>();
    const call = (method: string, path: string) =>
      new Promise<{ status: number; connection: string | undefined }>((resolve, reject) => {
        const outgoing = httpRequest(`${gateway.url}${path}`, { method, agent }, (response) => {
          sockets.add(response.socket);
          response.resume();
          response.on('end', () => resolve({ status: response.statusCode!, connection: response.headers.connection }));
        });
        outgoing.on('error', reject);
        outgoing.end();
      });
    try {
      const answers = [await call('GET', '/nowhere/at/all'), await call('GET', '/customers'), await call('PATCH', '/customers'), await call('GET', '/health')];
      assert.deepEqual(answers.map((answer) => answer.status), [404, 401, 405, 200]);
      assert.deepEqual(answers.map((answer) => answer.connection), ['keep-alive', 'keep-alive', 'keep-alive', 'keep-alive']);
      assert.equal(sockets.size, 1, 'one connection served all four');
    } finally {
      agent.destroy();
    }
    // a body that was declared and not sent is not waited for: the answer closes the connection
    const raw = await rawExchange(gateway, (socket) => socket.write('POST /nowhere/at/all HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n'));
    assert.match(raw, /^HTTP\/1\.1 404/);
    assert.match(raw, /\r\nConnection: close\r\n/i);
  });

  it('CORS: preflight and answers carry the headers for listed origins only, as the stack\'s OPTIONS method does', async () => {
    const preflight = await fetch(`${gateway.url}/lab/notes/n1`, { method: 'OPTIONS', headers: { Origin: 'https://admin.example.com', 'Access-Control-Request-Method': 'PATCH' } });
    assert.equal(preflight.status, 204);
    assert.equal(preflight.headers.get('access-control-allow-origin'), 'https://admin.example.com');
    assert.equal(preflight.headers.get('access-control-allow-methods'), 'PATCH,PUT,OPTIONS');
    assert.match(preflight.headers.get('access-control-allow-headers')!, /Authorization/);
    const stranger = await fetch(`${gateway.url}/lab/notes/n1`, { method: 'OPTIONS', headers: { Origin: 'https://evil.example.com' } });
    assert.equal(stranger.headers.get('access-control-allow-origin'), 'https://app.example.com', 'not the caller\'s origin: the browser refuses');
    const answer = await request(gateway, 'PUT', '/lab/notes/cors', { body: { title: 't' }, headers: { Origin: 'https://app.example.com' } });
    assert.equal(answer.headers.get('access-control-allow-origin'), 'https://app.example.com');
    assert.match(answer.headers.get('access-control-expose-headers')!, /x-amzn-RequestId/);
    const problem = await request(gateway, 'PUT', '/lab/notes/cors', { body: {}, headers: { Origin: 'https://app.example.com' } });
    assert.equal(problem.status, 400);
    assert.equal(problem.headers.get('access-control-allow-origin'), 'https://app.example.com', 'errors are readable by the page too');
    assert.equal((await request(gateway, 'PUT', '/lab/notes/cors', { body: { title: 't' }, headers: { Origin: 'https://evil.example.com' } })).headers.get('access-control-allow-origin'), null);
    assert.equal((await fetch(`${gateway.url}/customers`, { method: 'OPTIONS' })).status, 405, 'an app without cors has no preflight');
  });

  it('throttling: an App API declared at 1/s with a burst of 2 answers 429 with Retry-After on the third quick call', async () => {
    // the first test called this route too: its bucket (burst 2, refilled at 1/s) is full again 2 s after
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, throttledCalledAt + 2_000 - Date.now())));
    const statuses = [];
    for (let call = 0; call < 3; call += 1) statuses.push(await request(gateway, 'GET', '/lab/throttled'));
    assert.deepEqual(statuses.map((answer) => answer.status), [200, 200, 429]);
    assert.equal(statuses[2]!.headers.get('retry-after'), '1');
    assert.equal(statuses[2]!.body.code, 'too_many_requests');
  });

  it('a compressed request body is 415, as the WAF rule answers in AWS', async () => {
    const answer = await request(gateway, 'POST', '/lab/size', { body: { data: 'x' }, headers: { 'Content-Encoding': 'gzip' } });
    assert.deepEqual([answer.status, answer.body.code], [415, 'unsupported_content_encoding']);
  });

  it('5 MiB: exactly 5,242,880 bytes pass, one more is 413; chunked is 411 from the web ACL; an understating Content-Length reads only the declared bytes', { timeout: 60_000 }, async () => {
    const jsonOfSize = (bytes: number) => `{"data":"${'a'.repeat(bytes - 11)}"}`;
    const atLimit = await request(gateway, 'POST', '/lab/size', { body: jsonOfSize(MAX_BODY_BYTES) });
    assert.deepEqual([atLimit.status, atLimit.body], [200, { length: MAX_BODY_BYTES - 11 }]);
    const over = await request(gateway, 'POST', '/lab/size', { body: jsonOfSize(MAX_BODY_BYTES + 1) });
    assert.equal(over.status, 413);
    assert.equal(over.body.code, 'payload_too_large');

    const chunked = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const call = httpRequest(`${gateway.url}/lab/size`, { method: 'POST', headers: { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' } }, (response) => {
        let text = '';
        response.on('data', (chunk) => (text += chunk));
        response.on('end', () => resolve({ status: response.statusCode!, body: text }));
      });
      call.on('error', (error: NodeJS.ErrnoException) => (['EPIPE', 'ECONNRESET'].includes(error.code ?? '') ? undefined : reject(error)));
      const piece = Buffer.alloc(64 * 1024, 'a');
      let sent = 0;
      const pump = () => {
        while (sent < 8 * 1024 * 1024 && !call.destroyed) {
          sent += piece.length;
          if (!call.write(piece)) return void call.once('drain', pump);
        }
        call.end();
      };
      pump();
    });
    // the stage's web ACL refuses every chunked body (WAF cannot count it), locally as in AWS
    assert.equal(chunked.status, 411);
    assert.equal(JSON.parse(chunked.body).code, 'length_required');

    // a Content-Length that understates the body: only the declared bytes are the body, the rest is not a request
    const raw = await rawExchange(gateway, (socket) => {
      socket.write('POST /lab/size HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 12\r\n\r\n{"data":"ab"}');
      socket.end(Buffer.alloc(6 * 1024 * 1024, 'z'));
    });
    assert.match(raw, /^HTTP\/1\.1 400/, 'the 12 declared bytes are not valid JSON: 400, never a 6 MiB body');
    assert.doesNotMatch(raw, / 5\d\d /);
    assert.deepEqual((await request(gateway, 'GET', '/health')).body, { status: 'ok' }, 'still serving');
  });

  it('a body under 5 MiB whose escaped event exceeds Lambda\'s 6,291,556-byte invocation payload is 500, as API Gateway answers', { timeout: 60_000 }, async () => {
    // every quote of the body is escaped in the event: 3.5 MiB of \" becomes about 7 MB
    const quoteDense = `{"data":"${'\\"'.repeat((3.5 * 1024 * 1024) / 2)}"}`;
    const refused = await request(gateway, 'POST', '/lab/size', { body: quoteDense });
    assert.deepEqual([refused.status, refused.body.code], [500, 'internal_error']);
    // the same size without quotes fits: the limit is on the event, not the body
    const plain = await request(gateway, 'POST', '/lab/size', { body: `{"data":"${'a'.repeat(3.5 * 1024 * 1024)}"}` });
    assert.equal(plain.status, 200);
  });
});
