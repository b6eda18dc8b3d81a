/** What every piece of code bundled for Lambda shares: one CommonJS file for nodejs22.x, minified. */
export const LAMBDA_BUILD_OPTIONS = {
  bundle: true,
  platform: 'node',
  target: 'node22',
  format: 'cjs',
  minify: true,
  legalComments: 'none',
} as const;
