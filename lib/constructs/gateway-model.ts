import type { JsonSchema } from '../../lambdas/shared/manifest';

type Schema = Record<string, unknown>;

/** Keywords whose meaning is the same in draft-04, which API Gateway models speak. */
const SAME_IN_DRAFT4 = ['type', 'enum', 'minLength', 'maxLength', 'minimum', 'maximum', 'multipleOf', 'minItems', 'maxItems', 'uniqueItems', 'minProperties', 'maxProperties', 'title', 'description'];

/**
 * A declared body schema (JSON Schema 2020-12) as an API Gateway model (draft-04). The gateway's
 * check is an early filter; the handler validates the full schema. So the conversion may only make
 * the model more permissive: keywords draft-04 lacks, or that API Gateway may read differently
 * (format, pattern), or that could turn stricter once their parts are relaxed (not, oneOf), are
 * left out.
 */
export function gatewayModelSchema(schema: JsonSchema): Schema {
  return { $schema: 'http://json-schema.org/draft-04/schema#', ...convert(schema) };
}

function convert(schema: JsonSchema | unknown): Schema {
  if (schema === null || typeof schema !== 'object' || Array.isArray(schema)) return {};
  const source = schema as Schema;
  const result: Schema = {};
  for (const keyword of SAME_IN_DRAFT4) if (source[keyword] !== undefined) result[keyword] = source[keyword];
  if (source.const !== undefined) result.enum = [source.const];
  if (typeof source.exclusiveMinimum === 'number') Object.assign(result, { minimum: source.exclusiveMinimum, exclusiveMinimum: true });
  if (typeof source.exclusiveMaximum === 'number') Object.assign(result, { maximum: source.exclusiveMaximum, exclusiveMaximum: true });
  if (Array.isArray(source.required) && source.required.length > 0) result.required = source.required;
  if (isObject(source.properties)) result.properties = mapValues(source.properties, convert);
  if (isObject(source.patternProperties)) result.patternProperties = mapValues(source.patternProperties, convert);
  if (typeof source.additionalProperties === 'boolean') result.additionalProperties = source.additionalProperties;
  else if (isObject(source.additionalProperties)) result.additionalProperties = convert(source.additionalProperties);
  if (isObject(source.items)) result.items = convert(source.items);
  for (const combination of ['allOf', 'anyOf'] as const) {
    if (Array.isArray(source[combination])) result[combination] = (source[combination] as unknown[]).map(convert);
  }
  return result;
}

function isObject(value: unknown): value is Schema {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function mapValues(value: Schema, map: (schema: unknown) => Schema): Schema {
  return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, map(inner)]));
}
