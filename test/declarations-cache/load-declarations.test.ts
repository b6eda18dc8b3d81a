// The declarations cache: a hit hands out what a build makes, and every input of the build misses
// when it changes. In-process, each case with a cache folder of its own (APPAPI_CACHE_DIR).
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { after, afterEach, beforeEach, describe, it } from 'node:test';
import { loadDeclarations } from '../../lib/declarations-cache/load-declarations';
import { loadEnvironment, projectContext } from '../../lib/environments';
import { APPS_CONTEXT } from '../../lib/listed-apps';
import { GATEWAY_RESPONSE_DEFAULT_STATUS, type GatewayResponseType } from '../../lib/local/cloud/gateway-responses';
import { compilePlatform, localPlatform, type LocalPlatform } from '../../lib/local/cloud/platform';
import { loadGeneration } from '../../lib/local/gateway/generation';

const ROOT = join(__dirname, '..', '..');
const LIB = join(ROOT, 'lib');
const scratch = realpathSync(mkdtempSync(join(tmpdir(), 'appapi-cache-test-')));
after(() => rmSync(scratch, { recursive: true, force: true }));

let cacheDir: string;
const savedEnv = { dir: process.env.APPAPI_CACHE_DIR, off: process.env.APPAPI_CACHE };
beforeEach(() => {
  cacheDir = mkdtempSync(join(scratch, 'cache-'));
  process.env.APPAPI_CACHE_DIR = cacheDir;
  delete process.env.APPAPI_CACHE;
});
afterEach(() => {
  for (const [name, value] of [['APPAPI_CACHE_DIR', savedEnv.dir], ['APPAPI_CACHE', savedEnv.off]] as const) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
});

const entries = () => readdirSync(cacheDir).filter((name) => name.endsWith('.json'));

/** An app in a folder outside the project, listed as cdk.json lists one: by a path from the project. */
function listedApp(greeting: string): { folder: string; file: string; context: Record<string, unknown> } {
  const folder = mkdtempSync(join(scratch, 'shop-'));
  const file = join(folder, 'index.ts');
  writeShopApp(file, greeting);
  return { folder, file, context: { ...projectContext(), [APPS_CONTEXT]: [relative(ROOT, folder)] } };
}

function writeShopApp(file: string, greeting: string): void {
  writeFileSync(
    file,
    `import { ApiApp, ApiAuth, AppApi, op, type AppDeclaration } from ${JSON.stringify(LIB)};
export const apps: readonly AppDeclaration[] = [(environment) => {
  const app = new ApiApp(environment, 'Shop', { basePath: '/shop' });
  new AppApi(app, 'Greet', { method: 'GET', path: '/greeting', auth: ApiAuth.public(), chain: [op.respond({ body: { greeting: ${JSON.stringify(greeting)} } })] });
}];
`,
  );
}

/** Drops a folder's modules from the require cache, as the gateway does before a reload. */
function forget(folder: string): void {
  for (const path of Object.keys(require.cache)) if (path.startsWith(folder + sep)) delete require.cache[path];
}

/**
 * What a compiled platform does, as data: its plain parts as they are, its compiled parts
 * (gateway responses, request validators) by what they answer to the same inputs.
 */
function behaviour(platform: LocalPlatform): unknown {
  const types = Object.keys(GATEWAY_RESPONSE_DEFAULT_STATUS) as GatewayResponseType[];
  const request = { pathParameters: {}, query: new URLSearchParams('x=1'), headers: {} };
  return {
    ...platform,
    gatewayResponses: types.map((type) => platform.gatewayResponses(type, { requestId: 'r-1', message: 'm' })),
    requestValidators: [...platform.requestValidators].map(([method, validator]) => [
      method,
      validator.parameters(request),
      validator.body('application/json', Buffer.from('{"unexpected":true}')),
      validator.body('application/json', Buffer.from('{}')),
      validator.body(undefined, undefined),
    ]),
  };
}

describe('declarations cache', () => {
  it('a hit returns the manifest a fresh build makes, and compiles the same platform as one straight from the stack', () => {
    const built = loadDeclarations({ environment: 'dev', platform: true });
    const hit = loadDeclarations({ environment: 'dev', platform: true });
    assert.equal(built.source, 'built');
    assert.equal(hit.source, 'cache');
    assert.equal(entries().length, 1);

    const stack = loadEnvironment('dev');
    // through JSON as the template is: a property the manifest leaves undefined is no data
    assert.deepStrictEqual(hit.manifest, JSON.parse(JSON.stringify(stack.manifest)));
    assert.ok(hit.manifest.routes.length > 5, 'the reference app is in it');
    const fresh = localPlatform(stack);
    const cached = compilePlatform(hit.platform!);
    assert.deepStrictEqual(behaviour(cached), behaviour(fresh));
    assert.ok(cached.requestValidators.size > 0 && cached.handlerIdentities.size === hit.manifest.routes.length);
    assert.ok(hit.buildModules.some((file) => file.startsWith(join('node_modules', 'aws-cdk-lib') + sep)), 'the build loaded aws-cdk-lib, and says so');
  });

  it('misses when a listed app folder is edited, and serves the edit', () => {
    const shop = listedApp('hello');
    const first = loadDeclarations({ environment: 'dev', context: shop.context });
    assert.equal(first.source, 'built');
    assert.equal(loadDeclarations({ environment: 'dev', context: shop.context }).source, 'cache');

    writeShopApp(shop.file, 'edited');
    forget(shop.folder);
    const edited = loadDeclarations({ environment: 'dev', context: shop.context });
    assert.equal(edited.source, 'built');
    const greet = (manifest: typeof first.manifest) => JSON.stringify(manifest.routes.find((route) => route.path === '/shop/greeting'));
    assert.match(greet(edited.manifest), /edited/);
    assert.doesNotMatch(greet(first.manifest), /edited/);

    // back as it was (a checkout back): the first entry again, content and not times decide
    writeShopApp(shop.file, 'hello');
    assert.equal(loadDeclarations({ environment: 'dev', context: shop.context }).source, 'cache');
  });

  it('misses when the context, environment or table prefix changes', () => {
    const context = projectContext();
    assert.equal(loadDeclarations({ environment: 'dev', context }).source, 'built');
    assert.equal(loadDeclarations({ environment: 'dev', context }).source, 'cache');
    const other = loadDeclarations({ environment: 'dev', context: { ...context, '@aws-cdk/aws-lambda:recognizeLayerVersion': !context['@aws-cdk/aws-lambda:recognizeLayerVersion'] } });
    assert.equal(other.source, 'built');
    assert.equal(loadDeclarations({ environment: 'staging', context }).source, 'built');
    const prefixed = loadDeclarations({ environment: 'dev', context, resourcePrefix: 'cachetest' });
    assert.equal(prefixed.source, 'built');
    assert.ok(Object.values(prefixed.manifest.tables).every((table) => String(table).startsWith('cachetest-')), JSON.stringify(prefixed.manifest.tables));
  });

  it('rebuilds and replaces a corrupt or unreadable entry', () => {
    loadDeclarations({ environment: 'dev' });
    const [name] = entries();
    const file = join(cacheDir, name!);
    const good = readFileSync(file, 'utf8');
    for (const corrupt of [good.slice(0, good.length / 2), '{"format":1}', JSON.stringify({ ...JSON.parse(good), key: 'another' })]) {
      writeFileSync(file, corrupt);
      assert.equal(loadDeclarations({ environment: 'dev' }).source, 'built', corrupt.slice(0, 40));
      assert.deepStrictEqual(JSON.parse(readFileSync(file, 'utf8')).manifest, JSON.parse(good).manifest);
      assert.equal(loadDeclarations({ environment: 'dev' }).source, 'cache');
    }
    // an entry of the CLI (no platform) is no hit for the gateway, which needs the platform too
    rmSync(file);
    loadDeclarations({ environment: 'dev' });
    assert.equal(loadDeclarations({ environment: 'dev', platform: true }).source, 'built');
    assert.equal(loadDeclarations({ environment: 'dev' }).source, 'cache');
  });

  it('APPAPI_CACHE=off neither reads nor writes', () => {
    loadDeclarations({ environment: 'dev' });
    assert.equal(entries().length, 1);
    process.env.APPAPI_CACHE = 'off';
    assert.equal(loadDeclarations({ environment: 'dev' }).source, 'built');
    rmSync(join(cacheDir, entries()[0]!));
    assert.equal(loadDeclarations({ environment: 'dev' }).source, 'built');
    assert.deepEqual(entries(), []);
  });

  it('misses when a CDK_* variable the CDK app reads changes (default account and region, context JSON)', () => {
    assert.equal(loadDeclarations({ environment: 'dev' }).source, 'built');
    process.env.CDK_DEFAULT_ACCOUNT = '123456789012';
    try {
      assert.equal(loadDeclarations({ environment: 'dev' }).source, 'built');
      assert.equal(loadDeclarations({ environment: 'dev' }).source, 'cache');
    } finally {
      delete process.env.CDK_DEFAULT_ACCOUNT;
    }
    assert.equal(loadDeclarations({ environment: 'dev' }).source, 'cache');
  });

  it('the gateway rebuilds an entry that is JSON but does not compile', () => {
    loadDeclarations({ environment: 'dev', platform: true });
    const file = join(cacheDir, entries()[0]!);
    const stored = JSON.parse(readFileSync(file, 'utf8'));
    writeFileSync(file, JSON.stringify({ ...stored, platform: { ...stored.platform, resources: [] } }));
    // its first load in this process: nothing is dropped from the require cache
    const generation = loadGeneration('dev');
    assert.equal(generation.source, 'built');
    assert.deepStrictEqual(JSON.parse(readFileSync(file, 'utf8')).platform, stored.platform);
  });
});
