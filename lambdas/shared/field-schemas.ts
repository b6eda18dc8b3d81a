import type { FieldType } from './manifest';

/**
 * The JSON Schema of each AirData field type: what a write is checked against, and what OpenAPI
 * publishes for the field in a record read back.
 */
export const FIELD_SCHEMAS: Readonly<Record<FieldType, Readonly<Record<string, unknown>>>> = {
  text: { type: 'string' },
  email: { type: 'string', format: 'email' },
  phone: { type: 'string', pattern: '^\\+?[0-9][0-9 ().-]{5,30}$' },
  url: { type: 'string', format: 'uri', pattern: '^https?://' },
  number: { type: 'number' },
  integer: { type: 'integer' },
  boolean: { type: 'boolean' },
  datetime: { type: 'string', format: 'date-time' },
  json: {},
};
