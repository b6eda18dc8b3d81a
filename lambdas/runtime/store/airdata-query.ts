import { createHash } from 'node:crypto';
import { QueryCommand, ScanCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { LIMITS } from '../../shared/limits';
import type { ModelManifest } from '../../shared/manifest';
import { badRequest } from '../problem-error';
import { checkConditions, conditionExpression, filterConditions, isKeyConditionOperator, matches, matchesNothing, type FieldCondition } from './query-filter';
import { withStorage } from './storage-errors';
import { canonicalRecord } from './airdata-store';
import { MARKER_PREFIX } from './unique-markers';

export const DEFAULT_QUERY_LIMIT = LIMITS.defaultQueryLimit.value;
export const MAX_QUERY_LIMIT = LIMITS.maxQueryLimit.value;
const MAX_ROUND_TRIPS = 25;
const MAX_PARTITION_KEY_BYTES = LIMITS.partitionKeyBytes.value;
const MAX_SORT_KEY_BYTES = LIMITS.sortKeyBytes.value;
const MAX_CURSOR_LENGTH = 4_096;

export interface QueryPage {
  readonly items: Record<string, unknown>[];
  /** Pass back to get the next page; null on the last one. */
  readonly cursor: string | null;
}

export interface QueryInput {
  readonly filter: Record<string, unknown>;
  readonly limit: unknown;
  readonly cursor: unknown;
  /** The index chosen at synth; used when the filter compares its partition key with equality. */
  readonly index?: string;
}

/**
 * An AirData query: a Query on the chosen index when the request gives its partition key, a Scan
 * otherwise, both with the rest of the filter as a FilterExpression. Pages hold up to `limit`
 * matching records; the cursor is opaque to callers, bound to this query, and checked strictly so
 * a tampered one is a 400.
 */
export async function queryRecords(dynamo: DynamoDBDocumentClient, model: ModelManifest, input: QueryInput): Promise<QueryPage> {
  const limit = queryLimit(input.limit);
  const conditions = filterConditions(input.filter, model);
  if (matchesNothing(conditions)) return { items: [], cursor: null };
  const index = input.index === undefined ? undefined : usableIndex(model, input.index, conditions);
  // no record holds an empty index key, or one longer than DynamoDB allows, and DynamoDB would refuse to look for one
  // (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/HowItWorks.NamingRulesDataTypes.html#HowItWorks.DataTypes.String)
  if (index && typeof index.keyCondition.value === 'string' && !isStorableKey(index.keyCondition.value, MAX_PARTITION_KEY_BYTES)) return { items: [], cursor: null };
  checkConditions(conditions);
  const sortKeyConditions = index?.sortKey === undefined ? [] : conditions.filter((condition) => condition.field === index.sortKey);
  const sortKeyType = index?.sortKey === undefined ? undefined : attributeType(model, index.sortKey);
  const sortKeyCondition = sortKeyConditions.find(
    (condition) => isKeyConditionOperator(condition) && typeof condition.value === sortKeyType && !(typeof condition.value === 'string' && !isStorableKey(condition.value, MAX_SORT_KEY_BYTES)),
  );
  const keyConditions = index ? [index.keyCondition, ...(sortKeyCondition ? [sortKeyCondition] : [])] : [];
  // other conditions on the sort key cannot be in a FilterExpression, so they are applied here
  const inMemory = sortKeyConditions.filter((condition) => condition !== sortKeyCondition);
  const filterConditionsLeft = conditions.filter((condition) => !keyConditions.includes(condition) && !inMemory.includes(condition));
  const fingerprint = createHash('sha256').update(JSON.stringify([model.table, index?.name ?? null, conditions])).digest('base64url').slice(0, 16);
  const keyAttributes = ['id', ...(index ? index.keyAttributes : [])];
  let startKey = decodeCursor(input.cursor, fingerprint, keyAttributes);

  const filter = conditionExpression(filterConditionsLeft, 'f');
  const names: Record<string, string> = { ...filter.names, '#recordId': 'id' };
  const values: Record<string, unknown> = { ...filter.values, ':marker': MARKER_PREFIX };
  const filterExpression = [filter.expression, 'NOT begins_with(#recordId, :marker)'].filter(Boolean).join(' AND ');
  const key = conditionExpression(keyConditions, 'k');
  const items: Record<string, unknown>[] = [];
  for (let trip = 0; trip < MAX_ROUND_TRIPS && items.length < limit; trip += 1) {
    const common = {
      TableName: model.table,
      FilterExpression: filterExpression,
      ExpressionAttributeNames: { ...names, ...key.names },
      ExpressionAttributeValues: { ...values, ...key.values },
      Limit: limit - items.length,
      ...(startKey ? { ExclusiveStartKey: startKey } : {}),
    };
    const page = await withStorage(() =>
      dynamo.send(index ? new QueryCommand({ ...common, IndexName: index.name, KeyConditionExpression: key.expression }) : new ScanCommand({ ...common, ConsistentRead: true })),
    );
    for (const item of page.Items ?? []) if (inMemory.every((condition) => matches(item, condition))) items.push(canonicalRecord(model, item));
    startKey = page.LastEvaluatedKey;
    if (!startKey) break;
  }
  return { items, cursor: startKey ? encodeCursor(fingerprint, startKey) : null };
}

/** Whether DynamoDB takes a string as a key value: not empty, and within the key's size limit. */
function isStorableKey(value: string, maxBytes: number): boolean {
  return value !== '' && Buffer.byteLength(value) <= maxBytes;
}

function queryLimit(value: unknown): number {
  if (value === undefined || value === null) return DEFAULT_QUERY_LIMIT;
  if (typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= MAX_QUERY_LIMIT) return value;
  throw badRequest('invalid_limit', `The limit must be a whole number from 1 to ${MAX_QUERY_LIMIT}, received ${JSON.stringify(value)}.`);
}

function usableIndex(model: ModelManifest, name: string, conditions: readonly FieldCondition[]) {
  const definition = model.indexes[name];
  if (!definition) return undefined;
  const keyCondition = conditions.find((condition) => condition.field === definition.partitionKey && condition.operator === 'equals' && condition.value !== null);
  if (!keyCondition) return undefined;
  const keyType = attributeType(model, definition.partitionKey);
  // a key of the wrong type can match nothing, and DynamoDB would refuse it as a key condition
  if (typeof keyCondition.value !== keyType) {
    throw badRequest('invalid_filter', `The filter on "${definition.partitionKey}" must be a ${keyType}, received ${JSON.stringify(keyCondition.value)}.`);
  }
  return { name, keyCondition, sortKey: definition.sortKey, keyAttributes: [definition.partitionKey, ...(definition.sortKey ? [definition.sortKey] : [])] };
}

function attributeType(model: ModelManifest, field: string): 'number' | 'string' {
  return ['number', 'integer'].includes(model.fields[field]?.type ?? '') ? 'number' : 'string';
}

function encodeCursor(fingerprint: string, key: Record<string, unknown>): string {
  return Buffer.from(JSON.stringify({ q: fingerprint, k: key })).toString('base64url');
}

function decodeCursor(value: unknown, fingerprint: string, keyAttributes: readonly string[]): Record<string, unknown> | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const invalid = () => badRequest('invalid_cursor', 'The cursor is not one this query returned. Start again without a cursor.');
  if (typeof value !== 'string' || value.length > MAX_CURSOR_LENGTH || !/^[A-Za-z0-9_-]+$/.test(value)) throw invalid();
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(value, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  const { q, k } = (decoded ?? {}) as { q?: unknown; k?: unknown };
  if (q !== fingerprint || k === null || typeof k !== 'object' || Array.isArray(k)) throw invalid();
  const key = k as Record<string, unknown>;
  const names = Object.keys(key).sort();
  if (names.join() !== [...keyAttributes].sort().join()) throw invalid();
  for (const name of names) {
    const attribute = key[name];
    if (!(typeof attribute === 'string' && attribute !== '') && !(typeof attribute === 'number' && Number.isFinite(attribute))) throw invalid();
  }
  if (typeof key.id !== 'string' || key.id.startsWith(MARKER_PREFIX)) throw invalid();
  return key;
}
