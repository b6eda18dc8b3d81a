// Shares a process: units (its tests call functions and close the servers and sockets they open; see scripts/run-tests.ts)
import assert from 'node:assert/strict';
import dns, { type LookupAddress } from 'node:dns';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it, type TestContext } from 'node:test';
import { callHttp, type HttpCallPolicy, type HttpCallRequest } from '../../lambdas/runtime/http-call';

interface Hit {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
}

/** A loopback server that records every request it receives. */
interface TestServer {
  readonly hits: Hit[];
  readonly origin: string;
  readonly port: number;
  readonly server: Server;
}

type Route = (response: ServerResponse, hit: Hit) => void;

async function startServer(host: string, routes: Record<string, Route>): Promise<TestServer> {
  const hits: Hit[] = [];
  const server = createServer(async (request, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const hit = { method: request.method ?? '', path: request.url ?? '', headers: request.headers, body: Buffer.concat(chunks).toString() };
    hits.push(hit);
    (routes[hit.path] ?? ((res) => res.writeHead(404).end('not found')))(response, hit);
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const { port } = server.address() as AddressInfo;
  return { hits, origin: `http://${host}:${port}`, port, server };
}

async function stopServer({ server }: TestServer): Promise<void> {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
}

const json = (status: number, body: unknown): Route => (response) =>
  response.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
const redirect = (status: number, location: () => string): Route => (response) => response.writeHead(status, { Location: location() }).end();

/** Makes every lookup of `hostname` answer `address`, as a DNS record pointing at it would. */
function resolveTo(t: TestContext, hostname: string, address: string): void {
  const realLookup = dns.lookup;
  t.mock.method(dns, 'lookup', (name: string, options: dns.LookupOptions, callback: (error: Error | null, addresses: LookupAddress[]) => void) => {
    if (name !== hostname) return realLookup(name, { ...options, all: true }, callback);
    callback(null, [{ address, family: address.includes(':') ? 6 : 4 }]);
  });
}

const local: HttpCallPolicy = { allowedHosts: ['127.0.0.1'] };
const get = (url: unknown, extra: Partial<HttpCallRequest> = {}): HttpCallRequest => ({ method: 'GET', url, timeoutMs: 2_000, ...extra });
const problem = (status: number, code: string) => ({ name: 'HttpProblem', status, code });

describe('callHttp', () => {
  let a: TestServer; // 127.0.0.1
  let b: TestServer; // 127.0.0.2: a second host on loopback

  before(async () => {
    a = await startServer('127.0.0.1', {
      '/json': json(200, { ok: true }),
      '/missing': (response) => response.writeHead(404, { 'Content-Type': 'text/plain', 'Set-Cookie': 'id=1' }).end('no such thing'),
      '/echo': (response, hit) => json(200, { method: hit.method, contentType: hit.headers['content-type'] ?? null, body: hit.body })(response, hit),
      '/hang': () => undefined,
      '/stall-body': (response) => response.writeHead(200, { 'Content-Type': 'text/plain' }).write('partial'),
      '/endless': (response) => {
        response.writeHead(200, { 'Content-Type': 'text/plain' });
        const chunk = Buffer.alloc(16 * 1024, 'x');
        const pump = (): void => {
          while (response.write(chunk));
          response.once('drain', pump);
        };
        response.once('close', () => response.removeAllListeners('drain'));
        pump();
      },
      '/declares-huge': (response) => response.writeHead(200, { 'Content-Length': String(10 * 1024 * 1024) }).write('x'),
      '/to-b': redirect(302, () => `${b.origin}/json`),
      '/loop': redirect(302, () => '/loop'),
      '/see-other': redirect(303, () => '/echo'),
      '/temporary': redirect(307, () => '/echo'),
    });
    b = await startServer('127.0.0.2', { '/json': json(200, { from: 'b' }) });
  });

  after(async () => {
    await stopServer(a);
    await stopServer(b);
  });

  describe('happy flow', () => {
    it('GETs a declared host and parses its JSON body', async () => {
      const result = await callHttp(get(`${a.origin}/json`), local, 'step 1');
      assert.equal(result.status, 200);
      assert.deepEqual(result.body, { ok: true });
      assert.equal(result.headers['content-type'], 'application/json');
    });

    it('POSTs a JSON body with its content type', async () => {
      const result = await callHttp({ method: 'POST', url: `${a.origin}/echo`, body: { name: 'Ada' }, timeoutMs: 2_000 }, local, 'step 1');
      assert.deepEqual(result.body, { method: 'POST', contentType: 'application/json', body: '{"name":"Ada"}' });
    });

    it('sends a string body as text unless a content type is given', async () => {
      const plain = await callHttp({ method: 'PUT', url: `${a.origin}/echo`, body: 'hello', timeoutMs: 2_000 }, local, 'step 1');
      assert.deepEqual(plain.body, { method: 'PUT', contentType: 'text/plain; charset=utf-8', body: 'hello' });
      const typed = await callHttp({ method: 'PUT', url: `${a.origin}/echo`, headers: { 'Content-Type': 'text/csv' }, body: 'a,b', timeoutMs: 2_000 }, local, 'step 1');
      assert.equal((typed.body as { contentType: string }).contentType, 'text/csv');
    });

    it('returns a non-2xx status as a result, without set-cookie', async () => {
      const result = await callHttp(get(`${a.origin}/missing`), local, 'step 1');
      assert.deepEqual(result, { status: 404, headers: result.headers, body: 'no such thing' });
      assert.equal(result.headers['set-cookie'], undefined);
    });

    it('drops hop-by-hop headers such as Host', async () => {
      const before = a.hits.length;
      await callHttp(get(`${a.origin}/json`, { headers: { Host: 'evil.example', 'X-Trace': 7 } }), local, 'step 1');
      assert.equal(a.hits[before]?.headers.host, `127.0.0.1:${a.port}`);
      assert.equal(a.hits[before]?.headers['x-trace'], '7');
    });
  });

  describe('hosts and addresses', () => {
    it('refuses an undeclared host without connecting', async () => {
      await assert.rejects(callHttp(get(`${b.origin}/json`), local, 'step 1'), problem(400, 'http_host_not_allowed'));
      assert.equal(b.hits.length, 0);
    });

    it('refuses a name resolving to loopback when only the name is declared', async () => {
      const before = a.hits.length;
      await assert.rejects(callHttp(get(`http://localhost:${a.port}/json`), { allowedHosts: ['localhost'] }, 'step 1'), problem(400, 'http_address_not_allowed'));
      assert.equal(a.hits.length, before);
    });

    it('refuses a declared name whose DNS record points at instance metadata', async (t) => {
      resolveTo(t, 'metadata.example.com', '169.254.169.254');
      await assert.rejects(callHttp(get('http://metadata.example.com/latest'), { allowedHosts: ['*.example.com'] }, 'step 1'), problem(400, 'http_address_not_allowed'));
    });

    it('refuses the metadata IP literal when only a wildcard is declared', async () => {
      await assert.rejects(callHttp(get('http://169.254.169.254/latest'), { allowedHosts: ['*.example.com'] }, 'step 1'), problem(400, 'http_host_not_allowed'));
    });

    it('treats IPv4-mapped IPv6 as the IPv4 address it reaches', async (t) => {
      const mapped = `http://[::ffff:127.0.0.1]:${a.port}/json`;
      await assert.rejects(callHttp(get(mapped), { allowedHosts: ['localhost', '*.example.com'] }, 'step 1'), problem(400, 'http_host_not_allowed'));
      assert.equal((await callHttp(get(mapped), local, 'step 1')).status, 200);

      resolveTo(t, 'mapped.example.com', '::ffff:127.0.0.1');
      const viaDns = `http://mapped.example.com:${a.port}/json`;
      await assert.rejects(callHttp(get(viaDns), { allowedHosts: ['*.example.com'] }, 'step 1'), problem(400, 'http_address_not_allowed'));
      assert.equal((await callHttp(get(viaDns), { allowedHosts: ['*.example.com', '127.0.0.1'] }, 'step 1')).status, 200);
    });

    it('reports a closed port as upstream unavailable', async () => {
      const closed = await startServer('127.0.0.1', {});
      await stopServer(closed);
      await assert.rejects(callHttp(get(`${closed.origin}/`), local, 'step 1'), problem(502, 'upstream_unavailable'));
    });
  });

  describe('limits', () => {
    it('times out a server that never answers', { timeout: 10_000 }, async () => {
      const started = Date.now();
      await assert.rejects(callHttp(get(`${a.origin}/hang`, { timeoutMs: 300 }), local, 'step 1'), problem(504, 'upstream_timeout'));
      assert.ok(Date.now() - started < 3_000);
    });

    it('times out a body that stops arriving', { timeout: 10_000 }, async () => {
      await assert.rejects(callHttp(get(`${a.origin}/stall-body`, { timeoutMs: 300 }), local, 'step 1'), problem(504, 'upstream_timeout'));
    });

    it('stops reading a streamed body over the cap', { timeout: 10_000 }, async () => {
      const policy = { ...local, maxResponseBytes: 256 * 1024 };
      await assert.rejects(callHttp(get(`${a.origin}/endless`), policy, 'step 1'), problem(502, 'upstream_response_too_large'));
    });

    it('rejects a declared content-length over the cap before reading', async () => {
      await assert.rejects(callHttp(get(`${a.origin}/declares-huge`), local, 'step 1'), problem(502, 'upstream_response_too_large'));
    });
  });

  describe('redirects', () => {
    it('follows a redirect to a declared host, leaving credentials behind', async () => {
      const before = b.hits.length;
      const result = await callHttp(get(`${a.origin}/to-b`, { headers: { Authorization: 'Bearer secret', 'X-Keep': 'yes' } }), { allowedHosts: ['127.0.0.1', '127.0.0.2'] }, 'step 1');
      assert.deepEqual(result.body, { from: 'b' });
      assert.equal(b.hits[before]?.headers.authorization, undefined);
      assert.equal(b.hits[before]?.headers['x-keep'], 'yes');
    });

    it('blocks a redirect to an undeclared host without connecting to it', async () => {
      const before = b.hits.length;
      await assert.rejects(callHttp(get(`${a.origin}/to-b`), local, 'step 1'), problem(502, 'upstream_redirect_blocked'));
      assert.equal(b.hits.length, before);
    });

    it('gives up on a redirect loop', async () => {
      const before = a.hits.length;
      await assert.rejects(callHttp(get(`${a.origin}/loop`), { ...local, maxRedirects: 2 }, 'step 1'), problem(502, 'upstream_too_many_redirects'));
      assert.equal(a.hits.length - before, 3);
    });

    it('turns a POST into a bodyless GET on 303, and keeps it on 307', async () => {
      const post = { method: 'POST', body: { a: 1 }, timeoutMs: 2_000 } as const;
      const seeOther = await callHttp({ ...post, url: `${a.origin}/see-other` }, local, 'step 1');
      assert.deepEqual(seeOther.body, { method: 'GET', contentType: null, body: '' });
      const temporary = await callHttp({ ...post, url: `${a.origin}/temporary` }, local, 'step 1');
      assert.deepEqual(temporary.body, { method: 'POST', contentType: 'application/json', body: '{"a":1}' });
    });
  });

  describe('error flow: invalid request', () => {
    for (const url of [42, 'not a url', 'ftp://127.0.0.1/file', 'http://user:secret@127.0.0.1/']) {
      it(`rejects url ${JSON.stringify(url)}`, async () => {
        await assert.rejects(callHttp(get(url), local, 'step 1'), problem(400, 'invalid_http_request'));
      });
    }

    for (const headers of [['X-A'], { 'X-A': 'one\r\nX-Injected: two' }, { 'Bad Name': 'x' }, { 'X-A': { nested: true } }]) {
      it(`rejects headers ${JSON.stringify(headers)}`, async () => {
        await assert.rejects(callHttp(get(`${a.origin}/json`, { headers }), local, 'step 1'), problem(400, 'invalid_http_request'));
      });
    }
  });
});
