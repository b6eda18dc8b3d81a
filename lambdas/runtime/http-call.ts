import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import { BlockList, isIP, type LookupFunction } from 'node:net';
import { LIMITS } from '../shared/limits';
import { hostMatches } from '../shared/host-pattern';
import { HttpProblem } from './problem-error';

export interface HttpCallRequest {
  readonly method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Evaluated JSON values, validated here. */
  readonly url: unknown;
  readonly headers?: unknown;
  readonly body?: unknown;
  /** One deadline for DNS, connect, headers and body, across redirects. */
  readonly timeoutMs: number;
}

export interface HttpCallResult {
  readonly status: number;
  /** Lower-case names; repeated headers joined with ", "; set-cookie dropped. */
  readonly headers: Record<string, string>;
  /** Parsed JSON for (+)json content types, else UTF-8 text; null when empty. */
  readonly body: unknown;
}

export interface HttpCallPolicy {
  /** The app's httpHosts. An exact IP literal here also unlocks that address if it is otherwise refused. */
  readonly allowedHosts: readonly string[];
  /** @default 1 MiB */
  readonly maxResponseBytes?: number;
  /** @default 3 */
  readonly maxRedirects?: number;
}

type Agents = { readonly 'http:': http.Agent; readonly 'https:': https.Agent };
// One pool per host allow-list, created on first use and kept: sockets are reused across
// invocations of a warm Lambda, and a reused socket (which skips the address check) never
// crosses to an app with another allow-list in the local gateway's shared process.
const agentsByPolicy = new WeakMap<readonly string[], Agents>();
function agentsFor(allowedHosts: readonly string[]): Agents {
  let agents = agentsByPolicy.get(allowedHosts);
  if (!agents) {
    agents = { 'http:': new http.Agent({ keepAlive: true }), 'https:': new https.Agent({ keepAlive: true }) };
    agentsByPolicy.set(allowedHosts, agents);
  }
  return agents;
}

/**
 * Addresses that reach the Lambda itself (the Runtime API listens on loopback) or cloud metadata,
 * never a service. Built at the first call, as node:dns is required then: a cold start whose route
 * makes no http call pays neither (~2.8 ms of CPU together, measured).
 */
let refused: BlockList | undefined;
function refusedAddresses(): BlockList {
  if (refused) return refused;
  refused = new BlockList();
  refused.addSubnet('0.0.0.0', 8, 'ipv4'); // Linux connects 0.0.0.0 to the local host
  refused.addSubnet('127.0.0.0', 8, 'ipv4');
  refused.addSubnet('169.254.0.0', 16, 'ipv4'); // link-local, includes 169.254.169.254
  refused.addAddress('100.100.100.200', 'ipv4');
  refused.addSubnet('224.0.0.0', 4, 'ipv4');
  refused.addAddress('255.255.255.255', 'ipv4');
  refused.addSubnet('::', 96, 'ipv6'); // unspecified, loopback, deprecated IPv4-compatible
  refused.addSubnet('fe80::', 10, 'ipv6');
  refused.addSubnet('ff00::', 8, 'ipv6');
  refused.addAddress('fd00:ec2::254', 'ipv6');
  return refused;
}

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
const HOP_BY_HOP = new Set(['host', 'connection', 'content-length', 'transfer-encoding', 'keep-alive', 'proxy-connection', 'proxy-authorization', 'te', 'trailer', 'upgrade', 'expect']);
const CREDENTIAL_HEADERS = ['authorization', 'cookie'];
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

interface Hop {
  readonly url: URL;
  readonly method: string;
  readonly headers: Record<string, string>;
  readonly body: Buffer | undefined;
}

/** Thrown from the DNS lookup so the caller can tell a refused address from a network failure. */
class AddressRefused extends Error {}

/**
 * Makes the chain's outbound call: only to the app's declared hosts, never to the Lambda's own
 * loopback or metadata addresses, within one deadline and a response size cap.
 * Upstream non-2xx statuses are results, not errors.
 */
export async function callHttp(request: HttpCallRequest, policy: HttpCallPolicy, where: string): Promise<HttpCallResult> {
  const maxRedirects = policy.maxRedirects ?? LIMITS.httpRedirects.value;
  const declaredAddresses = new Set(policy.allowedHosts.map(canonicalAddress).filter((address) => address !== undefined));
  const isAddressAllowed = (address: string): boolean => {
    const canonical = canonicalAddress(address);
    if (canonical === undefined) return false;
    return declaredAddresses.has(canonical) || !refusedAddresses().check(canonical, isIP(canonical) === 4 ? 'ipv4' : 'ipv6');
  };
  const isHostDeclared = (url: URL): boolean => {
    const address = canonicalAddress(url.hostname);
    // IP literals must be declared as such: a wildcard like `*.1` must not cover 127.0.0.1
    if (address !== undefined) return declaredAddresses.has(address);
    return policy.allowedHosts.some((pattern) => hostMatches(pattern, url.hostname));
  };

  const url = parseUrl(request.url, where);
  if (!isHostDeclared(url)) {
    throw new HttpProblem('http_host_not_allowed', `${where}: the call targets host "${url.hostname}", which the app does not declare in httpHosts.`);
  }
  const headers = validateHeaders(request.headers, where);
  let hop: Hop = { url, method: request.method, headers, body: encodeBody(request.body, headers, where) };

  const deadline = new AbortController();
  const timer = setTimeout(() => deadline.abort(), request.timeoutMs);
  let redirects = 0;
  try {
    for (; ; redirects++) {
      const response = await send(hop, isAddressAllowed, deadline.signal, agentsFor(policy.allowedHosts));
      const location = response.headers.location;
      if (!REDIRECT_STATUSES.has(response.statusCode ?? 0) || location === undefined) {
        const body = await readBody(response, policy.maxResponseBytes ?? LIMITS.httpResponseBytes.value, hop.url, where);
        return { status: response.statusCode ?? 502, headers: flattenHeaders(response), body: decodeBody(body, response.headers['content-type']) };
      }
      response.destroy(); // the redirect's own body is never needed
      if (redirects >= maxRedirects) {
        throw new HttpProblem('upstream_too_many_redirects', `${where}: "${url.hostname}" redirected more than ${maxRedirects} times.`);
      }
      const next = redirectTarget(location, hop.url);
      if (next === undefined || !isHostDeclared(next)) {
        throw new HttpProblem('upstream_redirect_blocked', `${where}: "${hop.url.hostname}" redirected to ${JSON.stringify(location)}, a host the app does not declare in httpHosts.`);
      }
      hop = followRedirect(hop, next, response.statusCode ?? 0);
    }
  } catch (error) {
    throw toProblem(error, hop.url, redirects > 0, deadline.signal, request.timeoutMs, where);
  } finally {
    clearTimeout(timer);
  }
}

function send(hop: Hop, isAddressAllowed: (address: string) => boolean, signal: AbortSignal, agents: Agents): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const hostname = hop.url.hostname.replace(/^\[(.*)\]$/, '$1');
    // node skips `lookup` for IP literals, so they are checked here
    if (isIP(hostname) && !isAddressAllowed(hostname)) return reject(new AddressRefused());
    const protocol = hop.url.protocol as 'http:' | 'https:';
    const request = (protocol === 'https:' ? https : http).request({
      protocol,
      hostname,
      port: hop.url.port,
      path: hop.url.pathname + hop.url.search,
      method: hop.method,
      headers: { ...hop.headers, ...(hop.body ? { 'content-length': hop.body.length } : {}) },
      agent: agents[protocol],
      lookup: guardedLookup(isAddressAllowed),
      signal,
    });
    request.once('response', resolve);
    request.on('error', reject);
    request.end(hop.body);
  });
}

/** Resolves as node would, but connects only to allowed addresses: checked where they are used, so DNS rebinding cannot slip past. */
function guardedLookup(isAddressAllowed: (address: string) => boolean): LookupFunction {
  return (hostname, options, callback) => {
    (require('node:dns') as typeof import('node:dns')).lookup(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, '');
      const allowed = addresses.filter(({ address }) => isAddressAllowed(address));
      if (allowed.length === 0) return callback(new AddressRefused(), '');
      if (options.all) return callback(null, allowed);
      return callback(null, allowed[0].address, allowed[0].family);
    });
  };
}

async function readBody(response: IncomingMessage, maxBytes: number, url: URL, where: string): Promise<Buffer> {
  const tooLarge = () => new HttpProblem('upstream_response_too_large', `${where}: the response from "${url.hostname}" exceeds ${maxBytes} bytes.`);
  if (Number(response.headers['content-length'] ?? 0) > maxBytes) {
    response.destroy();
    throw tooLarge();
  }
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of response as AsyncIterable<Buffer>) {
    total += chunk.length;
    if (total > maxBytes) {
      response.destroy();
      throw tooLarge();
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

function toProblem(error: unknown, url: URL, redirected: boolean, deadline: AbortSignal, timeoutMs: number, where: string): HttpProblem {
  if (error instanceof HttpProblem) return error;
  if (deadline.aborted) {
    return new HttpProblem('upstream_timeout', `${where}: "${url.hostname}" did not answer within ${timeoutMs} ms.`);
  }
  if (error instanceof AddressRefused) {
    return redirected
      ? new HttpProblem('upstream_redirect_blocked', `${where}: a redirect led to "${url.hostname}", which resolves to an address the runtime does not call.`)
      : new HttpProblem('http_address_not_allowed', `${where}: host "${url.hostname}" resolves to a loopback, link-local, metadata or multicast address, which the runtime does not call unless httpHosts declares that IP address.`);
  }
  const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
  return new HttpProblem('upstream_unavailable', `${where}: could not reach "${url.hostname}" (${reason}).`);
}

/** Follows fetch's rules: 303, and 301/302 after POST, become a GET without body; credentials stay with their origin. */
function followRedirect(hop: Hop, next: URL, status: number): Hop {
  const becomesGet = status === 303 || ((status === 301 || status === 302) && hop.method === 'POST');
  const headers = { ...hop.headers };
  if (becomesGet) delete headers['content-type'];
  if (next.origin !== hop.url.origin) for (const name of CREDENTIAL_HEADERS) delete headers[name];
  return { url: next, method: becomesGet ? 'GET' : hop.method, headers, body: becomesGet ? undefined : hop.body };
}

function redirectTarget(location: string, base: URL): URL | undefined {
  try {
    const next = new URL(location, base);
    return next.protocol === 'http:' || next.protocol === 'https:' ? next : undefined;
  } catch {
    return undefined;
  }
}

function parseUrl(value: unknown, where: string): URL {
  let url: URL | undefined;
  try {
    url = typeof value === 'string' ? new URL(value) : undefined;
  } catch {
    url = undefined;
  }
  if (url === undefined || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    throw invalid(`${where}: url must be an absolute http(s) URL, received ${describe(value)}.`);
  }
  if (url.username || url.password) throw invalid(`${where}: url must not carry a username or password; send credentials in a header.`);
  return url;
}

/** Lower-cased names, so later lookups and deletions need not care about the caller's casing. */
function validateHeaders(value: unknown, where: string): Record<string, string> {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw invalid(`${where}: headers must be an object, received ${describe(value)}.`);
  const headers: Record<string, string> = {};
  for (const [name, raw] of Object.entries(value)) {
    if (!HEADER_NAME.test(name)) throw invalid(`${where}: header name ${JSON.stringify(name)} is not a valid HTTP token.`);
    if (typeof raw !== 'string' && typeof raw !== 'number' && typeof raw !== 'boolean') {
      throw invalid(`${where}: header "${name}" must be a string, number or boolean, received ${describe(raw)}.`);
    }
    const text = String(raw);
    if (/[\r\n\0]/.test(text)) throw invalid(`${where}: header "${name}" contains a line break or NUL character.`);
    if (!HOP_BY_HOP.has(name.toLowerCase())) headers[name.toLowerCase()] = text;
  }
  return headers;
}

/** Sets a default content-type on `headers` when the caller gave none. */
function encodeBody(body: unknown, headers: Record<string, string>, where: string): Buffer | undefined {
  if (body === undefined) return undefined;
  let text: string | undefined;
  try {
    text = typeof body === 'string' ? body : JSON.stringify(body);
  } catch {
    text = undefined;
  }
  if (text === undefined) throw invalid(`${where}: body must be a JSON value, received ${describe(body)}.`);
  headers['content-type'] ??= typeof body === 'string' ? 'text/plain; charset=utf-8' : 'application/json';
  return Buffer.from(text, 'utf8');
}

function decodeBody(body: Buffer, contentType: string | undefined): unknown {
  if (body.length === 0) return null;
  const text = body.toString('utf8');
  if (!/^application\/([\w.+-]*\+)?json\s*(;|$)/i.test(contentType ?? '')) return text;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

function flattenHeaders(response: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, values] of Object.entries(response.headersDistinct)) {
    if (name !== 'set-cookie' && values) headers[name] = values.join(', ');
  }
  return headers;
}

/** One spelling per address, IPv4-mapped IPv6 as its IPv4 (it reaches the same host); undefined for names. */
function canonicalAddress(host: string): string | undefined {
  const bare = host.replace(/^\[(.*)\]$/, '$1').replace(/%.*$/, '');
  const version = isIP(bare);
  if (version === 4) return bare;
  if (version !== 6) return undefined;
  const serialized = new URL(`http://[${bare}]/`).hostname.slice(1, -1);
  const mapped = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(serialized);
  if (!mapped) return serialized;
  const [high, low] = [parseInt(mapped[1], 16), parseInt(mapped[2], 16)];
  return [high >> 8, high & 255, low >> 8, low & 255].join('.');
}

function invalid(detail: string): HttpProblem {
  return new HttpProblem('invalid_http_request', detail);
}

function describe(value: unknown): string {
  let json: string | undefined;
  try {
    json = JSON.stringify(value) as string | undefined;
  } catch {
    json = undefined; // circular or BigInt
  }
  if (json === undefined) return `a value of type ${typeof value}`;
  return json.length > 80 ? `${json.slice(0, 77)}...` : json;
}
