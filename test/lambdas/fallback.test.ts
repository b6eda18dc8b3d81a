// Shares a process: units (its tests call functions and close the servers and sockets they open; see scripts/run-tests.ts)
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ApiApp, ApiAuth, AppApi, op, type AppDeclaration } from '../../lib';
import { LAMBDA_ENTRIES, lambdaAssetDirectory } from '../../lib/constructs/lambda-asset';
import { environmentStack } from '../support/cdk';

const apps: AppDeclaration = (environment) => {
  const web = new ApiApp(environment, 'Web', { cors: { allowOrigins: ['https://app.example.com'] } });
  new AppApi(web, 'Hello', { method: 'GET', path: '/hello', auth: ApiAuth.public(), chain: [op.respond()] });
  new AppApi(web, 'SayHello', { method: 'POST', path: '/hello', auth: ApiAuth.public(), chain: [op.respond()] });
  const backend = new ApiApp(environment, 'Backend');
  new AppApi(backend, 'GetThing', { method: 'GET', path: '/things/{thingId}', auth: ApiAuth.public(), chain: [op.respond()] });
};

type Answer = { statusCode: number; headers: Record<string, string>; body: string };

describe('fallback function (the bundle API Gateway invokes for undeclared methods)', () => {
  const manifest = environmentStack([apps]).manifest;
  // the asset directory as synthesized: the bundle next to the environment's manifest.json
  const { handler } = require(join(lambdaAssetDirectory('fallback', manifest), LAMBDA_ENTRIES.fallback.file)) as { handler: (event: unknown) => Promise<Answer> };
  const event = (method: string, resource: string, headers: Record<string, string> = {}, body: string | null = null, isBase64Encoded = false) => ({
    resource,
    path: resource.replace('{thingId}', 't1'),
    httpMethod: method,
    headers,
    body,
    isBase64Encoded,
    requestContext: { requestId: 'req-1', resourcePath: resource, httpMethod: method },
  });

  it('answers 405 with Allow to every content type, text and binary bodies included', async () => {
    for (const [headers, body, base64] of [
      [{}, null, false],
      [{ 'Content-Type': 'text/plain' }, 'hello', false],
      [{ 'content-type': 'application/octet-stream' }, Buffer.from([0, 1, 2]).toString('base64'), true],
      [{ 'Content-Type': 'application/x-www-form-urlencoded' }, 'a=1', false],
    ] as const) {
      const answer = await handler(event('DELETE', '/things/{thingId}', headers, body, base64));
      assert.equal(answer.statusCode, 405);
      assert.equal(answer.headers.Allow, 'GET');
      assert.equal(answer.headers['Content-Type'], 'application/problem+json');
      assert.deepEqual(JSON.parse(answer.body), {
        type: 'https://appapi.dev/problems/method-not-allowed',
        title: 'Method Not Allowed',
        status: 405,
        detail: 'This path does not accept this method; see the Allow header.',
        code: 'method_not_allowed',
        requestId: 'req-1',
      });
    }
  });

  it('answers CORS preflights on the paths of apps with cors, whatever the Content-Type, and 405 elsewhere', async () => {
    const preflight = await handler(event('OPTIONS', '/hello', { Origin: 'https://app.example.com', 'Content-Type': 'text/plain' }));
    assert.equal(preflight.statusCode, 204);
    assert.equal(preflight.headers['Access-Control-Allow-Origin'], 'https://app.example.com');
    assert.equal(preflight.headers['Access-Control-Allow-Methods'], 'GET,POST,OPTIONS');
    assert.equal(preflight.body, '');
    const noCors = await handler(event('OPTIONS', '/things/{thingId}'));
    assert.equal(noCors.statusCode, 405);
  });

  it('answers 404 problem+json on the root, which has no App API', async () => {
    const answer = await handler(event('POST', '/', { 'Content-Type': 'image/png' }, 'AAAA', true));
    assert.equal(answer.statusCode, 404);
    assert.equal(JSON.parse(answer.body).code, 'not_found');
  });
});

describe('fallback function on a root with App APIs', () => {
  it('answers 405 with Allow on "/" when an App API is declared there', async () => {
    const manifest = environmentStack([(environment) => new AppApi(new ApiApp(environment, 'Site'), 'Home', { method: 'GET', path: '/', auth: ApiAuth.public(), chain: [op.respond()] })]).manifest;
    const { fallbackAnswer, pathMethods } = await import('../../lambdas/fallback/fallback-answer');
    const answer = fallbackAnswer(pathMethods(manifest), { resource: '/', method: 'DELETE', origin: undefined, requestId: 'r' });
    assert.deepEqual([answer.statusCode, answer.headers.Allow], [405, 'GET']);
  });
});
