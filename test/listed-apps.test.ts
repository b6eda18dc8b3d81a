// Shares a process: cdk-apps (it builds and synthesizes CDK apps and reads their output; see scripts/run-tests.ts)
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { after, describe, it } from 'node:test';
import { buildStacks } from '../lib/environments';
import { APPS_CONTEXT, listedAppFolders, listedAppModules } from '../lib/listed-apps';
import { watchedFolders } from '../lib/local/gateway/generation';
import { newApp } from './support/cdk';

const ROOT = join(__dirname, '..');
const LIB = join(ROOT, 'lib');

/** A team's app in a folder of its own, with its own test, importing the project's constructs. */
function teamFolder(root: string, folder: string, appName: string): string {
  const dir = join(root, folder);
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, 'index.ts'),
    `import { ApiApp, ApiAuth, AppApi, op, type AppDeclaration } from ${JSON.stringify(LIB)};
export const declare${appName}: AppDeclaration = (environment) => {
  const app = new ApiApp(environment, '${appName}', { basePath: '/${appName.toLowerCase()}' });
  new AppApi(app, 'Hello', { method: 'GET', path: '/hello', auth: ApiAuth.public(), chain: [op.respond({ body: { app: '${appName}' } })] });
};
export const apps: readonly AppDeclaration[] = [declare${appName}];
`,
  );
  writeFileSync(
    join(dir, 'index.test.ts'),
    `import assert from 'node:assert/strict';
import { it } from 'node:test';
import { App } from 'aws-cdk-lib';
import { AppApiStack } from ${JSON.stringify(LIB)};
import { apps } from './index';
it('${appName} synthesizes its route', () => {
  const stack = new AppApiStack(new App(), 'T', { environment: 'dev', apps });
  assert.deepEqual(stack.manifest.routes.map((route) => route.method + ' ' + route.path), ['GET /${appName.toLowerCase()}/hello']);
});
`,
  );
  return dir;
}

describe('apps outside lib/apps, listed in cdk.json', () => {
  // inside the checkout (in its ignored data folder), as a team's folder is: packages resolve from it
  mkdirSync(join(ROOT, '.appapi'), { recursive: true });
  const root = realpathSync(mkdtempSync(join(ROOT, '.appapi', 'listed-apps-')));
  after(() => rmSync(root, { recursive: true, force: true }));
  const shop = teamFolder(root, join('teams', 'shop'), 'Shop');
  const notes = teamFolder(root, join('node_modules', '@acme', 'notes-api'), 'Notes');
  writeFileSync(join(notes, 'package.json'), JSON.stringify({ name: '@acme/notes-api', version: '1.0.0', main: 'index.ts' }));

  it('a folder (path from the project) and a package (by name) resolve, and the gateway watches their folders', () => {
    const context = ['./teams/shop', '@acme/notes-api'];
    assert.deepEqual(listedAppModules(context, root), [join(shop, 'index.ts'), join(notes, 'index.ts')]);
    assert.deepEqual(listedAppFolders(context, root), [shop, notes]);
    const watched = watchedFolders(undefined, { [APPS_CONTEXT]: [shop, join(notes, 'index.ts')] });
    assert.deepEqual(watched, [join(ROOT, 'lib'), join(ROOT, 'lambdas'), shop, notes]);
  });

  it('a listed folder whose name only starts like lib/ or lambdas/ is watched too', () => {
    const library = teamFolder(ROOT, relative(ROOT, mkdtempSync(join(ROOT, 'library-'))), 'Library');
    try {
      assert.deepEqual(watchedFolders(undefined, { [APPS_CONTEXT]: [library] }), [join(ROOT, 'lib'), join(ROOT, 'lambdas'), library]);
    } finally {
      rmSync(library, { recursive: true, force: true });
    }
  });

  it('a folder app in a repository of its own is watched alone, whatever package.json lies above the repository', () => {
    const outer = realpathSync(mkdtempSync(join(tmpdir(), 'appapi-listed-outer-')));
    try {
      // e.g. a package.json in the home folder, above the team's checkout
      writeFileSync(join(outer, 'package.json'), '{}');
      mkdirSync(join(outer, 'checkout', '.git'), { recursive: true });
      const team = teamFolder(join(outer, 'checkout'), join('teams', 'shop'), 'Shop');
      assert.deepEqual(listedAppFolders([team], root), [team]);
      // a package.json inside the repository, above the module, is the app's package
      writeFileSync(join(outer, 'checkout', 'package.json'), '{}');
      assert.deepEqual(listedAppFolders([team], root), [join(outer, 'checkout')]);
    } finally {
      rmSync(outer, { recursive: true, force: true });
    }
  });

  it('cdk synth serves the listed apps next to lib/apps\' ones, in every environment', () => {
    const app = newApp({ [APPS_CONTEXT]: [shop, join(notes, 'index.ts')] });
    const { environments } = buildStacks(app, { nag: false, lock: null });
    for (const stack of environments) {
      const routes = stack.manifest.routes.map((route) => `${route.app} ${route.path}`);
      for (const expected of ['booking /customers', 'shop /shop/hello', 'notes /notes/hello']) assert.ok(routes.includes(expected), `${stack.environmentName}: ${routes.join(', ')}`);
    }
  });

  it('the team\'s own test runs in its folder', async () => {
    // a run of its own, not a subtest of this one (node:test reports through NODE_TEST_CONTEXT otherwise)
    const { NODE_TEST_CONTEXT: _parent, ...env } = process.env;
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', '--test', join(shop, 'index.test.ts')], { cwd: ROOT, env, timeout: 120_000 });
    assert.match(stdout, /# pass 1/);
    assert.match(stdout, /# fail 0/);
  });

  it('error flow: an entry that is not found, a module without apps, a list that is not one', () => {
    assert.throws(() => listedAppModules(['./teams/nope'], root), /cdk\.json's "appapi:apps" lists "\.\/teams\/nope", which cannot be found from .*: write a path relative to cdk\.json \("\.\/teams\/shop"\) or the name of an installed package/);
    writeFileSync(join(shop, 'empty.ts'), 'export const nothing = 1;\n');
    assert.throws(() => buildStacks(newApp({ [APPS_CONTEXT]: [join(shop, 'empty.ts')] }), { nag: false, lock: null }), /empty\.ts \(listed in cdk\.json's "appapi:apps"\) must export apps: AppDeclaration\[\], e\.g\. export const apps = \[declareShop\];/);
    assert.throws(() => listedAppModules('./teams/shop', root), /"appapi:apps" must list module paths or package names, e\.g\. \["\.\/teams\/shop", "@acme\/shop-api"\]/);
  });
});
