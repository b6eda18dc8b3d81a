import type { ValidateFunction } from 'ajv';
import { createSchemaCompiler } from '../../shared/json-schema';
import { FIELD_SCHEMAS } from '../../shared/field-schemas';
import type { ModelManifest } from '../../shared/manifest';
import { badRequest } from '../problem-error';

const MAX_KEY_CHARACTERS = 256;

export type RecordValidator = (record: Record<string, unknown>) => void;

/**
 * The check every written record of a model passes, compiled once at cold start: declared fields
 * only, each of its declared type, required ones present. Key fields of an index may not be empty
 * strings, which DynamoDB refuses as index keys.
 */
export function recordValidator(model: ModelManifest): RecordValidator {
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
  const validate: ValidateFunction = createSchemaCompiler().compile({ type: 'object', properties, required, additionalProperties: false });
  return (record) => {
    if (validate(record)) return;
    const violations = (validate.errors ?? []).map((error) => {
      const params = error.params as { missingProperty?: string; additionalProperty?: string };
      const fieldName = params.missingProperty ?? params.additionalProperty ?? error.instancePath.split('/')[1] ?? '';
      const reason =
        error.keyword === 'additionalProperties' ? `is not a field of ${model.name}` : error.keyword === 'required' ? 'is required' : (error.message ?? 'is invalid');
      return { field: fieldName, reason };
    });
    const summary = violations.map((violation) => `${model.name}.${violation.field} ${violation.reason}`).join('; ');
    throw badRequest('invalid_record', `The record does not match model ${model.name}: ${summary}.`, { violations });
  };
}

/** A record as written: a JSON object, optional fields set to null left out. */
export function recordInput(value: unknown, model: ModelManifest, what: string): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw badRequest('invalid_record', `The ${what} for model ${model.name} must be an object.`);
  }
  const record: Record<string, unknown> = {};
  for (const [name, fieldValue] of Object.entries(value)) {
    if (fieldValue === null && model.fields[name]?.optional) continue;
    record[name] = fieldValue;
  }
  return record;
}
