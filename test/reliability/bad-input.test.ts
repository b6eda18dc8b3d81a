// Shares a process: gateway-clients (its gateways listen on port 0 with the file's own tables and are closed by its hooks; see scripts/run-tests.ts)
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import type { RunningGateway } from '../../lib/local/gateway/server';
import { createToken, startTestGateway } from '../e2e/support';
import { tablesOf } from '../support/dynamo';

const tables = tablesOf(__filename);

interface RawAnswer {
  readonly status: number;
  readonly contentType: string;
  readonly body: string;
}

/** One request with exactly these bytes and headers (repeated headers as arrays), bounded in time. */
function send(gateway: RunningGateway, method: string, path: string, headers: Record<string, string | string[]>, body?: Buffer): Promise<RawAnswer> {
  const url = new URL(gateway.url);
  return new Promise((resolve, reject) => {
    // a body is framed by Content-Length, as a real client sends it (also on GET)
    const framed = body === undefined ? headers : { ...headers, 'content-length': String(body.length) };
    const call = httpRequest({ host: url.hostname, port: url.port, method, path, headers: framed, timeout: 20_000 }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode!, contentType: String(response.headers['content-type'] ?? ''), body: Buffer.concat(chunks).toString('utf8') }));
    });
    call.on('timeout', () => call.destroy(new Error(`no answer to ${method} ${path}`)));
    call.on('error', reject);
    call.end(body);
  });
}

function assertGoodAnswer(answer: RawAnswer, what: string): void {
  assert.ok(answer.status < 500, `${what} → ${answer.status} ${answer.body.slice(0, 300)}`);
  if (answer.status >= 400) {
    assert.equal(answer.contentType, 'application/problem+json', `${what} → ${answer.status} without problem+json`);
    const problem = JSON.parse(answer.body) as { code?: unknown; status?: unknown };
    assert.equal(typeof problem.code, 'string', what);
    assert.equal(problem.status, answer.status, what);
  }
}

const printable = fc.integer({ min: 0x20, max: 0x7e }).map((code) => String.fromCharCode(code));
const headerValue = fc.string({ unit: printable, maxLength: 300 });
const nasty = [
  '..',
  '%2e%2e',
  '..%2F..%2Fetc%2Fpasswd',
  '%2F',
  '%00',
  '%E0%A4%A',
  '%F0%9F%98%80',
  '__proto__',
  'constructor',
  '#unique#email#ada@example.com',
  '%23journeys',
  'x'.repeat(3_000),
];
const segment = fc.oneof(fc.constantFrom(...nasty), fc.string({ unit: fc.constantFrom(...'abcXYZ019-_.~%'.split('')), minLength: 1, maxLength: 40 }));
const queryValue = fc.oneof(fc.constantFrom('', '1e309', 'NaN', '-0', '0x10', 'true', '[]', '{}', '%', 'x'.repeat(4_000), 'ada@example.com'), headerValue);
const field = fc.oneof(fc.string(), fc.integer().map(String), fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.jsonValue(), fc.constant('x'.repeat(3_000)));
const objectBody = fc.record(
  { name: field, email: field, phone: field, customerId: field, service: field, slot: field, type: field, data: fc.oneof(fc.jsonValue(), field), title: field, tags: field },
  { requiredKeys: [] },
);
const body = fc.oneof(
  objectBody.map((value) => Buffer.from(JSON.stringify(value))),
  fc.jsonValue().map((value) => Buffer.from(JSON.stringify(value))),
  fc.string().map((text) => Buffer.from(text)),
  fc.uint8Array({ maxLength: 2_000 }).map((bytes) => Buffer.from(bytes)),
  fc.constantFrom(
    '{"__proto__":{"polluted":true},"name":"a","email":"p@example.com"}',
    '{"constructor":{"prototype":{"polluted":true}}}',
    '['.repeat(100_000),
    `${'{"a":'.repeat(5_000)}1${'}'.repeat(5_000)}`,
    '"\\uD800"',
    '{"name":"1","email":"2"}',
    '{"name":"a","email":"a@example.com","name":"b"}',
    '1e999999',
    '',
  ).map((text) => Buffer.from(text)),
);
/**
 * The corpus is the same on every run: a fixed seed and a fixed number of requests, each one sent
 * (no time limit cuts the run short). A failure prints the seed and path that replay it;
 * APPAPI_FUZZ_SEED=<n> sends another corpus.
 */
const SEED = Number(process.env.APPAPI_FUZZ_SEED ?? 20_261_128);
const RUNS = 600;

const contentType = fc.constantFrom('application/json', 'application/json; charset=utf-8', 'text/plain', 'application/x-www-form-urlencoded', 'application/octet-stream', 'application/json;;;', 'multipart/form-data; boundary=x', undefined);

describe('bad input: every answer 4xx problem+json (or a success), never a 5xx or a crash', () => {
  let gateway: RunningGateway;
  let tokens: string[];
  const errors: string[] = [];
  before(async () => {
    gateway = await startTestGateway(tables, { log: (entry) => entry.level === 'error' && errors.push(JSON.stringify(entry)) });
    tokens = [(await createToken(gateway, ['partners', 'ops'])).token, 'not.a.token', ''];
  });
  after(() => gateway?.stop());

  // the timeout only guards against a hang: 600 requests take a few seconds
  it(`a generated corpus of ${RUNS} requests against every route (seed ${SEED})`, { timeout: 180_000 }, async () => {
    const routes = gateway.manifest().routes;
    let sent = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...routes),
        fc.array(segment, { minLength: 3, maxLength: 3 }),
        fc.array(fc.tuple(fc.constantFrom('email', 'limit', 'cursor', 'url', 'x', '__proto__'), queryValue), { maxLength: 30 }),
        fc.dictionary(fc.constantFrom('x-a', 'accept', 'origin', 'idempotency-key', 'x-forwarded-for', 'cookie', 'content-language'), headerValue, { maxKeys: 5 }),
        fc.constantFrom(0, 1, 2),
        contentType,
        fc.option(body, { nil: undefined }),
        async (route, segments, query, headers, tokenIndex, type, payload) => {
          let index = 0;
          const path = route.path.replace(/\{[^}]+\}/g, () => segments[index++]!) + (query.length ? `?${query.map(([name, value]) => `${name}=${encodeURIComponent(value)}`).join('&')}` : '');
          const allHeaders: Record<string, string | string[]> = { ...headers };
          if (tokens[tokenIndex]) allHeaders.authorization = `Bearer ${tokens[tokenIndex]}`;
          if (type !== undefined) allHeaders['content-type'] = type;
          const answer = await send(gateway, route.method, path, allHeaders, payload);
          sent += 1;
          assertGoodAnswer(answer, `${route.method} ${path.slice(0, 200)}`);
        },
      ),
      { seed: SEED, numRuns: RUNS },
    );
    assert.equal(sent, RUNS, 'every request of the corpus was sent');
    assert.deepEqual(errors, [], 'the gateway logged no failure');
  });

  it('empty, blank and whitespace values for every query and path parameter of every route', { timeout: 120_000 }, async () => {
    const [token] = tokens;
    const routes = gateway.manifest().routes;
    // a blank value where a DynamoDB key is built (an index partition key, a record id) must be a 400 or an empty page
    const blanks = ['', ' ', '   ', '\t', '\n', '\r\n', '\u00a0', '\u3000', '\u200b'];
    const call = (route: (typeof routes)[number], params: Record<string, string>, query: Record<string, string>) => {
      const path = route.path.replace(/\{([^}]+)\}/g, (_, name: string) => encodeURIComponent(params[name] ?? 'x1'));
      const search = Object.entries(query).map(([name, value]) => `${encodeURIComponent(name)}=${encodeURIComponent(value)}`).join('&');
      const headers: Record<string, string> = { authorization: `Bearer ${token}` };
      return send(gateway, route.method, search ? `${path}?${search}` : path, headers, ['POST', 'PUT', 'PATCH'].includes(route.method) ? Buffer.from('{}') : undefined).then((answer) => {
        assertGoodAnswer(answer, `${route.method} ${path}?${search}`);
        return answer;
      });
    };
    let requests = 0;
    for (const route of routes) {
      const filled = Object.fromEntries(route.query.map((parameter) => [parameter.name, parameter.type === 'string' ? 'ada@example.com' : '1']));
      for (const blank of blanks) {
        for (const parameter of route.query) {
          await call(route, {}, { ...filled, [parameter.name]: blank });
          await call(route, {}, { [parameter.name]: blank });
          requests += 2;
        }
        for (const name of route.pathParameters) {
          await call(route, { [name]: blank }, filled);
          requests += 1;
        }
      }
    }
    assert.ok(requests > 100, `${requests} requests`);
    // and any run of whitespace, in every parameter at once
    const whitespace = fc.string({ unit: fc.constantFrom(' ', '\t', '\n', '\r', '\u00a0', '\u2003', '\u3000', '\ufeff'), maxLength: 8 });
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...routes.filter((route) => route.query.length + route.pathParameters.length > 0)), whitespace, async (route, value) => {
        await call(route, Object.fromEntries(route.pathParameters.map((name) => [name, value])), Object.fromEntries(route.query.map((parameter) => [parameter.name, value])));
      }),
      { numRuns: 100, interruptAfterTimeLimit: 60_000 },
    );
    assert.deepEqual(errors, [], 'the gateway logged no failure');
  });

  it('huge and repeated headers, many query parameters, deep JSON, unparseable requests', { timeout: 60_000 }, async () => {
    const [token] = tokens;
    const cases: Array<[string, () => Promise<RawAnswer>]> = [
      ['a 20 KB header', () => send(gateway, 'GET', '/health', { 'x-big': 'x'.repeat(20_000) })],
      ['100 repeated headers', () => send(gateway, 'GET', '/customers', { authorization: `Bearer ${token}`, 'x-repeat': Array.from({ length: 100 }, (_, n) => `v${n}`) })],
      ['two Authorization headers', () => send(gateway, 'GET', '/customers', { authorization: [`Bearer ${token}`, `Bearer ${token}`] })],
      ['1,000 query parameters', () => send(gateway, 'GET', `/customers?${Array.from({ length: 1_000 }, (_, n) => `email=${n}`).join('&')}`, { authorization: `Bearer ${token}` })],
      ['deeply nested JSON', () => send(gateway, 'POST', '/customers', { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, Buffer.from(`${'['.repeat(200_000)}${']'.repeat(200_000)}`))],
      ['numbers as strings', () => send(gateway, 'GET', '/customers?limit=ten', { authorization: `Bearer ${token}` })],
      ['invalid UTF-8', () => send(gateway, 'POST', '/customers', { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d]))],
      ['an id DynamoDB could not key', () => send(gateway, 'GET', `/customers/${'é'.repeat(2_000)}`, { authorization: `Bearer ${token}` })],
      ['an email DynamoDB could not index', () => send(gateway, 'GET', `/customers?email=${'a'.repeat(3_000)}`, { authorization: `Bearer ${token}` })],
      ['a long indexed value on insert', () => send(gateway, 'POST', '/customers', { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, Buffer.from(JSON.stringify({ name: 'Long', email: `${'a'.repeat(1_500)}@example.com` })))],
    ];
    for (const [name, call] of cases) assertGoodAnswer(await call(), name);
    const broken = await new Promise<string>((resolve) => {
      const url = new URL(gateway.url);
      const socket = require('node:net').connect(Number(url.port), url.hostname);
      let text = '';
      socket.on('data', (chunk: Buffer) => (text += chunk));
      socket.on('close', () => resolve(text));
      socket.end('GET /health HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n');
    });
    assert.match(broken, /^HTTP\/1\.1 400 .*\r\nContent-Type: application\/problem\+json/s);
  });

  it('nothing was polluted and the gateway still serves', async () => {
    assert.equal(({} as { polluted?: unknown }).polluted, undefined);
    assert.equal((await send(gateway, 'GET', '/health', {})).status, 200);
  });
});
