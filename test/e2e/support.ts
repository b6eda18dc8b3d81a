import { join } from 'node:path';
import { createDocumentClient } from '../../lambdas/runtime/dynamodb';
import { ApiKeyStore } from '../../lib/keys/key-store';
import { mintToken } from '../../lib/keys/tokens';
import { loadOrCreateSigningKey } from '../../lib/local/signing-key-file';
import { startGateway, type GatewayOptions, type RunningGateway } from '../../lib/local/gateway/server';
import type { CallRoute } from '../support/booking-flow';
import { shareDynamo, type FileTables } from '../support/dynamo';
import { temporaryFolder } from '../support/temporary-folder';

// a test fails when an answer departs from the schema OpenAPI publishes for it
process.env.APPAPI_RESPONSE_CHECK ??= 'fatal';

export const LAB_APPS = join(__dirname, '..', 'support', 'lab-app.ts');

export function temporaryHome(): string {
  return temporaryFolder('appapi-e2e-');
}

/**
 * A gateway on a free loopback port with its own data folder, on the run's shared DynamoDB Local
 * (found as a second terminal finds a running `appapi dev`'s) and the test file's tables.
 */
export async function startTestGateway(tables: FileTables, options: GatewayOptions = {}): Promise<RunningGateway> {
  const home = options.home ?? temporaryHome();
  await shareDynamo(home, options.env ?? 'dev');
  return startGateway({ port: 0, watch: false, appsModule: LAB_APPS, log: () => {}, tablePrefix: tables.prefix, ...options, home });
}

/** Creates a key the way `appapi keys create` does and returns its token. */
export async function createToken(gateway: RunningGateway, groups: string[], name = 'e2e'): Promise<{ keyId: string; token: string }> {
  const documents = createDocumentClient(gateway.dynamoEndpoint);
  try {
    const key = await new ApiKeyStore(documents, gateway.manifest().tables.apiKeys).create(name, groups);
    const pair = loadOrCreateSigningKey(gateway.dataHome, gateway.env);
    return { keyId: key.keyId, token: mintToken(pair, { env: gateway.env, keyId: key.keyId, tokenId: key.tokenId }) };
  } finally {
    documents.destroy();
  }
}

export interface HttpAnswer {
  readonly status: number;
  readonly headers: Headers;
  readonly body: any;
}

export async function request(gateway: RunningGateway, method: string, path: string, options: { token?: string; body?: unknown; headers?: Record<string, string> } = {}): Promise<HttpAnswer> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers.Authorization = `Bearer ${options.token}`;
  let body: string | undefined;
  if (options.body !== undefined) {
    body = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
    headers['Content-Type'] ??= 'application/json';
  }
  const response = await fetch(`${gateway.url}${path}`, { method, headers, ...(body === undefined ? {} : { body }), redirect: 'manual', signal: AbortSignal.timeout(20_000) });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: /json/.test(response.headers.get('content-type') ?? '') && text ? JSON.parse(text) : text };
}

/**
 * The booking flow's calls (test/support/booking-flow.ts) over HTTP: each route by its id, with the
 * token of the caller it names. `gateway` is read at each call (suites start it in `before`).
 */
export function httpCallRoute(gateway: () => RunningGateway, tokens: Readonly<Record<'partner' | 'ops', string>>): CallRoute {
  return async (routeId, { as, params = {}, query, headers, body } = {}) => {
    const route = gateway().manifest().routes.find((candidate) => candidate.id === routeId)!;
    const path = route.path.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(params[name] ?? ''));
    const answer = await request(gateway(), route.method, `${path}${query ? `?${new URLSearchParams(query)}` : ''}`, {
      ...(as ? { token: tokens[as] } : {}),
      ...(headers ? { headers } : {}),
      ...(body === undefined ? {} : { body }),
    });
    return { status: answer.status, body: answer.body, header: (name) => answer.headers.get(name) };
  };
}
