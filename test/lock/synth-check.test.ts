// Shares a process: cdk-environments (it only builds and synthesizes CDK apps; see scripts/run-tests.ts)
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { AirDataModel, ApiApp, field, type AirDataModelProps, type AppDeclaration } from '../../lib';
import { buildStacks, loadEnvironment } from '../../lib/environments';
import { snapshotEnvironment } from '../../lib/lock/environment-snapshot';
import { checkAgainstLock, type LockFinding } from '../../lib/lock/lock-check';
import { readLockFile } from '../../lib/lock/lock-file';
import { LOCK_VERSION, type EnvironmentLock, type LockFile } from '../../lib/lock/stateful-resources';
import { newApp } from '../support/cdk';

type Customers = { id?: string } & Partial<AirDataModelProps>;

/** The reference app's Customers model (same construct path, so the same logical id), changed as a team might. */
const customers =
  ({ id = 'Customers', ...props }: Customers = {}): AppDeclaration =>
  (environment) =>
    void new AirDataModel(new ApiApp(environment, 'Booking'), id, {
      fields: { name: field.text(), email: field.email({ unique: true }), phone: field.phone({ optional: true }) },
      indexes: { byEmail: { partitionKey: 'email' } },
      ...props,
    });

const ENVIRONMENTS = { 'appapi:environments': ['dev', 'prod'] };

/** The lock as `appapi lock` would write it for these declarations. */
function lockOf(declaration: AppDeclaration): LockFile {
  const { environments } = buildStacks(newApp(ENVIRONMENTS), { apps: [declaration], nag: false, lock: null });
  return { version: LOCK_VERSION, environments: Object.fromEntries(environments.map((stack) => [stack.environmentName, snapshotEnvironment(stack)])) };
}

/** Synthesizes the declarations against the lock: returns the synth error, or the stacks when synth passes. */
function synth(declaration: AppDeclaration, lock: LockFile, context: Record<string, unknown> = {}) {
  const app = newApp({ ...ENVIRONMENTS, ...context });
  const { environments } = buildStacks(app, { apps: [declaration], nag: false, lock });
  try {
    app.synth();
    return { error: undefined, environments };
  } catch (error) {
    return { error: (error as Error).message, environments };
  }
}

describe('synth against appapi.lock.json', () => {
  const deployed = lockOf(customers());

  it('happy flow: unchanged declarations, a new field or a new model synthesize', () => {
    assert.equal(synth(customers(), deployed).error, undefined);
    const withMore: AppDeclaration = (environment) => {
      customers({ fields: { name: field.text(), email: field.email({ unique: true }), phone: field.phone({ optional: true }), notes: field.text({ optional: true }) } })(environment);
      new AirDataModel(new ApiApp(environment, 'Shop'), 'Orders', { fields: { total: field.number() } });
    };
    assert.equal(synth(withMore, deployed).error, undefined);
  });

  it('error flow: a renamed model fails synth in every environment, naming the model, the environment and the safe rename', () => {
    const { error } = synth(customers({ id: 'Clients' }), deployed);
    assert.ok(error, 'synth must fail');
    assert.match(error, /\[appapi:lock:tableRemoved\] dev: model Customers \(table appapi-dev-customers\) is no longer declared, so the deploy would leave it out of the stack: it is deleted with its data/);
    assert.match(error, /prod: model Customers \(table appapi-prod-customers\) .*kept but left out of the stack \(DeletionPolicy Retain\)/);
    assert.match(error, /If Customers was renamed to Clients, keep its construct id and table: new AirDataModel\(scope, 'Customers', \{ modelName: 'Clients', tableName: 'customers', … \}\)/);
    // the advice works: the same table, the new model name
    const { error: afterAdvice, environments } = synth(customers({ modelName: 'Clients', tableName: 'customers' }), deployed);
    assert.equal(afterAdvice, undefined);
    assert.equal(environments[0]!.manifest.models.Clients!.table, 'appapi-dev-customers');
  });

  it('error flow: a new modelName alone changes the table name, which replaces the table', () => {
    const { error } = synth(customers({ modelName: 'Clients' }), deployed);
    assert.match(error ?? '', /\[appapi:lock:tableReplaced\] dev: model Customers \(table appapi-dev-customers\) would be replaced: its name changes from appapi-dev-customers to appapi-dev-clients \(now declared as Clients\).*Safe way forward: keep the table: new AirDataModel\(scope, …, \{ modelName: 'Clients', tableName: 'customers', … \}\)/);
  });

  it('error flow: a model moved to another scope keeps its table name but not its logical id', () => {
    const moved: AppDeclaration = (environment) => void new AirDataModel(new ApiApp(environment, 'Crm'), 'Customers', { fields: { name: field.text(), email: field.email({ unique: true }), phone: field.phone({ optional: true }) }, indexes: { byEmail: { partitionKey: 'email' } } });
    const { error } = synth(moved, deployed);
    assert.match(error ?? '', /dev: model Customers \(table appapi-dev-customers\) would be replaced: its logical id changes from BookingCustomersTable\w+ to CrmCustomersTable\w+/);
    assert.match(error ?? '', /overrideLogicalId\('BookingCustomersTable\w+'\)/);
  });

  it('error flow: two indexes added to one model in one deploy; one index synthesizes', () => {
    const twoMore = customers({ indexes: { byEmail: { partitionKey: 'email' }, byName: { partitionKey: 'name' }, byPhone: { partitionKey: 'phone' } } });
    const { error } = synth(twoMore, deployed);
    assert.match(error ?? '', /\[appapi:lock:tooManyIndexChanges\] dev: model Customers \(table appapi-dev-customers\) would add byName, add byPhone in one deploy.*split it across 2 deploys, one index each — first add byName .*then add byPhone/);
    assert.equal(synth(customers({ indexes: { byEmail: { partitionKey: 'email' }, byName: { partitionKey: 'name' } } }), deployed).error, undefined);
    // removing one and adding another is two operations as well
    assert.match(synth(customers({ indexes: { byName: { partitionKey: 'name' } } }), deployed).error ?? '', /would add byName, remove byEmail in one deploy/);
  });

  it('error flow: an index whose keys change, with the way to do it in two deploys', () => {
    const { error } = synth(customers({ indexes: { byEmail: { partitionKey: 'email', sortKey: 'name' } } }), deployed);
    assert.match(error ?? '', /\[appapi:lock:indexKeysChanged\] dev: index byEmail of model Customers .* changes its keys from email \(S\) to email \(S\) \+ name \(S\).*add the new keys as an index with a new name/);
  });

  it('escape hatch: appapi:allowDataLoss names the model for one environment; it never covers index rules', () => {
    const renamed = customers({ id: 'Clients' });
    const devOnly = synth(renamed, deployed, { 'appapi:allowDataLoss': { dev: ['Customers'] } });
    assert.doesNotMatch(devOnly.error ?? '', /dev: model Customers/);
    assert.match(devOnly.error ?? '', /prod: model Customers/, 'dev\'s acceptance does not reach prod');
    const both = synth(renamed, deployed, { 'appapi:allowDataLoss': JSON.stringify({ dev: ['Customers'], prod: ['Customers'] }) });
    assert.equal(both.error, undefined, 'cdk -c passes the context as a JSON string');
    Annotations.fromStack(both.environments[0]!).hasWarning('*', Match.stringLikeRegexp('Accepted: appapi:allowDataLoss names Customers for dev'));
    const indexes = customers({ indexes: { byName: { partitionKey: 'name' }, byPhone: { partitionKey: 'phone' } } });
    assert.match(synth(indexes, deployed, { 'appapi:allowDataLoss': { dev: ['Customers'], prod: ['Customers'] } }).error ?? '', /tooManyIndexChanges/);
  });

  it('warnings: a field made unique needs the marker backfill; a field renamed needs rename-field', () => {
    const before = lockOf(customers({ fields: { name: field.text(), email: field.email(), phone: field.phone({ optional: true }) } }));
    const unique = synth(customers(), before);
    assert.equal(unique.error, undefined);
    Annotations.fromStack(unique.environments[0]!).hasWarning('*', Match.stringLikeRegexp('dev: Customers.email becomes unique.*appapi migrate unique Customers email --env dev '));
    Annotations.fromStack(unique.environments[1]!).hasWarning('*', Match.stringLikeRegexp('appapi migrate unique Customers email --env prod --aws'));
    const renamedField = synth(customers({ fields: { name: field.text(), email: field.email({ unique: true }), mobile: field.phone({ optional: true }) } }), deployed);
    assert.equal(renamedField.error, undefined);
    Annotations.fromStack(renamedField.environments[0]!).hasWarning('*', Match.stringLikeRegexp('no longer declares phone and now declares mobile.*appapi migrate rename-field Customers phone mobile --env dev'));
  });

  it('the signing-key secret: a new name would replace it and invalidate every token', () => {
    const current = deployed.environments.dev!;
    const locked = { ...current, secrets: { SigningKey: { ...current.secrets.SigningKey!, secretName: 'appapi/dev/old-key' } } };
    const [finding] = checkAgainstLock('dev', locked, current);
    assert.equal(finding?.id, 'appapi:lock:secretReplaced');
    assert.match(finding!.message, /dev: the signing-key secret appapi\/dev\/old-key would be replaced.*every API token issued for dev would stop working for good/);
    const withoutSecret = { ...current, secrets: {} };
    assert.match(checkAgainstLock('dev', current, withoutSecret)[0]?.message ?? '', /the signing-key secret appapi\/dev\/signing-key is no longer declared/);
  });

  it('TTL and deletion protection: enabling TTL and dropping protection are refused', () => {
    const current = deployed.environments.prod!;
    const locked = { ...current, tables: { ...current.tables, Journeys: { ...current.tables.Journeys!, timeToLive: 'expires' } } };
    assert.match(checkAgainstLock('prod', locked, current)[0]?.message ?? '', /prod: table Journeys \(appapi-prod-journeys\) changes its TTL attribute from expires to expiresAt/);
    const unprotected = { ...current, tables: { ...current.tables, ApiKeys: { ...current.tables.ApiKeys!, deletionProtection: false } } };
    assert.equal(checkAgainstLock('prod', current, unprotected)[0]?.id, 'appapi:lock:protectionRemoved');
  });

  it('error flow: AirDataModel tableName takes only a valid suffix, and two models cannot share a table', () => {
    assert.throws(() => buildStacks(newApp(ENVIRONMENTS), { apps: [customers({ tableName: 'Customers!' })], nag: false, lock: null }), /AirDataModel "Customers": tableName "Customers!" must be lower-case letters, digits, ".", "_" and "-".*the part after "appapi-dev-", e.g. tableName: 'customers'/);
    const sharing: AppDeclaration = (environment) => {
      customers()(environment);
      new AirDataModel(new ApiApp(environment, 'Crm'), 'Clients', { fields: { name: field.text() }, tableName: 'customers' });
    };
    assert.throws(() => buildStacks(newApp(ENVIRONMENTS), { apps: [sharing], nag: false, lock: null }), /AirData models booking\.Customers and crm\.Clients would share the table appapi-dev-customers/);
  });

  it('the committed appapi.lock.json holds every environment of cdk.json, and the reference app passes its check', () => {
    const lock: LockFile | undefined = readLockFile();
    assert.ok(lock, 'appapi.lock.json is committed');
    for (const env of ['dev', 'staging', 'prod']) {
      const locked: EnvironmentLock | undefined = lock.environments[env];
      assert.ok(locked, `${env} is recorded`);
      const errors: LockFinding[] = checkAgainstLock(env, locked, snapshotEnvironment(loadEnvironment(env))).filter((finding) => finding.severity === 'error');
      assert.deepEqual(errors, []);
      assert.equal(locked.models.Customers?.tableName, `appapi-${env}-customers`);
    }
  });
});
