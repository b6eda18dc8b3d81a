import { LIMITS } from '../../shared/limits';

/** DynamoDB's limit on one item, attribute names included. */
export const MAX_ITEM_BYTES = LIMITS.itemSize.value;

/**
 * The size DynamoDB bills and limits an item by, computed the way its documentation describes:
 * names and strings in UTF-8 bytes, numbers by significant digits, a few bytes of overhead per
 * map, list and element. Close enough to refuse an oversized item before sending it, so the caller
 * gets a clear 413 instead of a storage error.
 */
export function itemSize(item: Record<string, unknown>): number {
  let size = 0;
  for (const [name, value] of Object.entries(item)) {
    if (value === undefined) continue;
    size += Buffer.byteLength(name) + valueSize(value);
  }
  return size;
}

function valueSize(value: unknown): number {
  if (value === null || typeof value === 'boolean') return 1;
  if (typeof value === 'string') return Buffer.byteLength(value);
  if (typeof value === 'number') return numberSize(value);
  if (Array.isArray(value)) return 3 + value.reduce((total: number, element) => total + 1 + valueSize(element), 0);
  if (typeof value === 'object') {
    let size = 3;
    for (const [name, element] of Object.entries(value as Record<string, unknown>)) {
      if (element === undefined) continue;
      size += 1 + Buffer.byteLength(name) + valueSize(element);
    }
    return size;
  }
  return 0;
}

function numberSize(value: number): number {
  const digits = Math.abs(value).toExponential().split('e')[0]!.replace('.', '').length;
  return Math.ceil(digits / 2) + 1;
}
