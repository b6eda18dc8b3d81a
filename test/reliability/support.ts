import { Agent, request as httpRequest } from 'node:http';
import { createDocumentClient } from '../../lambdas/runtime/dynamodb';
import type { EnvironmentManifest } from '../../lambdas/shared/manifest';
import { scanAll as scanTable } from '../support/dynamo';

export interface Call {
  readonly status: number;
  readonly body: any;
  readonly ms: number;
}

/** A small HTTP client for many concurrent callers: keep-alive sockets, a hard timeout per call. */
export function client(baseUrl: string, token: string, maxSockets = 256) {
  const agent = new Agent({ keepAlive: true, maxSockets });
  const url = new URL(baseUrl);
  const call = (method: string, path: string, body?: unknown, timeoutMs = 30_000): Promise<Call> =>
    new Promise((resolve) => {
      const started = Date.now();
      const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
      const outgoing = httpRequest(
        {
          host: url.hostname,
          port: url.port,
          method,
          path,
          agent,
          timeout: timeoutMs,
          headers: { authorization: `Bearer ${token}`, ...(payload ? { 'content-type': 'application/json', 'content-length': payload.length } : {}) },
        },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let parsed: unknown = text;
            try {
              parsed = text ? JSON.parse(text) : null;
            } catch {
              // kept as text
            }
            resolve({ status: response.statusCode!, body: parsed, ms: Date.now() - started });
          });
        },
      );
      outgoing.on('timeout', () => outgoing.destroy(new Error('timeout')));
      // a refused or dropped connection is an answer too: status 0
      outgoing.on('error', () => resolve({ status: 0, body: null, ms: Date.now() - started }));
      outgoing.end(payload);
    });
  return { call, close: () => agent.destroy() };
}

export function percentile(values: readonly number[], fraction: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(fraction * sorted.length))]! : 0;
}

/** Every item of a table on a DynamoDB Local endpoint. */
export async function scanAll(endpoint: string, table: string): Promise<Record<string, any>[]> {
  const documents = createDocumentClient(endpoint);
  try {
    return await scanTable(documents, table);
  } finally {
    documents.destroy();
  }
}

/**
 * What a half-written request would leave behind, checked on the tables: a customer without its
 * email marker or a marker without its customer, and a journey whose eventCount differs from its
 * stored events.
 */
export async function halfWrites(endpoint: string, manifest: EnvironmentManifest): Promise<string[]> {
  const problems: string[] = [];
  const customers = await scanAll(endpoint, manifest.models.Customers!.table);
  const records = new Map(customers.filter((item) => !String(item.id).startsWith('#')).map((item) => [item.id, item]));
  const markers = customers.filter((item) => String(item.id).startsWith('#unique#email#'));
  for (const marker of markers) if (!records.has(marker.recordId)) problems.push(`marker ${marker.id} without its record`);
  const claimed = new Set(markers.map((marker) => marker.recordId));
  for (const record of records.values()) if (!claimed.has(record.id)) problems.push(`customer ${record.id} without its email marker`);
  const journeyItems = await scanAll(endpoint, manifest.tables.journeys);
  const events = new Map<string, number>();
  for (const item of journeyItems) if (String(item.sk).startsWith('event#')) events.set(item.pk, (events.get(item.pk) ?? 0) + 1);
  for (const journey of journeyItems.filter((item) => item.sk === 'journey')) {
    if ((journey.eventCount ?? 0) !== (events.get(journey.pk) ?? 0)) problems.push(`journey ${journey.id}: eventCount ${journey.eventCount}, ${events.get(journey.pk) ?? 0} events`);
  }
  return problems;
}
