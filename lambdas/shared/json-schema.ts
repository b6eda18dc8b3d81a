import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';

/**
 * The JSON Schema (draft 2020-12) dialect App APIs use, with the same options at synth time (to
 * reject a schema that does not compile) and at run time (to validate requests).
 */
export function createSchemaCompiler(options: { standaloneSource?: boolean } = {}): Ajv2020 {
  const ajv = new Ajv2020({
    strict: true,
    strictTypes: false,
    strictTuples: false,
    strictRequired: false,
    allErrors: true,
    coerceTypes: false,
    // keeps each validator's source, for ajv's standalone code (the Lambda asset's validators.js)
    ...(options.standaloneSource ? { code: { source: true } } : {}),
  });
  addFormats(ajv);
  return ajv;
}
