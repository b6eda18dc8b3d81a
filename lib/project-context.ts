import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The folder holding cdk.json, package.json, lib/ and lambdas/. */
export const PROJECT_ROOT = join(__dirname, '..');

/** cdk.json's context, as `cdk` passes it to the app (read without loading aws-cdk-lib). */
export function projectContext(): Record<string, unknown> {
  const cdkJson = JSON.parse(readFileSync(join(PROJECT_ROOT, 'cdk.json'), 'utf8')) as { context?: Record<string, unknown> };
  return cdkJson.context ?? {};
}
