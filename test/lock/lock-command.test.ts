// Shares a process: cli (its commands get the file's own tables and data folder; its AWS mocks are restored in after; see scripts/run-tests.ts)
import assert from 'node:assert/strict';
import { copyFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { AirDataModel, ApiApp, field, type AppDeclaration } from '../../lib';
import { runCli } from '../../lib/cli/main';
import { readLockFile } from '../../lib/lock/lock-file';
import { temporaryFolder } from '../support/temporary-folder';

const context = { 'appapi:environments': ['dev', 'staging', 'prod'] };
const renamed: AppDeclaration = (environment) => void new AirDataModel(new ApiApp(environment, 'Booking'), 'Clients', { fields: { name: field.text(), email: field.email({ unique: true }) } });

describe('appapi lock', () => {
  const run = async (lockFile: string, apps: readonly AppDeclaration[] | undefined, ...argv: string[]) => {
    const lines = { out: [] as string[], err: [] as string[] };
    const code = await runCli(['lock', ...argv], { out: (line) => lines.out.push(line), err: (line) => lines.err.push(line) }, { lock: { lockFile, context, ...(apps ? { apps } : {}) } });
    return { code, out: lines.out.join('\n'), err: lines.err.join('\n') };
  };
  const copy = () => {
    const lockFile = join(temporaryFolder('appapi-lock-'), 'appapi.lock.json');
    copyFileSync(join(__dirname, '..', '..', 'appapi.lock.json'), lockFile);
    return lockFile;
  };

  it('happy flow: the committed lock is up to date with the reference app; a missing file is written for every environment', async () => {
    const lockFile = copy();
    const checked = await run(lockFile, undefined, '--check', '--env', 'dev');
    assert.equal(checked.code, 0);
    assert.match(checked.out, /dev: recorded as declared\./);
    const fresh = join(temporaryFolder('appapi-lock-'), 'appapi.lock.json');
    assert.equal((await run(fresh, undefined)).code, 0);
    assert.deepEqual(readLockFile(fresh), readLockFile(lockFile), 'the same file as the committed one');
  });

  it('error flow: refuses to record a change that would lose data, writing nothing, unless the loss is named', async () => {
    const lockFile = copy();
    const before = readFileSync(lockFile, 'utf8');
    const refused = await run(lockFile, [renamed], '--env', 'dev');
    assert.equal(refused.code, 1);
    assert.match(refused.err, /Not recording anything; these changes would replace or delete data:\n- dev: model Customers \(table appapi-dev-customers\) is no longer declared/);
    assert.equal(readFileSync(lockFile, 'utf8'), before);
    const accepted = await run(lockFile, [renamed], '--env', 'dev', '--allow-data-loss', 'Customers');
    assert.equal(accepted.code, 0);
    const lock = readLockFile(lockFile)!;
    assert.deepEqual(Object.keys(lock.environments.dev!.models), ['Clients']);
    assert.ok(lock.environments.prod!.models.Customers, 'environments not named are kept');
  });
});
