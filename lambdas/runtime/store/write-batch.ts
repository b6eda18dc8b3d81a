import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { TransactWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { HttpProblem } from '../problem-error';
import { unavailableProblem } from '../dynamodb';
import { LIMITS } from '../../shared/limits';
import { itemSize, MAX_ITEM_BYTES } from './item-size';

/** DynamoDB's limits on one transaction. */
export const MAX_TRANSACTION_ITEMS = LIMITS.transactionItems.value;
const MAX_TRANSACTION_BYTES = LIMITS.transactionBytes.value;

type Key = Record<string, string>;
type Names = Record<string, string>;
type Values = Record<string, unknown>;

interface Condition {
  readonly expression: string;
  readonly names?: Names;
  readonly values?: Values;
}

/**
 * What a failed condition means: `retry` when another request changed what this one read (the
 * chain runs again on fresh data), `idempotency` when a concurrent request with the same
 * Idempotency-Key won, or the problem to answer.
 */
export type OnConditionFailed = 'retry' | 'idempotency' | HttpProblem | ConditionInspection;

/**
 * A failed condition that the item as it was decides: DynamoDB returns it with the cancellation
 * (ReturnValuesOnConditionCheckFailure = ALL_OLD), so telling, say, "held by an active journey"
 * from "held by an ended one" needs no read before the write.
 * https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_TransactWriteItems.html
 */
export interface ConditionInspection {
  /** The item as it was (absent when the condition failed on a missing item): the problem to answer, or `retry`. */
  readonly inspect: (old: StoredAttributes | undefined) => Promise<HttpProblem | 'retry'>;
}

/** An item's attributes as a cancellation reason returns them, in DynamoDB's typed form. */
export type StoredAttributes = Record<string, { readonly S?: string; readonly N?: string }>;

export type PendingWrite = { readonly table: string; readonly key: Key; readonly onConditionFailed: OnConditionFailed; readonly condition?: Condition } & (
  | { readonly kind: 'put'; readonly item: Record<string, unknown> }
  | { readonly kind: 'update'; readonly update: string; readonly names: Names; readonly values: Values; readonly sizeAfter: number }
  | { readonly kind: 'delete' }
);

/** A commit lost to a concurrent request; see OnConditionFailed. */
export class WriteConflict extends Error {
  constructor(readonly onConditionFailed: 'retry' | 'idempotency') {
    super(`write conflict (${onConditionFailed})`);
    this.name = 'WriteConflict';
  }
}

/**
 * Every write of one request, held until the chain has answered and then committed as one
 * DynamoDB transaction: a chain that fails half-way leaves nothing behind. Later writes to the same
 * item replace earlier ones, since a transaction may touch each item once.
 */
export class WriteBatch {
  private readonly writes = new Map<string, PendingWrite>();

  set(write: PendingWrite): void {
    this.writes.set(keyOf(write.table, write.key), write);
  }

  remove(table: string, key: Key): void {
    this.writes.delete(keyOf(table, key));
  }

  pending(table: string, key: Key): PendingWrite | undefined {
    return this.writes.get(keyOf(table, key));
  }

  get size(): number {
    return this.writes.size;
  }

  async commit(dynamo: DynamoDBDocumentClient, extra: readonly PendingWrite[] = []): Promise<void> {
    const writes = [...this.writes.values(), ...extra];
    if (writes.length === 0) return;
    checkLimits(writes);
    try {
      await dynamo.send(new TransactWriteCommand({ TransactItems: writes.map(transactItem) }));
    } catch (error) {
      throw await commitFailure(error, writes);
    }
  }
}

function keyOf(table: string, key: Key): string {
  return `${table}\u0000${Object.keys(key).sort().map((name) => `${name}=${key[name]}`).join('\u0000')}`;
}

function checkLimits(writes: readonly PendingWrite[]): void {
  if (writes.length > MAX_TRANSACTION_ITEMS) {
    throw new HttpProblem('too_many_writes', `The request would write ${writes.length} items; one request writes at most ${MAX_TRANSACTION_ITEMS} atomically.`);
  }
  let total = 0;
  for (const write of writes) {
    const size = write.kind === 'put' ? itemSize(write.item) : write.kind === 'update' ? write.sizeAfter : 0;
    if (size > MAX_ITEM_BYTES) throw itemTooLarge(size);
    total += size;
  }
  if (total > MAX_TRANSACTION_BYTES) {
    throw new HttpProblem('transaction_too_large', `The request would write about ${total} bytes; one request writes at most 4 MB atomically.`);
  }
}

export function itemTooLarge(size?: number): HttpProblem {
  const measured = size === undefined ? '' : ` (about ${Math.ceil(size / 1024)} KB)`;
  return new HttpProblem('item_too_large', `The record would exceed DynamoDB's 400 KB item limit${measured}. Store large content elsewhere and keep a link to it.`);
}

function transactItem(write: PendingWrite) {
  const condition: { ConditionExpression?: string; ExpressionAttributeNames?: Names; ExpressionAttributeValues?: Values; ReturnValuesOnConditionCheckFailure?: 'ALL_OLD' } = write.condition
    ? {
        ConditionExpression: write.condition.expression,
        ...(write.condition.names ? { ExpressionAttributeNames: write.condition.names } : {}),
        ...(write.condition.values ? { ExpressionAttributeValues: write.condition.values } : {}),
        ...(isInspection(write.onConditionFailed) ? { ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const } : {}),
      }
    : {};
  switch (write.kind) {
    case 'put':
      return { Put: { TableName: write.table, Item: { ...write.item, ...write.key }, ...condition } };
    case 'delete':
      return { Delete: { TableName: write.table, Key: write.key, ...condition } };
    case 'update':
      return {
        Update: {
          TableName: write.table,
          Key: write.key,
          UpdateExpression: write.update,
          ...condition,
          ExpressionAttributeNames: { ...write.names, ...condition.ExpressionAttributeNames },
          ...(Object.keys(write.values).length || condition.ExpressionAttributeValues
            ? { ExpressionAttributeValues: { ...write.values, ...condition.ExpressionAttributeValues } }
            : {}),
        },
      };
  }
}

function isInspection(onConditionFailed: OnConditionFailed): onConditionFailed is ConditionInspection {
  return typeof onConditionFailed === 'object' && 'inspect' in onConditionFailed;
}

/** Turns a cancelled transaction into what the request should answer, by its first cause. */
async function commitFailure(error: unknown, writes: readonly PendingWrite[]): Promise<Error> {
  if (error instanceof TransactionCanceledException) {
    const reasons = error.CancellationReasons ?? [];
    let retry = false;
    for (const [index, reason] of reasons.entries()) {
      const write = writes[index];
      if (reason.Code === 'ConditionalCheckFailed' && write) {
        if (write.onConditionFailed instanceof HttpProblem) return write.onConditionFailed;
        if (isInspection(write.onConditionFailed)) {
          const decided = await write.onConditionFailed.inspect(reason.Item as StoredAttributes | undefined);
          if (decided instanceof HttpProblem) return decided;
          retry = true;
          continue;
        }
        if (write.onConditionFailed === 'idempotency') return new WriteConflict('idempotency');
        retry = true;
      }
      if (reason.Code === 'TransactionConflict') retry = true;
      if (reason.Code === 'ValidationError' && /size/i.test(reason.Message ?? '')) return itemTooLarge();
      if (reason.Code === 'ThrottlingError' || reason.Code === 'ProvisionedThroughputExceeded') return unavailableProblem({ name: 'ThrottlingException' })!;
    }
    return retry ? new WriteConflict('retry') : new HttpProblem('write_failed', `Transaction cancelled: ${reasons.map((r) => r.Code).join(', ')}.`);
  }
  const name = (error as { name?: string }).name;
  const message = (error as { message?: string }).message ?? '';
  if (name === 'ValidationException' && /item size|size has exceeded/i.test(message)) return itemTooLarge();
  return unavailableProblem(error) ?? (error as Error);
}
