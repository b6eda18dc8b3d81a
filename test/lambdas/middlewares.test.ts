// Shares a process: units (its tests call functions and close the servers and sockets they open; see scripts/run-tests.ts)
import assert from 'node:assert/strict';
import { describe, it, mock } from 'node:test';
import middy from '@middy/core';
import { keyGroups } from '../../lambdas/runtime/middlewares/key-groups';
import { noStore } from '../../lambdas/runtime/middlewares/no-store';
import { problemAnswer } from '../../lambdas/runtime/middlewares/problem-answer';
import type { RuntimeContext } from '../../lambdas/runtime/middlewares/types';
import { HttpProblem } from '../../lambdas/runtime/problem-error';
import type { ProxyEvent, ProxyResult } from '../../lambdas/runtime/proxy-event';
import { createHandler } from '../../lambdas/runtime/create-handler';
import { TraceRecorder, type RequestTrace } from '../../lambdas/runtime/trace';
import { ApiApp, ApiAuth, AppApi, op, type AppDeclaration } from '../../lib';
import { environmentStack } from '../support/cdk';

const context = {} as RuntimeContext;
const event = (overrides: Partial<ProxyEvent> = {}): ProxyEvent => ({ httpMethod: 'GET', headers: {}, requestContext: { requestId: 'r-1' }, ...overrides });
const ok = (headers: Record<string, string> = {}): ProxyResult => ({ statusCode: 200, headers: { 'Content-Type': 'application/json', ...headers }, body: '{}' });

describe('handler middlewares', () => {
  describe('noStore', () => {
    it('adds Cache-Control: no-store to answers and problems', async () => {
      const answered = await middy<ProxyEvent, ProxyResult, Error, RuntimeContext>().use(noStore()).handler(async () => ok())(event(), context);
      assert.equal(answered.headers['Cache-Control'], 'no-store');
      const failed = await middy<ProxyEvent, ProxyResult, Error, RuntimeContext>()
        .use(noStore())
        .use(problemAnswer({ error: () => {} }))
        .handler(async () => {
          throw new HttpProblem('record_not_found', 'none');
        })(event(), context);
      assert.deepEqual([failed.statusCode, failed.headers['Cache-Control']], [404, 'no-store']);
    });

    it('keeps a Cache-Control the chain declared, whatever its case', async () => {
      const answered = await middy<ProxyEvent, ProxyResult, Error, RuntimeContext>().use(noStore()).handler(async () => ok({ 'cache-control': 'max-age=60' }))(event(), context);
      assert.deepEqual([answered.headers['cache-control'], answered.headers['Cache-Control']], ['max-age=60', undefined]);
    });
  });

  describe('problemAnswer', () => {
    const run = (error: unknown, logged: unknown[] = []) =>
      middy<ProxyEvent, ProxyResult, Error, RuntimeContext>()
        .use(problemAnswer({ error: (message, fields) => logged.push({ message, ...fields }) }))
        .handler(async () => {
          throw error;
        })(event(), context);

    it('a 4xx problem says what was wrong, with its extensions and headers, and is not logged', async () => {
      const logged: unknown[] = [];
      const result = await run(new HttpProblem('invalid_query', 'Query parameter "limit" must be an integer.', { violations: [1] }, { 'X-A': 'b' }), logged);
      assert.equal(result.statusCode, 400);
      assert.equal(result.headers['Content-Type'], 'application/problem+json');
      assert.equal(result.headers['X-A'], 'b');
      assert.deepEqual(JSON.parse(result.body), {
        type: 'https://appapi.dev/problems/invalid-query',
        title: 'Bad Request',
        status: 400,
        detail: 'Query parameter "limit" must be an integer.',
        code: 'invalid_query',
        requestId: 'r-1',
        violations: [1],
      });
      assert.deepEqual(logged, []);
    });

    it('error flow: an unexpected error is a 500 that says nothing internal, logged with the error itself', async () => {
      const logged: Array<{ code: string; error: unknown }> = [];
      const failure = new TypeError('secret table name in here');
      const result = await run(failure, logged);
      assert.equal(result.statusCode, 500);
      assert.doesNotMatch(result.body, /secret/);
      assert.equal(JSON.parse(result.body).code, 'internal_error');
      assert.deepEqual(logged.map((entry) => [entry.code, entry.error]), [['internal_error', failure]]);
    });
  });

  describe('keyGroups', () => {
    const run = (groups: string | undefined) =>
      middy<ProxyEvent, ProxyResult, Error, RuntimeContext>()
        .use(problemAnswer({ error: () => {} }))
        .use(keyGroups(['partners']))
        .handler(async () => ok())(event({ requestContext: { requestId: 'r', ...(groups === undefined ? {} : { authorizer: { groups } }) } }), context);

    it('lets a key of one of the route\'s groups through, and answers 403 to any other', async () => {
      assert.equal((await run('ops,partners')).statusCode, 200);
      for (const groups of ['ops', '', 'partnersx', undefined]) assert.equal((await run(groups)).statusCode, 403, String(groups));
    });
  });

  describe('the whole pipeline of a route', () => {
    const site: AppDeclaration = (environment) => {
      const app = new ApiApp(environment, 'Site', { cors: { allowOrigins: ['https://app.example.com'] } });
      new AppApi(app, 'Echo', { method: 'GET', path: '/echo', auth: ApiAuth.public(), query: [{ name: 'n', type: 'integer' }], chain: [op.respond({ body: '{% $query %}' })] });
    };
    const handler = createHandler(environmentStack([site]).manifest, 'Echo');

    it('answers and problems both carry CORS for a listed origin (any header case), nosniff and no-store, and no HTML-only header', async () => {
      for (const query of [{ n: '1' }, { n: 'x' }]) {
        const result = await handler(event({ headers: { ORIGIN: 'https://app.example.com' }, queryStringParameters: query }));
        assert.equal(result.headers['Access-Control-Allow-Origin'], 'https://app.example.com', JSON.stringify(query));
        assert.equal(result.headers.Vary, 'Origin');
        assert.equal(result.headers['X-Content-Type-Options'], 'nosniff');
        assert.equal(result.headers['Cache-Control'], 'no-store');
        for (const name of ['Content-Security-Policy', 'X-Frame-Options', 'Strict-Transport-Security', 'Server', 'X-Powered-By', 'Reporting-Endpoints']) assert.ok(!(name in result.headers), name);
      }
      const stranger = await handler(event({ headers: { Origin: 'https://evil.example.com' } }));
      assert.equal(stranger.headers['Access-Control-Allow-Origin'], undefined);
    });

    it('records a trace only while asked to: a request that is not traced makes no recorder and reports nothing', async () => {
      const traces: RequestTrace[] = [];
      let watched = false;
      const traced = createHandler(environmentStack([site]).manifest, 'Echo', undefined, { onTrace: (trace) => traces.push(trace), recordTrace: () => watched });
      const timed = mock.method(TraceRecorder.prototype, 'elapsed');
      try {
        const unwatched = await traced(event({ queryStringParameters: { n: '1' } }));
        assert.equal(unwatched.statusCode, 200);
        assert.deepEqual([traces.length, timed.mock.callCount()], [0, 0]);
        watched = true;
        await traced(event({ queryStringParameters: { n: '2' }, requestContext: { requestId: 'r-2' } }));
        assert.deepEqual(traces.map((trace) => [trace.requestId, trace.status, trace.steps.map((step) => step.op)]), [['r-2', 200, ['respond']]]);
        assert.ok(timed.mock.callCount() > 0);
        watched = false;
        await traced(event({ queryStringParameters: { n: '3' } }));
        assert.equal(traces.length, 1);
      } finally {
        timed.mock.restore();
      }
    });

    it('a request without query or path parameters is normalized, not refused', async () => {
      const result = await handler({ httpMethod: 'GET', requestContext: { requestId: 'bare' } });
      assert.deepEqual([result.statusCode, JSON.parse(result.body)], [200, {}]);
    });
  });
});
