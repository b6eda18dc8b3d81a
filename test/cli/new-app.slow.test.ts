import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, describe, it } from 'node:test';
import ts from 'typescript';
import { newCommand } from '../../lib/cli/new-command';
import { UsageError } from '../../lib/cli/io';
import { sharedDynamoEndpoint } from '../support/dynamo';
import { DYNAMODB_ENDPOINT_VARIABLE } from '../support/endpoint';

const ROOT = join(__dirname, '..', '..');
const run = promisify(execFile);

/** A copy of the checkout as a new team gets it: sources, configuration, test support, the installed packages. */
function copyOfProject(): string {
  const copy = mkdtempSync(join(tmpdir(), 'appapi-new-app-'));
  for (const entry of ['bin', 'lib', 'lambdas', join('test', 'support'), 'package.json', 'tsconfig.json', 'cdk.json', 'appapi.lock.json']) {
    cpSync(join(ROOT, entry), join(copy, entry), { recursive: true });
  }
  symlinkSync(join(ROOT, 'node_modules'), join(copy, 'node_modules'));
  return copy;
}

/** node:test reports a run of its own through NODE_TEST_CONTEXT otherwise. */
function ownRunEnvironment(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const { NODE_TEST_CONTEXT: _parent, ...env } = process.env;
  return { ...env, ...extra };
}

describe('appapi new app NAME', () => {
  const copy = copyOfProject();
  after(() => rmSync(copy, { recursive: true, force: true }));

  it('writes the app, its test and its registration; the result type-checks, synthesizes every environment, and its test passes', async () => {
    const { stdout } = await run(process.execPath, [join(copy, 'bin', 'appapi.js'), 'new', 'app', 'gift-cards'], { cwd: copy, env: ownRunEnvironment(), timeout: 120_000 });
    assert.match(stdout, /Created lib\/apps\/gift-cards\.ts, test\/apps\/gift-cards\.test\.ts; registered declareGiftCards in lib\/apps\/index\.ts\./);
    const index = readFileSync(join(copy, 'lib', 'apps', 'index.ts'), 'utf8');
    assert.match(index, /import \{ declareGiftCards \} from '\.\/gift-cards';/);
    assert.match(index, /export const apps: readonly AppDeclaration\[\] = \[declareBooking, declareGiftCards\];/);

    const config = ts.getParsedCommandLineOfConfigFile(join(copy, 'tsconfig.json'), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} })!;
    const files = [join(copy, 'lib', 'apps', 'index.ts'), join(copy, 'lib', 'apps', 'gift-cards.ts'), join(copy, 'test', 'apps', 'gift-cards.test.ts')];
    const program = ts.createProgram(files, { ...config.options, noEmit: true, incremental: false, skipLibCheck: true });
    assert.deepEqual(ts.getPreEmitDiagnostics(program).map((diagnostic) => ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n')), []);

    // what `cdk synth` runs (cdk.json's "app"), with cdk-nag and the lock check: exit 0 and a template per environment
    const outdir = join(copy, 'cdk.out');
    await run(process.execPath, ['--import', 'tsx', join(copy, 'bin', 'app.ts')], { cwd: copy, env: ownRunEnvironment({ CDK_OUTDIR: outdir }), timeout: 300_000 });
    const templates = readdirSync(outdir).filter((file) => file.endsWith('.template.json')).map((file) => readFileSync(join(outdir, file), 'utf8'));
    for (const environment of ['dev', 'staging', 'prod']) {
      // each handler's named log group is in its environment's templates
      assert.ok(templates.some((template) => template.includes(`/appapi/appapi-${environment}/gift-cards/Greet`)), `${environment}: no gift-cards handler`);
    }

    const test = await run(process.execPath, ['--import', 'tsx', '--test', join('test', 'apps', 'gift-cards.test.ts')], {
      cwd: copy,
      env: ownRunEnvironment({ [DYNAMODB_ENDPOINT_VARIABLE]: await sharedDynamoEndpoint() }),
      timeout: 300_000,
    });
    assert.match(test.stdout, /# pass 3\n/);
    assert.match(test.stdout, /# fail 0\n/);
  });

  it('error flow: a name that cannot name an app, an app that exists, a command it does not know', () => {
    const io = { out: () => {}, err: () => {} };
    assert.throws(() => newCommand(['app', 'Gift_Cards'], io, copy), (error) => error instanceof UsageError && /"Gift_Cards" cannot name an app: use lower-case words joined by "-"/.test(error.message));
    assert.throws(() => newCommand(['app', 'booking'], io, copy), /lib\/apps\/booking\.ts exists already; choose another name or remove it\./);
    assert.throws(() => newCommand(['service', 'x'], io, copy), /new takes "app NAME", e\.g\. appapi new app gift-cards\./);
  });
});
