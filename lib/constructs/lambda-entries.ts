// apart from lambda-asset.ts, which loads esbuild: the local gateway reads these names without bundling
/** What ships to Lambda: the entry file under `lambdas/`, and the handler name in the bundle. */
export const LAMBDA_ENTRIES = {
  handler: { source: 'runtime/handler.ts', file: 'handler.js', handler: 'handler.handler' },
  authorizer: { source: 'authorizer/index.ts', file: 'authorizer.js', handler: 'authorizer.handler' },
  signingKey: { source: 'signing-key/index.ts', file: 'signing-key.js', handler: 'signing-key.handler' },
  fallback: { source: 'fallback/index.ts', file: 'fallback.js', handler: 'fallback.handler' },
} as const;

export type LambdaEntry = keyof typeof LAMBDA_ENTRIES;
