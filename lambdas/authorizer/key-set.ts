import { ScanCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { ApiKeyRecord } from '../shared/token-format';

const MISS_RELOAD_MS = 1_000;

export interface KeySetOptions {
  /** A snapshot older than this is reloaded before it is used. @default 25 s */
  readonly refreshMs?: number;
  /** If a reload fails, a snapshot up to this age is still used; older, requests fail. @default 30 s */
  readonly maxStaleMs?: number;
  readonly clock?: () => number;
}

/**
 * Every API key of the environment, loaded at cold start and reloaded when older than refreshMs,
 * not per request. With API Gateway's 30 s result cache, a deleted key stops working at most
 * maxStaleMs + 30 s = 60 s after its deletion.
 */
export class KeySet {
  private snapshot?: { readonly keys: ReadonlyMap<string, ApiKeyRecord>; readonly loadedAt: number };
  private loading?: Promise<void>;
  private readonly refreshMs: number;
  private readonly maxStaleMs: number;
  private readonly clock: () => number;

  constructor(
    private readonly dynamo: DynamoDBDocumentClient,
    private readonly table: string,
    options: KeySetOptions = {},
  ) {
    this.refreshMs = options.refreshMs ?? 25_000;
    this.maxStaleMs = options.maxStaleMs ?? 30_000;
    this.clock = options.clock ?? Date.now;
  }

  async get(keyId: string): Promise<ApiKeyRecord | undefined> {
    if (!this.snapshot || this.age() >= this.refreshMs) await this.refresh();
    const key = this.snapshot!.keys.get(keyId);
    // a key created since the last load works at once; unknown ids reload at most once per second
    if (!key && this.age() >= MISS_RELOAD_MS) {
      await this.refresh();
      return this.snapshot!.keys.get(keyId);
    }
    return key;
  }

  private async refresh(): Promise<void> {
    try {
      await this.reload();
    } catch (error) {
      if (!this.snapshot || this.age() >= this.maxStaleMs) throw error;
    }
  }

  private age(): number {
    return this.snapshot ? this.clock() - this.snapshot.loadedAt : Number.POSITIVE_INFINITY;
  }

  /** One reload at a time; concurrent requests wait for the same one. */
  reload(): Promise<void> {
    this.loading ??= this.load().finally(() => {
      this.loading = undefined;
    });
    return this.loading;
  }

  private async load(): Promise<void> {
    const startedAt = this.clock();
    const keys = new Map<string, ApiKeyRecord>();
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.dynamo.send(new ScanCommand({ TableName: this.table, ConsistentRead: true, ...(startKey ? { ExclusiveStartKey: startKey } : {}) }));
      for (const item of page.Items ?? []) keys.set(String(item.keyId), item as ApiKeyRecord);
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    this.snapshot = { keys, loadedAt: startedAt };
  }
}
