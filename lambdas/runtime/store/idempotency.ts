import { createHash } from 'node:crypto';
import { GetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { badRequest, HttpProblem } from '../problem-error';
import type { ProxyResult } from '../proxy-event';
import { LIMITS } from '../../shared/limits';
import { itemSize, MAX_ITEM_BYTES } from './item-size';
import { withStorage } from './storage-errors';
import type { PendingWrite } from './write-batch';

const KEY_PATTERN = new RegExp(`^[\\x21-\\x7e]{1,${LIMITS.idempotencyKeyLength.value}}$`);
const RETENTION_SECONDS = LIMITS.idempotencyRetention.value;
export const REPLAYED_HEADER = 'Idempotent-Replayed';

/** One request's Idempotency-Key: the stored first answer, or what to store with this one. */
export interface IdempotentRequest {
  readonly key: string;
  readonly fingerprint: string;
}

/**
 * The key of a POST carrying `Idempotency-Key`, scoped to the route and the caller's API key so
 * two callers never share answers. The fingerprint covers the path and the body as sent.
 */
export function idempotentRequest(routeId: string, principal: string | null, headerValue: string | undefined, path: string, body: string): IdempotentRequest | undefined {
  if (headerValue === undefined) return undefined;
  if (!KEY_PATTERN.test(headerValue)) {
    throw badRequest('invalid_idempotency_key', `The Idempotency-Key header must be 1 to ${LIMITS.idempotencyKeyLength.value} visible ASCII characters; a UUID is a good choice.`);
  }
  return {
    key: `${routeId}#${principal ?? 'public'}#${headerValue}`,
    fingerprint: createHash('sha256').update(path).update('\u0000').update(body).digest('base64url'),
  };
}

/** The answer stored for this key, replayed; a different request under the same key is a 422. */
export async function storedAnswer(dynamo: DynamoDBDocumentClient, table: string, request: IdempotentRequest, now: Date): Promise<ProxyResult | undefined> {
  const { Item } = await withStorage(() => dynamo.send(new GetCommand({ TableName: table, Key: { key: request.key }, ConsistentRead: true })));
  if (!Item || Number(Item.expiresAt) <= now.getTime() / 1000) return undefined;
  if (Item.fingerprint !== request.fingerprint) {
    throw new HttpProblem('idempotency_key_reused', 'This Idempotency-Key was used for a different request; use a new key for a new request.');
  }
  const answer = Item.answer as ProxyResult | undefined;
  if (!answer) {
    throw new HttpProblem('idempotent_answer_unavailable', 'A request with this Idempotency-Key already succeeded; its answer was too large to keep for replay.');
  }
  return { statusCode: answer.statusCode, headers: { ...answer.headers, [REPLAYED_HEADER]: 'true' }, body: answer.body };
}

/**
 * The write that records this request's answer, committed with the chain's own writes: either
 * both happen or neither. Server errors are not recorded, so a retry runs the chain again.
 */
export function answerWrite(table: string, request: IdempotentRequest, answer: ProxyResult, now: Date): PendingWrite | undefined {
  if (answer.statusCode >= 500) return undefined;
  const nowSeconds = Math.floor(now.getTime() / 1000);
  const item = { fingerprint: request.fingerprint, answer: { statusCode: answer.statusCode, headers: answer.headers, body: answer.body }, createdAt: now.toISOString(), expiresAt: nowSeconds + RETENTION_SECONDS };
  // an answer too large to keep is still claimed, so a retry cannot write a second time
  const { answer: _answer, ...claimOnly } = item;
  const stored = itemSize({ key: request.key, ...item }) > MAX_ITEM_BYTES ? claimOnly : item;
  return {
    kind: 'put',
    table,
    key: { key: request.key },
    item: stored,
    condition: { expression: 'attribute_not_exists(#key) OR #expiresAt <= :now', names: { '#key': 'key', '#expiresAt': 'expiresAt' }, values: { ':now': nowSeconds } },
    onConditionFailed: 'idempotency',
  };
}
