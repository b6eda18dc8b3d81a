// The authorizer's former key strategy, kept only to measure "before" side by side: the whole keys
// table scanned at cold start and again when the snapshot is older than 25 s, an unknown id
// triggering a rescan at most once a second.
import { ScanCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { KeySource } from '../lambdas/authorizer/key-cache';
import type { ApiKeyRecord } from '../lambdas/shared/token-format';

const MISS_RELOAD_MS = 1_000;

export class ScanKeySet implements KeySource {
  private snapshot?: { readonly keys: ReadonlyMap<string, ApiKeyRecord>; readonly loadedAt: number };
  private loading?: Promise<void>;

  constructor(
    private readonly dynamo: DynamoDBDocumentClient,
    private readonly table: string,
    private readonly clock: () => number,
    private readonly refreshMs = 25_000,
  ) {}

  async get(keyId: string): Promise<ApiKeyRecord | undefined> {
    if (!this.snapshot || this.age() >= this.refreshMs) await this.reload();
    const key = this.snapshot!.keys.get(keyId);
    if (!key && this.age() >= MISS_RELOAD_MS) {
      await this.reload();
      return this.snapshot!.keys.get(keyId);
    }
    return key;
  }

  private age(): number {
    return this.snapshot ? this.clock() - this.snapshot.loadedAt : Number.POSITIVE_INFINITY;
  }

  /** What the former Lambda entry point started at cold start. */
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
