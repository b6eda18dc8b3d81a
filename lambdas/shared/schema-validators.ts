import { createHash } from 'node:crypto';
import { join } from 'node:path';
import type { ValidateFunction } from 'ajv';

/** The file, next to the bundle and manifest.json, holding every schema of an environment compiled ahead of time. */
export const PRECOMPILED_VALIDATORS_FILE = 'validators.js';

/** A schema's name in that file: the same at build time and at run time. */
export function schemaKey(schema: unknown): string {
  return `s${createHash('sha256').update(JSON.stringify(schema)).digest('hex').slice(0, 24)}`;
}

/**
 * Validators for the schemas of a route. In Lambda they come from the precompiled file (ajv's
 * standalone code, emitted when the asset is built): no schema is compiled, and ajv's compiler is
 * never loaded. Without that file (the local gateway runs from source) or for a schema it lacks,
 * ajv compiles at first use, loaded only then.
 */
export function schemaValidators(directory?: string): (schema: object | boolean) => ValidateFunction {
  // read at the first schema looked up, not at cold start: a route that validates nothing never loads it
  let precompiled: Record<string, ValidateFunction> | undefined | null = null;
  const loadPrecompiled = (): Record<string, ValidateFunction> | undefined => {
    if (directory === undefined) return undefined;
    try {
      return require(join(directory, PRECOMPILED_VALIDATORS_FILE)) as Record<string, ValidateFunction>;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'MODULE_NOT_FOUND') throw error;
      return undefined;
    }
  };
  let compiler: ReturnType<typeof import('./json-schema').createSchemaCompiler> | undefined;
  return (schema) => {
    if (precompiled === null) precompiled = loadPrecompiled();
    const ready = precompiled?.[schemaKey(schema)];
    if (ready) return ready;
    // './json-schema' is a file of its own in the handler's Lambda asset (LAMBDA_ENTRIES.handler.lazy)
    compiler ??= (require('./json-schema') as typeof import('./json-schema')).createSchemaCompiler();
    return compiler.compile(schema);
  };
}
