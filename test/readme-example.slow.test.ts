import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import ts from 'typescript';
import { createDocumentClient } from '../lambdas/runtime/dynamodb';
import { apps as projectApps } from '../lib/apps';
import { buildStacks } from '../lib/environments';
import type { AppDeclaration } from '../lib';
import { readLockFile } from '../lib/lock/lock-file';
import type { RunningGateway } from '../lib/local/gateway/server';
import { newApp } from './support/cdk';
import { createToken, request, startTestGateway } from './e2e/support';
import { tablesOf } from './support/dynamo';

const tables = tablesOf(__filename);

const ROOT = join(__dirname, '..');

/** The README's TypeScript blocks that declare an app, model or App API, as a reader copies them. */
function declaringBlocks(): string[] {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const blocks = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((match) => match[1]!);
  return blocks.filter((block) => /new (ApiApp|AppApi|AirDataModel)\(/.test(block) && /export function declare\w+/.test(block));
}

/**
 * A checkout where each block sits where the README says to put it (lib/apps/<name>.ts, importing
 * `..`), registered next to the reference app as lib/apps/index.ts lists apps; `..` re-exports the
 * project's lib, so nothing in the project itself is touched.
 */
function placeBlocks(blocks: readonly string[]): { appsModule: string; files: string[]; declarations: string[] } {
  const lib = mkdtempSync(join(tmpdir(), 'appapi-readme-'));
  mkdirSync(join(lib, 'apps'));
  writeFileSync(join(lib, 'index.ts'), `export * from ${JSON.stringify(join(ROOT, 'lib'))};\n`);
  const files: string[] = [];
  const declarations: string[] = [];
  blocks.forEach((block, index) => {
    const name = /export function (declare\w+)/.exec(block)![1]!;
    const file = join(lib, 'apps', `readme-${index}.ts`);
    writeFileSync(file, block);
    files.push(file);
    declarations.push(`import { ${name} } from './readme-${index}';`);
  });
  const names = declarations.map((line) => /\{ (\w+) \}/.exec(line)![1]!);
  writeFileSync(
    join(lib, 'apps', 'index.ts'),
    `${declarations.join('\n')}\nimport { apps as reference } from ${JSON.stringify(join(ROOT, 'lib', 'apps'))};\nimport type { AppDeclaration } from '..';\n\nexport const apps: readonly AppDeclaration[] = [...reference, ${names.join(', ')}];\n`,
  );
  return { appsModule: join(lib, 'apps', 'index.ts'), files, declarations: names };
}

describe('README: "Declare your first App API" works as written, next to the reference app', () => {
  const blocks = declaringBlocks();
  const placed = placeBlocks(blocks);
  const { apps } = require(placed.appsModule) as { apps: readonly AppDeclaration[] };

  it('the README has the declaring block, and it type-checks as lib/apps/<name>.ts', () => {
    assert.ok(blocks.length >= 1, 'no ```ts block of the README declares an app');
    assert.ok(blocks.some((block) => block.includes("new ApiApp(environment, 'Shop'")), 'the "Declare your first App API" block was not found');
    const config = ts.getParsedCommandLineOfConfigFile(join(ROOT, 'tsconfig.json'), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} })!;
    const program = ts.createProgram(placed.files, { ...config.options, noEmit: true, incremental: false, skipLibCheck: true });
    const problems = ts.getPreEmitDiagnostics(program).map((diagnostic) => ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'));
    assert.deepEqual(problems, []);
  });

  it('synthesizes every environment of cdk.json with cdk-nag, against the lock, leaving the reference app\'s names as deployed', () => {
    assert.equal(apps.length, projectApps.length + blocks.length);
    const app = newApp();
    const { environments } = buildStacks(app, { apps, lock: readLockFile() ?? null });
    const assembly = app.synth();
    assert.deepEqual(environments.map((stack) => stack.environmentName), ['dev', 'staging', 'prod']);
    for (const stack of environments) {
      assert.deepEqual(assembly.getStackArtifact(stack.artifactId).messages.filter((message) => message.level === 'error'), []);
      const ids = stack.manifest.routes.map((route) => route.id);
      assert.ok(ids.includes('GetCustomer') && ids.includes('shop.GetCustomer'), ids.join(', '));
      assert.equal(stack.manifest.models.Customers?.table, `appapi-${stack.environmentName}-customers`);
      assert.equal(stack.manifest.models['shop.Customers']?.table, `appapi-${stack.environmentName}-shop-customers`);
    }
  });

  describe('served locally', () => {
    let gateway: RunningGateway;
    before(async () => {
      gateway = await startTestGateway(tables, { appsModule: placed.appsModule });
    });
    after(async () => {
      await gateway?.stop();
    });

    it('answers the declared route with a key of its group, 401 without, and the reference app still serves', async () => {
      const { token } = await createToken(gateway, ['partners']);
      const manifest = gateway.manifest();
      const route = manifest.routes.find((candidate) => candidate.id === 'shop.GetCustomer');
      assert.equal(route?.path, '/shop/customers/{customerId}');
      const missing = await request(gateway, 'GET', '/shop/customers/c-1', { token });
      assert.equal(missing.status, 404, JSON.stringify(missing.body));
      assert.equal(missing.body.code, 'record_not_found');
      const documents = createDocumentClient(gateway.dynamoEndpoint);
      try {
        await documents.send(new PutCommand({ TableName: manifest.models['shop.Customers']!.table, Item: { id: 'c-1', name: 'Ada Lovelace', email: 'ada@example.com' } }));
      } finally {
        documents.destroy();
      }
      const found = await request(gateway, 'GET', '/shop/customers/c-1', { token });
      assert.equal(found.status, 200, JSON.stringify(found.body));
      assert.deepEqual(found.body, { id: 'c-1', name: 'Ada Lovelace', email: 'ada@example.com' });
      assert.equal((await request(gateway, 'GET', '/shop/customers/c-1')).status, 401);
      // the reference app's own customer route is another table: the shop's record is not there
      assert.equal((await request(gateway, 'GET', '/customers/c-1', { token })).status, 404);
      assert.equal((await request(gateway, 'GET', '/health')).status, 200);
    });
  });
});
