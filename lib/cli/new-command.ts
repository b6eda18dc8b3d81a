import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { UsageError, type CommandIo } from './io';

export const NEW_USAGE = `  appapi new app NAME                    scaffold an app: lib/apps/NAME.ts (a public and an authenticated route
                                         under /NAME), its test test/apps/NAME.test.ts, and its entry in lib/apps/index.ts`;

/** The project the scaffold writes into: the checkout this CLI belongs to. */
const PROJECT_ROOT = join(__dirname, '..', '..');
const APP_NAME = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;
const MAX_APP_NAME = 40;
/** The entry lib/apps/index.ts declares the apps with; the scaffold adds to its list. */
const APPS_LIST = /export const apps: readonly AppDeclaration\[\] = \[([^\]]*)\];/;

/** Writes a new app, its test and its registration; refuses to overwrite anything. */
export function newCommand(argv: readonly string[], io: CommandIo, root: string = PROJECT_ROOT): number {
  const { positionals } = parseArgs({ args: [...argv], options: {}, allowPositionals: true, strict: true });
  const [kind, name, ...rest] = positionals;
  if (kind !== 'app' || name === undefined || rest.length > 0) throw new UsageError('new takes "app NAME", e.g. appapi new app gift-cards.');
  if (!APP_NAME.test(name) || name.length > MAX_APP_NAME) {
    throw new UsageError(`"${name}" cannot name an app: use lower-case words joined by "-", starting with a letter, at most ${MAX_APP_NAME} characters (e.g. gift-cards).`);
  }
  const pascal = name.split('-').map((word) => word[0]!.toUpperCase() + word.slice(1)).join('');
  const declare = `declare${pascal}`;
  const appFile = join(root, 'lib', 'apps', `${name}.ts`);
  const testFile = join(root, 'test', 'apps', `${name}.test.ts`);
  const indexFile = join(root, 'lib', 'apps', 'index.ts');
  for (const file of [appFile, testFile]) if (existsSync(file)) throw new UsageError(`${relative(root, file)} exists already; choose another name or remove it.`);
  const index = readFileSync(indexFile, 'utf8');
  const list = APPS_LIST.exec(index);
  if (!list) throw new UsageError(`${relative(root, indexFile)} has no "export const apps: readonly AppDeclaration[] = [...]" to add ${declare} to; add it by hand after writing the app.`);
  const entries = list[1]!.split(',').map((entry) => entry.trim()).filter(Boolean);
  const registered = index
    .replace(list[0], `export const apps: readonly AppDeclaration[] = [${[...entries, declare].join(', ')}];`)
    .replace(/((?:^import .*\n)+)/m, `$1import { ${declare} } from './${name}';\n`);

  mkdirSync(dirname(testFile), { recursive: true });
  writeFileSync(appFile, appSource(name, pascal, declare));
  writeFileSync(testFile, testSource(name, declare));
  writeFileSync(indexFile, registered);
  io.out(`Created ${relative(root, appFile)}, ${relative(root, testFile)}; registered ${declare} in ${relative(root, indexFile)}.`);
  io.out(`Next: node --import tsx --test ${relative(root, testFile)}   then npm start: GET /${name}/ping, GET /${name}/greetings/{name} (a key in group ${name}).`);
  return 0;
}

function appSource(name: string, pascal: string, declare: string): string {
  return `import { ApiApp, ApiAuth, AppApi, op, type AppApiStack } from '..';

/** The ${name} app: its routes live under /${name}. */
export function ${declare}(environment: AppApiStack): void {
  const app = new ApiApp(environment, '${pascal}', { basePath: '/${name}' });

  new AppApi(app, 'Ping', {
    method: 'GET',
    path: '/ping',
    auth: ApiAuth.public(),
    chain: [op.respond({ body: { app: '${name}', ok: true } })],
  });

  new AppApi(app, 'Greet', {
    method: 'GET',
    path: '/greetings/{name}',
    auth: ApiAuth.keyGroups('${name}'),
    chain: [
      op.validate('params', { type: 'object', properties: { name: { type: 'string', minLength: 1, maxLength: 100 } } }),
      op.respond({ body: { greeting: '{% "Hello, " & $params.name %}' } }),
    ],
  });
}
`;
}

function testSource(name: string, declare: string): string {
  return `import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ${declare} } from '../../lib/apps/${name}';
import { tablesOf } from '../support/dynamo';
import { RuntimeHarness } from '../support/runtime';

// this file's own tables on the run's DynamoDB Local
const tables = tablesOf(__filename);

describe('${name} app', () => {
  let harness: RuntimeHarness;
  before(async () => {
    harness = await RuntimeHarness.start([${declare}], { tables });
  });
  after(() => harness?.stop());

  it('declares its routes under /${name}', () => {
    assert.deepEqual(harness.manifest.routes.map((route) => \`\${route.method} \${route.path} \${route.auth.type}\`).sort(), [
      'GET /${name}/greetings/{name} keyGroups',
      'GET /${name}/ping public',
    ]);
  });

  it('answers the public route without a key', async () => {
    const answer = await harness.call('Ping');
    assert.equal(answer.status, 200);
    assert.deepEqual(answer.body, { app: '${name}', ok: true });
  });

  it('answers the authenticated route to a key of group ${name}, and refuses other keys', async () => {
    const answer = await harness.call('Greet', { keyId: 'k1', groups: ['${name}'], params: { name: 'Ada' } });
    assert.equal(answer.status, 200);
    assert.deepEqual(answer.body, { greeting: 'Hello, Ada' });
    assert.equal((await harness.call('Greet', { keyId: 'k2', groups: ['other'], params: { name: 'Ada' } })).status, 403);
  });
});
`;
}
