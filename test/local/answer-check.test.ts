// Shares a process: gateway-clients (its gateways listen on port 0 with the file's own tables and are closed by its hooks; see scripts/run-tests.ts)
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { createDocumentClient } from '../../lambdas/runtime/dynamodb';
import type { ProxyResult } from '../../lambdas/runtime/proxy-event';
import type { RouteManifest } from '../../lambdas/shared/manifest';
import { loadEnvironment } from '../../lib/environments';
import { localPlatform } from '../../lib/local/cloud/platform';
import { answerCheckModeFromEnv, createAnswerCheck, type AnswerCheckMode } from '../../lib/local/gateway/answer-check';
import { createGatewayApp, type AccessLogEntry } from '../../lib/local/gateway/gateway-app';
import { TraceStore } from '../../lib/local/gateway/trace-store';
import { loadOrCreateSigningKey } from '../../lib/local/signing-key-file';
import { openApiDocument } from '../../lib/openapi';
import { apps } from '../support/contract-app';
import { temporaryHome } from '../e2e/support';

const environment = loadEnvironment('dev', apps);
const manifest = environment.manifest;
const route = (id: string) => manifest.routes.find((candidate) => candidate.id === id)!;
const json = (statusCode: number, body: unknown, contentType = 'application/json'): ProxyResult => ({ statusCode, headers: { 'Content-Type': contentType }, body: JSON.stringify(body) });

describe('answers checked against their published schemas (local mode only)', () => {
  describe('the check', () => {
    const check = createAnswerCheck(openApiDocument(manifest));

    it('accepts answers that match, and names each violation by its place in the body', () => {
      assert.deepEqual(check(route('Echo'), json(200, { id: 7 })), []);
      assert.deepEqual(check(route('Echo'), json(200, { id: 'seven' })), ['/id must be integer']);
      assert.deepEqual(check(route('Echo'), json(200, {})), ['/id is required']);
      assert.deepEqual(check(route('Greeting'), json(200, { greeting: 'hello' })), []);
      assert.deepEqual(check(route('Greeting'), json(200, { greeting: 'hi', to: 3 })), ['/greeting must be equal to constant', '/to must be string']);
    });

    it('refuses an unpublished status, an unpublished Content-Type, a body that is not JSON', () => {
      assert.match(check(route('Echo'), json(201, { id: 1 }))[0]!, /^status 201 is not published for this route \(published: 200, 400, /);
      assert.deepEqual(check(route('Echo'), json(200, { id: 1 }, 'text/plain')), ['Content-Type "text/plain" is not published for it (published: application/json)']);
      assert.deepEqual(check(route('Echo'), { statusCode: 200, headers: { 'content-type': 'application/json' }, body: '{"id":' }), ['the body is not JSON']);
    });

    it('checks problem+json answers against the Problem schema, which requires every field always sent', () => {
      const problem = { type: 'https://appapi.dev/problems/validation-failed', title: 'Bad Request', status: 400, detail: 'x', code: 'validation_failed', requestId: 'r-1' };
      assert.deepEqual(check(route('Echo'), json(400, problem, 'application/problem+json')), []);
      const { status: _status, detail: _detail, ...withoutStatusAndDetail } = problem;
      assert.deepEqual(check(route('Echo'), json(400, withoutStatusAndDetail, 'application/problem+json')), ['/status is required', '/detail is required']);
    });

    it('checks a redirect has its Location and a body-less answer sends no body', () => {
      const redirecting = { ...route('Greeting'), id: 'Go', path: '/go' } as RouteManifest;
      const document = openApiDocument({ ...manifest, routes: [{ ...redirecting, chain: [{ op: 'redirect', status: 302, location: 'https://example.com/' }] }] });
      const goCheck = createAnswerCheck(document);
      assert.deepEqual(goCheck(redirecting, { statusCode: 302, headers: { Location: 'https://example.com/' }, body: '' }), []);
      assert.deepEqual(goCheck(redirecting, { statusCode: 302, headers: {}, body: 'moved' }), ['header Location is missing', 'a body is sent, but this answer is published without one']);
    });

    it('takes its mode from APPAPI_RESPONSE_CHECK (warn by default) and refuses an unknown one', () => {
      assert.equal(answerCheckModeFromEnv({}), 'warn');
      assert.equal(answerCheckModeFromEnv({ APPAPI_RESPONSE_CHECK: 'fatal' }), 'fatal');
      assert.throws(() => answerCheckModeFromEnv({ APPAPI_RESPONSE_CHECK: 'strict' }), /APPAPI_RESPONSE_CHECK is "strict"; set it to one of warn, fatal, off/);
    });
  });

  describe('in the local gateway', () => {
    const servers: Server[] = [];
    const documents = createDocumentClient('http://127.0.0.1:9');
    const publicJwk = loadOrCreateSigningKey(temporaryHome(), 'dev').publicJwk;
    after(async () => {
      await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
      documents.destroy();
    });

    async function gateway(answerCheck: AnswerCheckMode) {
      const logs: Array<Record<string, unknown>> = [];
      const traces = new TraceStore();
      const app = createGatewayApp({
        manifest,
        documents,
        publicJwk,
        platform: localPlatform(environment),
        answerCheck,
        log: (entry) => logs.push(entry),
        onTrace: (trace) => traces.trace(trace),
        onRequest: (entry: AccessLogEntry) => traces.access(entry),
        console: { traces, signingKey: () => { throw new Error('not used'); } },
      });
      const server = createServer((request, response) => void app(request, response));
      servers.push(server);
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const echo = async (body: unknown) => {
        const response = await fetch(`${url}/echo`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
        return { status: response.status, body: (await response.json()) as Record<string, unknown>, requestId: response.headers.get('x-amzn-requestid')! };
      };
      const consoleRequest = async (requestId: string) => (await (await fetch(`${url}/__appapi/api/requests/${requestId}`, { headers: { 'X-AppAPI-Console': '1' } })).json()) as { access: AccessLogEntry };
      return { echo, logs, consoleRequest };
    }

    let warn: Awaited<ReturnType<typeof gateway>>;
    before(async () => {
      warn = await gateway('warn');
    });

    it('warn: the answer goes out as the chain made it; the mismatch is logged with route, status and violations, and shown with the request in the console', async () => {
      const answer = await warn.echo({ id: 'seven' });
      assert.deepEqual([answer.status, answer.body], [200, { id: 'seven' }]);
      const logged = warn.logs.find((entry) => entry.message === 'answer does not match its published schema');
      assert.deepEqual(logged, { level: 'warn', message: 'answer does not match its published schema', requestId: answer.requestId, route: 'Echo', method: 'POST', path: '/echo', status: 200, violations: ['/id must be integer'] });
      assert.deepEqual((await warn.consoleRequest(answer.requestId)).access.answerViolations, ['/id must be integer']);
      const good = await warn.echo({ id: 7 });
      assert.equal((await warn.consoleRequest(good.requestId)).access.answerViolations, undefined);
    });

    it('fatal: the request fails with a 500 problem saying what departs from the schema', async () => {
      const fatal = await gateway('fatal');
      const answer = await fatal.echo({ id: 'seven' });
      assert.equal(answer.status, 500);
      assert.equal(answer.body.code, 'answer_mismatch');
      assert.match(String(answer.body.detail), /^The 200 answer of POST \/echo does not match the schema published for it: \/id must be integer\./);
      assert.deepEqual((await fatal.echo({ id: 7 })).body, { id: 7 });
    });

    it('off: nothing is checked', async () => {
      const off = await gateway('off');
      const answer = await off.echo({ id: 'seven' });
      assert.equal(answer.status, 200);
      assert.equal(off.logs.length, 0);
      assert.equal((await off.consoleRequest(answer.requestId)).access.answerViolations, undefined);
    });
  });
});
