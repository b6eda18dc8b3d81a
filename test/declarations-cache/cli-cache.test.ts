// `appapi routes` as a user runs it, in processes of its own: on a declarations-cache hit no module
// of aws-cdk-lib loads, and no run leaves a CDK output folder (appapi-env-*) in the temp folder.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, describe, it } from 'node:test';

const run = promisify(execFile);
const ROOT = join(__dirname, '..', '..');
const scratch = mkdtempSync(join(tmpdir(), 'appapi-cli-cache-'));
after(() => rmSync(scratch, { recursive: true, force: true }));
// the temp folder of the child processes: what they leave in it is theirs alone
const childTmp = mkdtempSync(join(scratch, 'tmp-'));
const cacheDir = join(scratch, 'cache');

/**
 * Runs code after loading the CLI as bin/appapi.js does, then reports which of aws-cdk-lib's
 * modules are in the require cache and which appapi-env-* folders exist, before the process exits.
 */
async function child(code: string, env: Record<string, string> = {}): Promise<{ stdout: string; cdkModules: number; envFolders: string[] }> {
  const script = `require('tsx/cjs');
const report = () => process.stderr.write('\\nREPORT ' + JSON.stringify({
  cdkModules: Object.keys(require.cache).filter((path) => path.includes('/node_modules/aws-cdk-lib/')).length,
  envFolders: require('node:fs').readdirSync(require('node:os').tmpdir()).filter((name) => name.startsWith('appapi-env-')),
}) + '\\n');
(async () => { ${code} })().then(report, (error) => { console.error(error); process.exitCode = 1; });`;
  const { stdout, stderr } = await run(process.execPath, ['-e', script], {
    cwd: ROOT,
    env: { ...process.env, TMPDIR: childTmp, APPAPI_CACHE_DIR: cacheDir, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', ...env },
    timeout: 120_000,
  });
  const report = JSON.parse(/REPORT (.*)/.exec(stderr)![1]!) as { cdkModules: number; envFolders: string[] };
  return { stdout, ...report };
}

const routes = `process.exitCode = await require('./lib/cli/main.ts').runCli(['routes']);`;

describe('appapi routes through the declarations cache', () => {
  it('builds once, then answers from the cache without loading aws-cdk-lib; neither run leaves an outdir', { timeout: 300_000 }, async () => {
    const miss = await child(routes);
    assert.ok(miss.cdkModules > 50, `a build loads aws-cdk-lib (${miss.cdkModules} modules): the check below can see it`);
    assert.deepEqual(miss.envFolders, [], 'the build removed the folder CDK made for it');
    assert.match(miss.stdout, /GET +\/health/);

    const hit = await child(routes);
    assert.equal(hit.cdkModules, 0, 'no module of aws-cdk-lib loaded on a hit');
    assert.equal(hit.stdout, miss.stdout);
    assert.deepEqual(readdirSync(childTmp).filter((name) => name.startsWith('appapi-env-')), []);
  });

  it('npm start loading the declarations (cache off) leaves no outdir either', { timeout: 300_000 }, async () => {
    const started = await child(`require('./lib/local/gateway/generation.ts').loadGeneration('dev');`, { APPAPI_CACHE: 'off' });
    assert.ok(started.cdkModules > 50);
    assert.deepEqual(started.envFolders, []);
    assert.deepEqual(readdirSync(childTmp).filter((name) => name.startsWith('appapi-env-')), []);
  });
});
