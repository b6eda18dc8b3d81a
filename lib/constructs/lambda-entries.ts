// apart from lambda-asset.ts, which loads esbuild: the local gateway reads these names without bundling
/**
 * What ships to Lambda: the entry file under `lambdas/`, and the handler name in the bundle.
 * `lazy`: modules the entry requires only when a request needs them, by the path written in its
 * source (`require('./json-schema')`). Each becomes a file of its own next to the bundle (that path
 * plus `.js`, from the source under `lambdas/`), so a cold start does not parse what it does not run:
 * ajv's compiler (the asset's schemas come precompiled in validators.js; it compiles only a schema
 * missing there) and JSONata (only expressions other than plain paths use it). Measured: 230 KB of
 * the handler's 513 KB (npm run bench -- coldstart).
 */
export const LAMBDA_ENTRIES = {
  handler: {
    source: 'runtime/handler.ts',
    file: 'handler.js',
    handler: 'handler.handler',
    lazy: { './json-schema': 'shared/json-schema.ts', './jsonata-compiler': 'runtime/jsonata-compiler.ts' },
  },
  authorizer: { source: 'authorizer/index.ts', file: 'authorizer.js', handler: 'authorizer.handler' },
  signingKey: { source: 'signing-key/index.ts', file: 'signing-key.js', handler: 'signing-key.handler' },
  fallback: { source: 'fallback/index.ts', file: 'fallback.js', handler: 'fallback.handler' },
} as const;

export type LambdaEntry = keyof typeof LAMBDA_ENTRIES;

/** The lazily required modules of an entry: the path its source requires → the source under `lambdas/`. */
export function lazyModulesOf(entry: LambdaEntry): Readonly<Record<string, string>> {
  const declared = LAMBDA_ENTRIES[entry] as { readonly lazy?: Readonly<Record<string, string>> };
  return declared.lazy ?? {};
}
