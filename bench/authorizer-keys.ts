// npm run bench -- authorizer: the authorizer with 10,000 keys in the keys table, key lookups by id
// (now) against the former whole-table scan (before, bench/scan-key-set.ts), side by side.
import { randomBytes } from 'node:crypto';
import { BatchWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createAuthorizer, type Authorizer } from '../lambdas/authorizer/create-authorizer';
import type { EnvironmentManifest } from '../lambdas/shared/manifest';
import type { SigningKeyPair } from '../lambdas/shared/signing-jwk';
import type { ApiKeyRecord } from '../lambdas/shared/token-format';
import { mintToken } from '../lib/keys/tokens';
import { AuthorizerCache } from '../lib/local/authorizer-cache';
import { median } from './processes';
import { ScanKeySet } from './scan-key-set';

const KEYS = 10_000;
const COLD_STARTS = 5;
const SIMULATED_MS = 60_000;
/** API Gateway's authorizer result cache in front of the authorizer, as deployed. */
const GATEWAY_CACHE_MS = 30_000;
const METHOD_ARN = 'arn:aws:execute-api:eu-west-1:123456789012:api/dev/GET/customers/c-1';

type Strategy = 'scan (before)' | 'by id (now)';

/** The bench's DynamoDB client: counts calls and the read units DynamoDB reports for them. */
function meteredClient(documents: DynamoDBDocumentClient) {
  const meter = { calls: 0, units: 0, kinds: new Map<string, number>() };
  const send = async (command: { constructor: { name: string }; input: Record<string, unknown> }) => {
    command.input.ReturnConsumedCapacity = 'TOTAL';
    const result = (await documents.send(command as never)) as { ConsumedCapacity?: { CapacityUnits?: number } };
    const kind = command.constructor.name.replace(/Command$/, '');
    meter.calls += 1;
    meter.kinds.set(kind, (meter.kinds.get(kind) ?? 0) + 1);
    meter.units += result.ConsumedCapacity?.CapacityUnits ?? 0;
    return result;
  };
  const reset = () => {
    meter.calls = 0;
    meter.units = 0;
    meter.kinds.clear();
  };
  return { client: { send } as unknown as DynamoDBDocumentClient, meter, reset };
}

async function fillKeys(documents: DynamoDBDocumentClient, table: string): Promise<ApiKeyRecord[]> {
  const now = new Date().toISOString();
  const keys: ApiKeyRecord[] = Array.from({ length: KEYS }, (_, index) => ({
    keyId: `key_${randomBytes(10).toString('hex')}`,
    name: `bench-${index}`,
    groups: ['partners'],
    tokenId: randomBytes(16).toString('base64url'),
    createdAt: now,
    updatedAt: now,
  }));
  const batches: ApiKeyRecord[][] = [];
  for (let index = 0; index < keys.length; index += 25) batches.push(keys.slice(index, index + 25));
  for (let index = 0; index < batches.length; index += 8) {
    await Promise.all(
      batches.slice(index, index + 8).map(async (batch) => {
        let unprocessed: Record<string, unknown>[] | undefined = batch.map((Item) => ({ PutRequest: { Item } }));
        while (unprocessed?.length) {
          const result = await documents.send(new BatchWriteCommand({ RequestItems: { [table]: unprocessed as never } }));
          unprocessed = result.UnprocessedItems?.[table] as Record<string, unknown>[] | undefined;
        }
      }),
    );
  }
  return keys;
}

/** A deterministic sequence, so both strategies see the same requests. */
function seeded(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!;
}

export async function authorizerAtScale(line: (text: string) => void, documents: DynamoDBDocumentClient, manifest: EnvironmentManifest, pair: SigningKeyPair): Promise<void> {
  const table = manifest.tables.apiKeys;
  const filling = Date.now();
  const keys = await fillKeys(documents, table);
  const tokens = keys.map((key) => mintToken(pair, { env: manifest.env, keyId: key.keyId, tokenId: key.tokenId }));
  line(`\nAuthorizer with ${KEYS.toLocaleString('en')} keys (keys table filled in ${((Date.now() - filling) / 1000).toFixed(1)} s; in-process, DynamoDB Local, read units as DynamoDB Local reports them)`);

  const { client, meter, reset } = meteredClient(documents);
  let clock = 0;
  const build = (strategy: Strategy): { authorize: Authorizer; preload: () => Promise<void> } => {
    const scan = strategy === 'scan (before)' ? new ScanKeySet(client, table, () => clock) : undefined;
    const authorize = createAuthorizer({ manifest, publicJwk: pair.publicJwk, dynamo: client, keySet: { clock: () => clock }, ...(scan ? { keySource: scan } : {}), log: () => {} });
    // the former entry point started the scan at cold start; the new one reads nothing then
    const preload = () => scan?.reload() ?? Promise.resolve();
    return { authorize, preload };
  };
  const event = (token: string) => ({ methodArn: METHOD_ARN, headers: { Authorization: `Bearer ${token}` }, requestContext: { requestId: 'bench' } });
  const strategies: Strategy[] = ['scan (before)', 'by id (now)'];

  // cold start: a new instance (its cold-start work included) until its first answer; alternated
  const cold = new Map<Strategy, { ms: number[]; units: number[]; calls: number[] }>(strategies.map((strategy) => [strategy, { ms: [], units: [], calls: [] }]));
  for (let run = 0; run < COLD_STARTS; run += 1) {
    for (const strategy of strategies) {
      reset();
      const started = performance.now();
      const { authorize, preload } = build(strategy);
      const loading = preload();
      await authorize(event(tokens[run]!));
      await loading;
      const figures = cold.get(strategy)!;
      figures.ms.push(performance.now() - started);
      figures.units.push(meter.units);
      figures.calls.push(meter.calls);
    }
  }
  line(`  cold start to the first answer (median of ${COLD_STARTS}, alternated; module load not included):`);
  for (const strategy of strategies) {
    const figures = cold.get(strategy)!;
    line(`    ${strategy.padEnd(14)} ${median(figures.ms).toFixed(1).padStart(7)} ms   ${median(figures.calls)} DynamoDB call(s)   ${median(figures.units).toFixed(1)} read units`);
  }

  // one warm instance for one simulated minute behind API Gateway's 30 s cache, virtual clock
  line(`  one warm instance, one simulated minute behind API Gateway's 30 s result cache (virtual clock; tokens drawn uniformly from the active keys):`);
  line('    strategy        rate      active keys  authorizer runs  p50 / p99 / max per run     DynamoDB calls    read units / min');
  for (const rate of [0, 100]) {
    for (const active of rate === 0 ? [0] : [100, 1_000]) {
      for (const strategy of strategies) {
        clock = 1_000_000;
        const { authorize, preload } = build(strategy);
        await preload();
        await authorize(event(tokens[0]!));
        const latencies: number[] = [];
        const timed: Authorizer = async (request) => {
          const started = performance.now();
          try {
            return await authorize(request);
          } finally {
            latencies.push(performance.now() - started);
          }
        };
        const gateway = new AuthorizerCache(timed, GATEWAY_CACHE_MS, () => clock);
        reset();
        const random = seeded(19);
        const start = clock;
        if (rate > 0) {
          for (let sent = 0; sent < (rate * SIMULATED_MS) / 1000; sent += 1) {
            clock = start + Math.floor((sent * 1000) / rate);
            const token = tokens[Math.floor(random() * active)]!;
            const request = event(token);
            const decision = await gateway.decide(`Bearer ${token}`, request.methodArn, () => request);
            if (decision.outcome !== 'allow') throw new Error(`bench request refused: ${decision.outcome}`);
          }
        }
        clock = start + SIMULATED_MS;
        const kinds = [...meter.kinds].map(([kind, count]) => `${count} ${kind}`).join(', ') || '0';
        const perRun = latencies.length ? `${percentile(latencies, 0.5).toFixed(2)} / ${percentile(latencies, 0.99).toFixed(1)} / ${Math.max(...latencies).toFixed(0)} ms` : '—';
        line(
          `    ${strategy.padEnd(14)}  ${`${rate} req/s`.padEnd(9)} ${String(active).padStart(11)}  ${String(latencies.length).padStart(15)}  ${perRun.padStart(26)}   ${kinds.padEnd(16)} ${meter.units.toFixed(1).padStart(16)}`,
        );
      }
    }
  }
}
