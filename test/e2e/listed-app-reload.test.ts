// Shares a process: gateway-clients (its gateways listen on port 0 with the file's own tables and are closed by its hooks; see scripts/run-tests.ts)
// A team's app outside lib/apps, listed in cdk.json's appapi:apps, served and reloaded by the local
// gateway as `npm start` runs it (no appsModule: the project's apps, then the listed ones).
import assert from 'node:assert/strict';
import { mkdirSync, realpathSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { projectContext } from '../../lib/environments';
import { APPS_CONTEXT } from '../../lib/listed-apps';
import type { ReloadOutcome, RunningGateway } from '../../lib/local/gateway/server';
import { tablesOf } from '../support/dynamo';
import { request, startTestGateway, temporaryHome } from './support';

const tables = tablesOf(__filename);

const ROOT = join(__dirname, '..', '..');
const LIB = join(ROOT, 'lib');
const RELOAD_WAIT_MS = 20_000;

/** The team's app file: one public route answering `greeting`. */
function teamApp(greeting: string): string {
  return `import { ApiApp, ApiAuth, AppApi, op, type AppDeclaration } from ${JSON.stringify(LIB)};
export const apps: readonly AppDeclaration[] = [(environment) => {
  const app = new ApiApp(environment, 'Shop', { basePath: '/shop' });
  new AppApi(app, 'Greet', { method: 'GET', path: '/greeting', auth: ApiAuth.public(), chain: [op.respond({ body: { greeting: ${JSON.stringify(greeting)} } })] });
}];
`;
}

/** The next reload's outcome, or a failure naming the wait once RELOAD_WAIT_MS have passed. */
function nextReload(gateway: RunningGateway): Promise<ReloadOutcome> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no reload within ${RELOAD_WAIT_MS} ms of editing the listed app: is its folder watched?`)), RELOAD_WAIT_MS);
    gateway.onReload((outcome) => {
      clearTimeout(timer);
      resolve(outcome);
    });
  });
}

describe('local gateway: an app listed in appapi:apps, outside lib/apps', () => {
  let gateway: RunningGateway;
  // a folder outside the checkout (a temporary one), listed as cdk.json would list it: by a path
  // from the project folder
  const shop = join(realpathSync(temporaryHome()), 'shop');
  const appFile = join(shop, 'index.ts');
  const entry = relative(ROOT, shop);
  before(async () => {
    mkdirSync(shop);
    writeFileSync(appFile, teamApp('hello from shop'));
    assert.ok(entry.startsWith('..'), entry);
    // as appapi dev starts it (no appsModule: lib/apps, then the listed apps; watching on), with
    // cdk.json's context but this list, and the run's shared DynamoDB Local
    gateway = await startTestGateway(tables, { appsModule: undefined, watch: true, context: { ...projectContext(), [APPS_CONTEXT]: [entry] } });
  });
  after(() => gateway?.stop());

  it('serves the listed app next to lib/apps and reloads it on an edit of its file', { timeout: 90_000 }, async () => {
    const served = await request(gateway, 'GET', '/shop/greeting');
    assert.deepEqual([served.status, served.body], [200, { greeting: 'hello from shop' }]);
    assert.equal((await request(gateway, 'GET', '/health')).status, 200, 'the reference app (lib/apps) is served too');

    const reloaded = nextReload(gateway);
    writeFileSync(appFile, teamApp('edited by the shop team'));
    const outcome = await reloaded;
    assert.ok(outcome.ok, JSON.stringify(outcome));

    const edited = await request(gateway, 'GET', '/shop/greeting');
    assert.deepEqual([edited.status, edited.body], [200, { greeting: 'edited by the shop team' }]);
    assert.equal((await request(gateway, 'GET', '/health')).status, 200, 'the reference app still answers after the reload');
  });
});
