import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { GetCommand, QueryCommand, ScanCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { EnvironmentManifest } from '../../../lambdas/shared/manifest';
import type { SigningKeyPair } from '../../../lambdas/shared/signing-jwk';
import { ApiKeyStore, KeyCommandError } from '../../keys/key-store';
import { mintToken } from '../../keys/tokens';
import type { TraceStore } from '../gateway/trace-store';

export const CONSOLE_PATH = '/__appapi/';
const PAGE = readFileSync(join(__dirname, 'console.html'));
const PAGE_SIZE = 50;

export interface ConsoleContext {
  readonly manifest: EnvironmentManifest;
  readonly documents: DynamoDBDocumentClient;
  readonly traces: TraceStore;
  readonly signingKey: () => SigningKeyPair;
}

/**
 * The local console: one static page and the JSON it reads. Local, dev only, on loopback; its API
 * also refuses requests from other origins (a page on the internet cannot drive it through the
 * browser) and with a foreign Host (DNS rebinding).
 */
export async function handleConsole(request: IncomingMessage, response: ServerResponse, path: string, context: ConsoleContext): Promise<void> {
  if (!/^(127\.0\.0\.1|localhost|\[::1\])(:\d+)?$/.test(request.headers.host ?? '')) return send(response, 403, { error: 'The console answers on 127.0.0.1 or localhost only.' });
  if (path === CONSOLE_PATH || path === CONSOLE_PATH.slice(0, -1)) {
    response.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Content-Length': PAGE.length, 'Cache-Control': 'no-store', 'Content-Security-Policy': "default-src 'self'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:" });
    return void response.end(PAGE);
  }
  if (request.headers['x-appapi-console'] !== '1') return send(response, 403, { error: 'Console API calls carry X-AppAPI-Console: 1.' });
  // the console is open: requests from now on record their chain traces
  context.traces.watched();
  const url = new URL(request.url ?? '/', 'http://localhost');
  const parts = path.slice(`${CONSOLE_PATH}api/`.length).split('/').map(decodeURIComponent);
  const { manifest, documents } = context;
  const keys = new ApiKeyStore(documents, manifest.tables.apiKeys);
  try {
    switch (`${request.method} ${parts[0]}${parts.length > 1 ? '/:id' : ''}${parts.length > 2 ? `/${parts[2]}` : ''}`) {
      case 'GET requests':
        return send(response, 200, { requests: context.traces.after(Number(url.searchParams.get('after') ?? 0)).map((entry) => ({ seq: entry.seq, ...entry.access })) });
      case 'GET requests/:id':
        return send(response, 200, context.traces.get(parts[1]!) ?? null);
      case 'GET routes':
        return send(response, 200, { env: manifest.env, routes: manifest.routes.map(({ id, app, method, path: routePath, auth, query, body, pathParameters }) => ({ id, app, method, path: routePath, auth, query, body, pathParameters })) });
      case 'GET journeys':
        return send(response, 200, await scanPage(documents, manifest.tables.journeys, url.searchParams.get('cursor'), 'sk = :journey', { ':journey': 'journey' }));
      case 'GET journeys/:id': {
        const pk = `journey#${parts[1]}`;
        const journey = (await documents.send(new GetCommand({ TableName: manifest.tables.journeys, Key: { pk, sk: 'journey' }, ConsistentRead: true }))).Item;
        const events = (await documents.send(new QueryCommand({ TableName: manifest.tables.journeys, KeyConditionExpression: 'pk = :pk AND begins_with(sk, :e)', ExpressionAttributeValues: { ':pk': pk, ':e': 'event#' } }))).Items ?? [];
        return send(response, journey ? 200 : 404, journey ? { journey, events } : { error: 'No such journey.' });
      }
      case 'GET models':
        // named by key, `shop.Customers` when another app declares the same model name
        return send(response, 200, { models: Object.entries(manifest.models).map(([key, model]) => ({ name: key, ...(model.app ? { app: model.app } : {}), table: model.table, fields: model.fields })) });
      case 'GET models/:id/records': {
        const model = manifest.models[parts[1]!];
        if (!model) return send(response, 404, { error: 'No such model.' });
        return send(response, 200, await scanPage(documents, model.table, url.searchParams.get('cursor'), 'NOT begins_with(id, :marker)', { ':marker': '#' }));
      }
      case 'GET keys':
        return send(response, 200, { keys: (await keys.list()).map(({ tokenId: _tokenId, ...key }) => key) });
      case 'POST keys': {
        const body = (await readJson(request)) as { name?: string; groups?: string[] };
        const key = await keys.create(String(body.name ?? ''), Array.isArray(body.groups) ? body.groups.map(String) : []);
        const token = mintToken(context.signingKey(), { env: manifest.env, keyId: key.keyId, tokenId: key.tokenId });
        return send(response, 201, { keyId: key.keyId, token, env: manifest.env, name: key.name, groups: key.groups });
      }
      case 'PATCH keys/:id': {
        const body = (await readJson(request)) as { groups?: string[] };
        const { tokenId: _tokenId, ...key } = await keys.updateGroups(parts[1]!, Array.isArray(body.groups) ? body.groups.map(String) : []);
        return send(response, 200, key);
      }
      case 'DELETE keys/:id':
        await keys.delete(parts[1]!);
        return send(response, 204, null);
      default:
        return send(response, 404, { error: 'No such console API.' });
    }
  } catch (error) {
    if (error instanceof KeyCommandError || error instanceof SyntaxError) return send(response, 400, { error: error.message });
    throw error;
  }
}

async function scanPage(documents: DynamoDBDocumentClient, table: string, cursor: string | null, filter: string, values: Record<string, unknown>) {
  let startKey: Record<string, unknown> | undefined;
  if (cursor) {
    try {
      startKey = JSON.parse(Buffer.from(cursor, 'base64url').toString());
    } catch {
      throw new SyntaxError('Bad cursor.');
    }
  }
  const items: Record<string, unknown>[] = [];
  // a filtered scan page can come back short: continue until the page is full or the table ends
  for (let trips = 0; trips < 20 && items.length < PAGE_SIZE; trips += 1) {
    const page = await documents.send(new ScanCommand({ TableName: table, FilterExpression: filter, ExpressionAttributeValues: values, Limit: PAGE_SIZE - items.length, ...(startKey ? { ExclusiveStartKey: startKey } : {}) }));
    items.push(...(page.Items ?? []));
    startKey = page.LastEvaluatedKey;
    if (!startKey) break;
  }
  return { items, cursor: startKey ? Buffer.from(JSON.stringify(startKey)).toString('base64url') : null };
}

function readJson(request: IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    let text = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => {
      text += chunk;
      if (text.length > 64 * 1024) request.destroy(new SyntaxError('Body too large.'));
    });
    request.on('end', () => {
      try {
        resolve(JSON.parse(text || '{}'));
      } catch (error) {
        reject(error);
      }
    });
    request.on('error', reject);
  });
}

function send(response: ServerResponse, status: number, body: unknown): void {
  const text = status === 204 ? '' : JSON.stringify(body);
  response.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text), 'Cache-Control': 'no-store' });
  response.end(text);
}
