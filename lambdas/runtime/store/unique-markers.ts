import { createHash } from 'node:crypto';
import type { ModelManifest } from '../../shared/manifest';

/** Marker items share the model's table; the `#` prefix keeps them out of reach of record ids. */
export const MARKER_PREFIX = '#';
const MAX_READABLE_VALUE_BYTES = 1024;

/**
 * The id of the item that claims `value` of a unique field for one record. Emails compare without
 * case; long values are hashed to stay within DynamoDB's key size.
 */
export function markerId(model: ModelManifest, field: string, value: unknown): string {
  const text = model.fields[field]?.type === 'email' ? String(value).toLowerCase() : typeof value === 'string' ? value : JSON.stringify(value);
  const readable = Buffer.byteLength(text) <= MAX_READABLE_VALUE_BYTES ? text : `sha256:${createHash('sha256').update(text).digest('hex')}`;
  return `${MARKER_PREFIX}unique#${field}#${readable}`;
}

/** The unique fields of a record with a value, mapped to their marker ids. */
export function markersOf(model: ModelManifest, record: Record<string, unknown> | null): Map<string, string> {
  const markers = new Map<string, string>();
  if (!record) return markers;
  for (const [field, definition] of Object.entries(model.fields)) {
    if (definition.unique && record[field] !== undefined && record[field] !== null) markers.set(field, markerId(model, field, record[field]));
  }
  return markers;
}
