import { GetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { ApiKeyRecord } from '../shared/token-format';

/** What the authorizer needs of a key; the rest of the item (dates) is never read. */
export type AuthorizerKey = Pick<ApiKeyRecord, 'keyId' | 'name' | 'groups' | 'tokenId'>;

/** Where the authorizer finds a token's key. */
export interface KeySource {
  /** The key, or undefined when no key has this id. */
  get(keyId: string): Promise<AuthorizerKey | undefined>;
  /**
   * The key read again, when what `get` returned may be older than a change the token proves
   * (a token id newer than the cached one). @default `get`
   */
  refreshed?(keyId: string): Promise<AuthorizerKey | undefined>;
}

export interface KeyCacheOptions {
  /** A cached key older than this is read again before it is used. @default 25 s */
  readonly refreshMs?: number;
  /** If that read fails, a cached key up to this age is still used; older, requests fail. @default 30 s */
  readonly maxStaleMs?: number;
  /** An id no key has is answered "unknown" from memory for this long. @default 10 s */
  readonly unknownMs?: number;
  /** Keys kept per instance; the least recently used goes first. @default 10,000 */
  readonly maxKeys?: number;
  /** Unknown ids kept per instance; the least recently used goes first. @default 1,000 */
  readonly maxUnknown?: number;
  readonly clock?: () => number;
}

/** A token whose id differs from the cached key's is read again, but not more than once a second. */
const MIN_REREAD_MS = 1_000;

interface Entry {
  readonly key: AuthorizerKey | undefined;
  readonly readAt: number;
}

/**
 * API keys read one by one, by id, when a token names them (GetItem), and cached per instance:
 * the cost follows the keys in use, not the size of the keys table, and a cold start reads nothing.
 *
 * Bounds, with API Gateway's 30 s result cache on top: a deleted or changed key stops working at
 * most maxStaleMs + 30 s = 60 s after the change (a key is read again after refreshMs, and a
 * failed read keeps it up to maxStaleMs). An unknown id stays unknown for unknownMs; since only a
 * token the environment signed reaches this lookup, such ids are deleted keys still being tried.
 *
 * Reads are strongly consistent: a key created a moment ago must not be cached as unknown, and
 * the 60 s revocation bound must not depend on replication lag, which has no documented upper
 * bound for eventually consistent reads
 * (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/HowItWorks.ReadConsistency.html).
 * A key item is far below 4 KB, so a read is 1 read unit instead of 0.5.
 */
export class KeyCache implements KeySource {
  private readonly known = new Map<string, Entry>();
  private readonly unknown = new Map<string, Entry>();
  private readonly reading = new Map<string, Promise<AuthorizerKey | undefined>>();
  private readonly refreshMs: number;
  private readonly maxStaleMs: number;
  private readonly unknownMs: number;
  private readonly maxKeys: number;
  private readonly maxUnknown: number;
  private readonly clock: () => number;

  constructor(
    private readonly dynamo: DynamoDBDocumentClient,
    private readonly table: string,
    options: KeyCacheOptions = {},
  ) {
    this.refreshMs = options.refreshMs ?? 25_000;
    this.maxStaleMs = options.maxStaleMs ?? 30_000;
    this.unknownMs = options.unknownMs ?? 10_000;
    this.maxKeys = options.maxKeys ?? 10_000;
    this.maxUnknown = options.maxUnknown ?? 1_000;
    this.clock = options.clock ?? Date.now;
    if (this.maxStaleMs < this.refreshMs) throw new Error(`KeyCache: maxStaleMs (${this.maxStaleMs}) must be at least refreshMs (${this.refreshMs}).`);
  }

  async get(keyId: string): Promise<AuthorizerKey | undefined> {
    const now = this.clock();
    const unknown = this.unknown.get(keyId);
    if (unknown && now - unknown.readAt < this.unknownMs) return undefined;
    const cached = this.known.get(keyId);
    if (cached && now - cached.readAt < this.refreshMs) {
      touch(this.known, keyId, cached);
      return cached.key;
    }
    try {
      return await this.read(keyId);
    } catch (error) {
      if (cached && this.clock() - cached.readAt < this.maxStaleMs) return cached.key;
      throw error;
    }
  }

  async refreshed(keyId: string): Promise<AuthorizerKey | undefined> {
    const cached = this.known.get(keyId);
    if (cached && this.clock() - cached.readAt < MIN_REREAD_MS) return cached.key;
    return this.read(keyId);
  }

  /** Number of keys and unknown ids held. */
  get size(): { readonly keys: number; readonly unknown: number } {
    return { keys: this.known.size, unknown: this.unknown.size };
  }

  /** One read per id at a time; concurrent requests for the same key wait for the same one. */
  private read(keyId: string): Promise<AuthorizerKey | undefined> {
    let pending = this.reading.get(keyId);
    if (!pending) {
      pending = this.load(keyId).finally(() => this.reading.delete(keyId));
      this.reading.set(keyId, pending);
    }
    return pending;
  }

  private async load(keyId: string): Promise<AuthorizerKey | undefined> {
    const readAt = this.clock();
    const { Item } = await this.dynamo.send(
      new GetCommand({
        TableName: this.table,
        Key: { keyId },
        ConsistentRead: true,
        // fewer bytes on the wire; read units are counted on the whole item either way
        ProjectionExpression: '#keyId, #name, #groups, #tokenId',
        ExpressionAttributeNames: { '#keyId': 'keyId', '#name': 'name', '#groups': 'groups', '#tokenId': 'tokenId' },
      }),
    );
    const key = Item ? { keyId: String(Item.keyId), name: String(Item.name), groups: (Item.groups ?? []) as string[], tokenId: String(Item.tokenId) } : undefined;
    if (key) {
      this.unknown.delete(keyId);
      remember(this.known, keyId, { key, readAt }, this.maxKeys);
    } else {
      this.known.delete(keyId);
      remember(this.unknown, keyId, { key, readAt }, this.maxUnknown);
    }
    return key;
  }
}

/** Map order is insertion order: re-inserting makes an entry the most recently used. */
function touch(entries: Map<string, Entry>, id: string, entry: Entry): void {
  entries.delete(id);
  entries.set(id, entry);
}

function remember(entries: Map<string, Entry>, id: string, entry: Entry, max: number): void {
  entries.delete(id);
  while (entries.size >= max) entries.delete(entries.keys().next().value!);
  entries.set(id, entry);
}
