import type { ValidateFunction } from 'ajv';
import { recordSchema } from '../../shared/field-schemas';
import type { ModelManifest } from '../../shared/manifest';
import { badRequest } from '../problem-error';

export type RecordValidator = (record: Record<string, unknown>) => void;

/** The check of a model's written records, with a 400 naming each wrong field. */
export function recordValidator(model: ModelManifest, validatorOf: (schema: object) => ValidateFunction): RecordValidator {
  const validate = validatorOf(recordSchema(model));
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
