import { buildSync } from 'esbuild';
import standaloneCode from 'ajv/dist/standalone';
import { recordSchema } from '../../lambdas/shared/field-schemas';
import { createSchemaCompiler } from '../../lambdas/shared/json-schema';
import type { Chain, EnvironmentManifest } from '../../lambdas/shared/manifest';
import { schemaKey } from '../../lambdas/shared/schema-validators';
import { LAMBDA_BUILD_OPTIONS } from './lambda-build-options';

/** Every JSON Schema a handler of the environment validates with: request bodies, validate steps, records written. */
export function environmentSchemas(manifest: EnvironmentManifest): Map<string, object | boolean> {
  const schemas = new Map<string, object | boolean>();
  const add = (schema: unknown) => schemas.set(schemaKey(schema), schema as object | boolean);
  const visit = (chain: Chain): void =>
    chain.forEach((step) => {
      if (step.op === 'validate') add(step.schema);
      if (step.op === 'when') {
        visit(step.then);
        visit(step.otherwise);
      }
    });
  for (const route of manifest.routes) {
    if (route.body !== undefined) add(route.body);
    visit(route.chain);
  }
  for (const model of Object.values(manifest.models)) add(recordSchema(model));
  return schemas;
}

/**
 * The environment's validators as one CommonJS module (ajv's standalone code, with the ajv runtime
 * helpers and formats it uses bundled in), exporting each validator under its schemaKey. A handler
 * then looks its schemas up instead of loading ajv and compiling them at cold start.
 * https://ajv.js.org/standalone.html
 */
export function precompiledValidatorsCode(manifest: EnvironmentManifest, projectRoot: string): string {
  const schemas = environmentSchemas(manifest);
  const ajv = createSchemaCompiler({ standaloneSource: true });
  for (const [key, schema] of schemas) ajv.addSchema(schema as object, key);
  const source = standaloneCode(ajv, Object.fromEntries([...schemas.keys()].map((key) => [key, key])));
  const result = buildSync({
    stdin: { contents: source, resolveDir: projectRoot, loader: 'js', sourcefile: 'validators.js' },
    ...LAMBDA_BUILD_OPTIONS,
    write: false,
    logLevel: 'silent',
  });
  return result.outputFiles[0]!.text;
}
