// Shares a process: units (its tests call functions and close the servers and sockets they open; see scripts/run-tests.ts)
import assert from 'node:assert/strict';
import { createServer, request as httpRequest, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import type { RouteManifest } from '../../lambdas/shared/manifest';
import type { APIGatewayProxyEvent, APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import { authorizerEvent, pathAndQuery, proxyEvent, requestFacts, requestTime, type LocalStage } from '../../lib/local/gateway/proxy-event';

/** Sends one raw request to a throwaway server and returns the IncomingMessage as the gateway sees it. */
async function receive(send: (port: number) => void): Promise<{ request: IncomingMessage; body: Buffer }> {
  return new Promise((resolve) => {
    const server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        response.end();
        server.close();
        resolve({ request, body: Buffer.concat(chunks) });
      });
    });
    server.listen(0, '127.0.0.1', () => send((server.address() as AddressInfo).port));
  });
}

const STAGE: LocalStage = { name: 'dev', apiId: 'appapi-dev', accountId: '000000000000' };
const route: RouteManifest = { id: 'Upload', app: 'a', method: 'POST', path: '/files/{name}', pathParameters: ['name'], query: [], auth: { type: 'public' }, chain: [] };

describe('REST proxy v1 events as API Gateway builds them', () => {
  it('keeps header case, collects repeated headers and query parameters, and base64-encodes binary bodies', async () => {
    const { request, body } = await receive((port) => {
      const call = httpRequest({ port, host: '127.0.0.1', method: 'POST', path: '/files/r%C3%A9sum%C3%A9.pdf?tag=a&tag=b&single=1', headers: { 'Content-Type': 'application/pdf', 'X-Trace': ['one', 'two'] } });
      call.end(Buffer.from([0, 255, 1, 254]));
    });
    const facts = requestFacts(request);
    const event = proxyEvent(facts, 'POST', route, { name: 'résumé.pdf' }, body, STAGE, null, '127.0.0.1');
    assert.deepEqual(event.pathParameters, { name: 'résumé.pdf' });
    assert.deepEqual({ ...event.queryStringParameters }, { tag: 'b', single: '1' });
    assert.deepEqual({ ...event.multiValueQueryStringParameters }, { tag: ['a', 'b'], single: ['1'] });
    assert.equal(event.headers!['Content-Type'], 'application/pdf');
    assert.equal(event.headers!['X-Trace'], 'two');
    assert.deepEqual(event.multiValueHeaders!['X-Trace'], ['one', 'two']);
    assert.equal(event.isBase64Encoded, true);
    assert.deepEqual(Buffer.from(event.body!, 'base64'), Buffer.from([0, 255, 1, 254]));
    assert.equal(event.requestContext!.stage, 'dev');
    assert.equal(event.requestContext!.path, '/dev/files/r%C3%A9sum%C3%A9.pdf');
    assert.equal(event.resource, '/files/{name}');
  });

  it('passes JSON as text, and no body or query as null', async () => {
    const { request, body } = await receive((port) => httpRequest({ port, host: '127.0.0.1', method: 'POST', path: '/files/x', headers: { 'content-type': 'application/json' } }).end('{"a":1}'));
    const event = proxyEvent(requestFacts(request), 'POST', route, { name: 'x' }, body, STAGE, null, '127.0.0.1');
    assert.deepEqual([event.body, event.isBase64Encoded, event.queryStringParameters], ['{"a":1}', false, null]);
    const empty = proxyEvent(requestFacts(request), 'POST', route, { name: 'x' }, Buffer.alloc(0), STAGE, null, '127.0.0.1');
    assert.equal(empty.body, null);
  });

  it('carries every requestContext field API Gateway sends, typed as @types/aws-lambda has them, authorizer context as strings', async () => {
    const { request, body } = await receive((port) => httpRequest({ port, host: '127.0.0.1', method: 'POST', path: '/files/a?x=1&x=2', headers: { 'content-type': 'application/json', 'User-Agent': 'probe/1' } }).end('{}'));
    const facts = requestFacts(request);
    const resource = { path: '/files/{name}', id: 'FilesName1234' };
    // compile-time: the builders return the real shapes
    const event: APIGatewayProxyEvent = proxyEvent(facts, 'POST', resource, { name: 'a' }, body, STAGE, { principalId: 'k1', context: { keyName: 'ops', count: 3, admin: true }, integrationLatency: 12 }, '10.0.0.9');
    const context = event.requestContext;
    assert.deepEqual(
      [context.accountId, context.apiId, context.resourceId, context.resourcePath, context.protocol, context.stage, context.path, context.httpMethod, context.requestId],
      ['000000000000', 'appapi-dev', 'FilesName1234', '/files/{name}', 'HTTP/1.1', 'dev', '/dev/files/a', 'POST', facts.requestId],
    );
    assert.equal(context.domainName, request.headers.host);
    assert.equal(context.requestTimeEpoch, facts.receivedAt);
    assert.match(context.requestTime!, /^\d{2}\/[A-Z][a-z]{2}\/\d{4}:\d{2}:\d{2}:\d{2} \+0000$/);
    assert.equal(requestTime(Date.UTC(2026, 10, 8, 7, 5, 9)), '08/Nov/2026:07:05:09 +0000');
    assert.deepEqual([context.identity.sourceIp, context.identity.userAgent, context.identity.apiKey, context.identity.user], ['10.0.0.9', 'probe/1', null, null]);
    assert.deepEqual(context.authorizer, { keyName: 'ops', count: '3', admin: 'true', principalId: 'k1', integrationLatency: 12 });
    assert.equal(proxyEvent(facts, 'POST', resource, {}, body, STAGE, null, '10.0.0.9').requestContext.authorizer, null);

    const asked: APIGatewayRequestAuthorizerEvent = authorizerEvent(facts, 'POST', resource, { name: 'a' }, STAGE, '10.0.0.9', 'local');
    assert.equal(asked.type, 'REQUEST');
    assert.equal(asked.methodArn, 'arn:aws:execute-api:local:000000000000:appapi-dev/dev/POST/files/a');
    assert.deepEqual([asked.resource, asked.path, asked.httpMethod], ['/files/{name}', '/files/a', 'POST']);
    assert.deepEqual([{ ...asked.pathParameters }, { ...asked.queryStringParameters }, { ...asked.multiValueQueryStringParameters }], [{ name: 'a' }, { x: '2' }, { x: ['1', '2'] }]);
    assert.equal(asked.headers!['User-Agent'], 'probe/1');
    assert.equal(asked.requestContext.resourceId, 'FilesName1234');
    assert.equal(asked.requestContext.authorizer, undefined);
  });

  it('reads path and query as WHATWG URL parsing does, plain targets included', () => {
    const targets = [
      '/', '/health', '/customers/c-1/', '/a.b/c~d_e-f', '/a//b', '//host/x', '/a/./b', '/a/../b', '/.hidden', '/a/%2e%2e/b', '/r%C3%A9sum%C3%A9', '/sp ace', '/x\\y',
      '/q?', '/q?a=1&a=2&b', '/q?x=a+b&y=%20%zz', "/q?it's=(1)*2", '/q?a=1#frag', '/q?a="1"', '/q?a=<b>', '/q?café=1', '/q?a=b?c/d', '', '?only',
    ];
    for (const target of targets) {
      const url = new URL(target, 'http://localhost');
      const { path, query } = pathAndQuery(target);
      assert.equal(path, url.pathname, target);
      assert.deepEqual([...query], [...url.searchParams], target);
    }
  });
});
