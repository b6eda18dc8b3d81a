import type { FieldType, ModelManifest } from './manifest';

const MAX_KEY_CHARACTERS = 256;

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

/**
 * The JSON Schema every written record of a model passes: declared fields only, each of its
 * declared type, required ones present. Key fields of an index may not be empty strings, which
 * DynamoDB refuses as index keys. Also compiled ahead of time into the Lambda asset.
 */
export function recordSchema(model: ModelManifest): Record<string, unknown> {
  const keyFields = new Set(Object.values(model.indexes).flatMap((index) => [index.partitionKey, ...(index.sortKey ? [index.sortKey] : [])]));
  const properties: Record<string, unknown> = { id: { type: 'string' } };
  for (const [name, field] of Object.entries(model.fields)) {
    const schema: Record<string, unknown> = { ...FIELD_SCHEMAS[field.type] };
    if (field.maxLength !== undefined) schema.maxLength = field.maxLength;
    if (keyFields.has(name) && schema.type === 'string') {
      // DynamoDB refuses empty index keys and keys over 2,048 (partition) / 1,024 (sort) bytes: 256 characters stay within both
      schema.minLength = 1;
      schema.maxLength = Math.min(field.maxLength ?? MAX_KEY_CHARACTERS, MAX_KEY_CHARACTERS);
    }
    properties[name] = schema;
  }
  const required = Object.entries(model.fields).filter(([, field]) => !field.optional).map(([name]) => name);
  return { type: 'object', properties, required, additionalProperties: false };
}
