import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { Template } from 'aws-cdk-lib/assertions';
import { LAMBDA_ENTRIES, lambdaAssetDirectory } from '../../lib/constructs/lambda-asset';
import { loadEnvironment } from '../../lib/environments';
import { allTemplates } from '../support/cdk';

describe('Lambda assets', () => {
  const stack = loadEnvironment('dev');

  it('every function that asks Node for source maps ships one next to its bundle', () => {
    const functions = allTemplates(stack).flatMap(({ template }: { template: Template }) => Object.values(template.findResources('AWS::Lambda::Function')));
    const withFlag = functions.filter((fn) => String(fn.Properties?.Environment?.Variables?.NODE_OPTIONS ?? '').includes('--enable-source-maps'));
    assert.ok(withFlag.length >= 2, 'the handlers and the authorizer run with --enable-source-maps');
    for (const entry of Object.keys(LAMBDA_ENTRIES) as Array<keyof typeof LAMBDA_ENTRIES>) {
      const directory = lambdaAssetDirectory(entry, entry === 'signingKey' ? undefined : stack.manifest);
      const { file } = LAMBDA_ENTRIES[entry];
      assert.ok(readdirSync(directory).includes(`${file}.map`), `${entry} has ${file}.map`);
      assert.match(readFileSync(join(directory, file), 'utf8'), new RegExp(`//# sourceMappingURL=${file.replace('.', '\\.')}\\.map\\s*$`));
    }
  });

  it('a stack trace from the bundled handler names the TypeScript file and line', () => {
    const directory = lambdaAssetDirectory('handler', stack.manifest);
    // an unknown route fails at cold start, inside lambdas/shared and lambdas/runtime
    const script = `try { require(${JSON.stringify(join(directory, LAMBDA_ENTRIES.handler.file))}) } catch (error) { process.stdout.write(error.stack) }`;
    const run = spawnSync(process.execPath, ['--enable-source-maps', '-e', script], {
      env: { ...process.env, APPAPI_ROUTE: 'NoSuchRoute', NODE_PATH: join(__dirname, '..', '..', 'node_modules'), AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
      encoding: 'utf8',
    });
    assert.match(run.stdout, /route "NoSuchRoute" is not in the manifest/);
    assert.match(run.stdout, /lambdas\/shared\/manifest-loader\.ts:\d+:\d+/);
    assert.match(run.stdout, /lambdas\/runtime\/handler\.ts:\d+:\d+/);
  });
});
