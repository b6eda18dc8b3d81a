import assert from 'node:assert/strict';
import { createServer, request as httpRequest, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import type { RouteManifest } from '../../lambdas/shared/manifest';
import { proxyEvent, requestFacts } from '../../lib/local/gateway/proxy-event';

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

const route: RouteManifest = { id: 'Upload', app: 'a', method: 'POST', path: '/files/{name}', pathParameters: ['name'], query: [], auth: { type: 'public' }, chain: [] };

describe('REST proxy v1 events as API Gateway builds them', () => {
  it('keeps header case, collects repeated headers and query parameters, and base64-encodes binary bodies', async () => {
    const { request, body } = await receive((port) => {
      const call = httpRequest({ port, host: '127.0.0.1', method: 'POST', path: '/files/r%C3%A9sum%C3%A9.pdf?tag=a&tag=b&single=1', headers: { 'Content-Type': 'application/pdf', 'X-Trace': ['one', 'two'] } });
      call.end(Buffer.from([0, 255, 1, 254]));
    });
    const facts = requestFacts(request);
    const event = proxyEvent(facts, 'POST', route, { name: 'résumé.pdf' }, body, 'dev', null, '127.0.0.1');
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
    const event = proxyEvent(requestFacts(request), 'POST', route, { name: 'x' }, body, 'dev', null, '127.0.0.1');
    assert.deepEqual([event.body, event.isBase64Encoded, event.queryStringParameters], ['{"a":1}', false, null]);
    const empty = proxyEvent(requestFacts(request), 'POST', route, { name: 'x' }, Buffer.alloc(0), 'dev', null, '127.0.0.1');
    assert.equal(empty.body, null);
  });
});
