import { FILTER_OPERATORS, type ModelManifest } from '../../shared/manifest';
import { badRequest } from '../problem-error';

export type FilterOperator = (typeof FILTER_OPERATORS)[number];
export interface FieldCondition {
  readonly field: string;
  readonly operator: FilterOperator;
  readonly value: unknown;
}

/** A DynamoDB expression with its placeholders, built from conditions. */
export interface Expression {
  readonly expression: string;
  readonly names: Record<string, string>;
  readonly values: Record<string, unknown>;
}

const COMPARISONS: Partial<Record<FilterOperator, string>> = {
  equals: '=',
  notEquals: '<>',
  lessThan: '<',
  lessThanOrEqual: '<=',
  greaterThan: '>',
  greaterThanOrEqual: '>=',
};
const MAX_ANY_OF = 100;

/**
 * The evaluated filter as a list of conditions. A field whose value evaluated to nothing is not
 * filtered on (an absent optional query parameter widens the query); a plain value means equality.
 */
export function filterConditions(filter: Record<string, unknown>, model: ModelManifest): FieldCondition[] {
  const conditions: FieldCondition[] = [];
  for (const [field, condition] of Object.entries(filter)) {
    if (condition === undefined) continue;
    if (condition !== null && typeof condition === 'object' && !Array.isArray(condition)) {
      const entries = Object.entries(condition);
      for (const [operator, value] of entries) {
        if (!(FILTER_OPERATORS as readonly string[]).includes(operator)) {
          throw badRequest('invalid_filter', `The filter on "${field}" has unknown operator "${operator}"; use ${FILTER_OPERATORS.join(', ')}.`);
        }
        if (value !== undefined) conditions.push({ field, operator: operator as FilterOperator, value: coerce(value, field, model) });
      }
    } else {
      conditions.push({ field, operator: 'equals', value: coerce(condition, field, model) });
    }
  }
  return conditions;
}

/** Numbers arrive as strings from query parameters; a numeric field compares numbers. */
function coerce(value: unknown, field: string, model: ModelManifest): unknown {
  const type = model.fields[field]?.type;
  const numeric = type === 'number' || type === 'integer';
  const one = (item: unknown): unknown => (numeric && typeof item === 'string' && item.trim() !== '' && Number.isFinite(Number(item)) ? Number(item) : item);
  return Array.isArray(value) ? value.map(one) : one(value);
}

/** True when `anyOf: []` makes the filter match nothing, so no request needs to be sent. */
export function matchesNothing(conditions: readonly FieldCondition[]): boolean {
  return conditions.some((condition) => condition.operator === 'anyOf' && Array.isArray(condition.value) && condition.value.length === 0);
}

/** Joins conditions with AND; placeholders are numbered from `start` so expressions can be combined. */
export function conditionExpression(conditions: readonly FieldCondition[], prefix: string): Expression {
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  const parts = conditions.map((condition, index) => {
    const name = `#${prefix}${index}`;
    const value = `:${prefix}${index}`;
    names[name] = condition.field;
    const { operator } = condition;
    if (operator === 'exists') {
      if (typeof condition.value !== 'boolean') throw badRequest('invalid_filter', `"exists" on "${condition.field}" takes true or false.`);
      return condition.value ? `attribute_exists(${name})` : `attribute_not_exists(${name})`;
    }
    if (condition.value === null) {
      if (operator === 'equals') return `attribute_not_exists(${name})`;
      if (operator === 'notEquals') return `attribute_exists(${name})`;
      throw badRequest('invalid_filter', `"${operator}" on "${condition.field}" needs a value, not null.`);
    }
    if (operator === 'anyOf') {
      if (!Array.isArray(condition.value) || condition.value.length > MAX_ANY_OF || condition.value.some((item) => !isScalar(item))) {
        throw badRequest('invalid_filter', `"anyOf" on "${condition.field}" takes a list of at most ${MAX_ANY_OF} strings, numbers or booleans.`);
      }
      const placeholders = condition.value.map((item, position) => {
        values[`${value}_${position}`] = item;
        return `${value}_${position}`;
      });
      return `${name} IN (${placeholders.join(', ')})`;
    }
    if (operator === 'like') return likeExpression(condition, name, value, values);
    if (!isScalar(condition.value)) throw badRequest('invalid_filter', `"${operator}" on "${condition.field}" takes a string, number or boolean.`);
    values[value] = condition.value;
    return `${name} ${COMPARISONS[operator]} ${value}`;
  });
  return { expression: parts.join(' AND '), names, values };
}

/** `like` takes `%` as a wildcard at the start and/or end: `Ada%` (prefix), `%ada%` (contains). */
function likeExpression(condition: FieldCondition, name: string, value: string, values: Record<string, unknown>): string {
  const pattern = condition.value;
  if (typeof pattern !== 'string') throw badRequest('invalid_filter', `"like" on "${condition.field}" takes a string pattern.`);
  const starts = pattern.startsWith('%');
  const ends = pattern.length > 1 && pattern.endsWith('%');
  const core = pattern.slice(starts ? 1 : 0, ends ? -1 : undefined);
  if (core.includes('%') || core === '' || (starts && !ends)) {
    throw badRequest('invalid_filter', `"like" on "${condition.field}" supports "text%" (starts with) and "%text%" (contains), received "${pattern}".`);
  }
  values[value] = core;
  if (starts) return `contains(${name}, ${value})`;
  return ends ? `begins_with(${name}, ${value})` : `${name} = ${value}`;
}

/** Validates every condition once, so an in-memory match never meets a malformed one. */
export function checkConditions(conditions: readonly FieldCondition[]): void {
  conditionExpression(conditions, 'c');
}

function isScalar(value: unknown): boolean {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
}

const KEY_CONDITION_OPERATORS = new Set<FilterOperator>(['equals', 'lessThan', 'lessThanOrEqual', 'greaterThan', 'greaterThanOrEqual']);

/** DynamoDB takes one condition on an index's sort key in the key condition, and only these operators. */
export function isKeyConditionOperator(condition: FieldCondition): boolean {
  return KEY_CONDITION_OPERATORS.has(condition.operator) || (condition.operator === 'like' && typeof condition.value === 'string' && /^[^%]+%$/.test(condition.value));
}

/**
 * The same test as conditionExpression, in memory: for conditions on an index's sort key that the
 * key condition cannot hold (DynamoDB refuses key attributes in a FilterExpression).
 */
export function matches(item: Record<string, unknown>, condition: FieldCondition): boolean {
  const actual = item[condition.field];
  const expected = condition.value;
  const comparable = (typeof actual === 'number' && typeof expected === 'number') || (typeof actual === 'string' && typeof expected === 'string');
  switch (condition.operator) {
    case 'exists':
      return (actual !== undefined) === expected;
    case 'equals':
      return expected === null ? actual === undefined : actual === expected;
    case 'notEquals':
      return expected === null ? actual !== undefined : actual !== undefined && actual !== expected;
    case 'anyOf':
      return (expected as unknown[]).includes(actual);
    case 'like': {
      const pattern = expected as string;
      if (typeof actual !== 'string') return false;
      const core = pattern.replace(/^%|%$/g, '');
      if (pattern.startsWith('%')) return actual.includes(core);
      return pattern.endsWith('%') ? actual.startsWith(core) : actual === core;
    }
    case 'lessThan':
      return comparable && (actual as number) < (expected as number);
    case 'lessThanOrEqual':
      return comparable && (actual as number) <= (expected as number);
    case 'greaterThan':
      return comparable && (actual as number) > (expected as number);
    case 'greaterThanOrEqual':
      return comparable && (actual as number) >= (expected as number);
  }
}
