// Shares a process: pure-functions (its tests call functions only: no server, DynamoDB, environment or files; see scripts/run-tests.ts)
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EnvironmentConfigError, parseEnvironmentTargets } from '../lib/environment-targets';

describe('appapi:environments parsing', () => {
  it('happy flow: absent means dev, staging and prod in the default account and region', () => {
    assert.deepEqual(parseEnvironmentTargets(undefined), [{ name: 'dev' }, { name: 'staging' }, { name: 'prod' }]);
  });

  it('happy flow: a plain name list, as before', () => {
    assert.deepEqual(parseEnvironmentTargets(['dev', 'qa']), [{ name: 'dev' }, { name: 'qa' }]);
  });

  it('happy flow: a comma-separated string, as `cdk -c appapi:environments=dev,qa` passes it', () => {
    assert.deepEqual(parseEnvironmentTargets('dev, qa'), [{ name: 'dev' }, { name: 'qa' }]);
  });

  it('happy flow: a list mixing names and objects with account and region', () => {
    assert.deepEqual(
      parseEnvironmentTargets([
        { name: 'dev', account: '111111111111', region: 'eu-west-1' },
        'staging',
        { name: 'prod', account: '012345678901', region: 'us-gov-west-1' },
        { name: 'eu', region: 'eu-central-2' },
      ]),
      [
        { name: 'dev', account: '111111111111', region: 'eu-west-1' },
        { name: 'staging' },
        { name: 'prod', account: '012345678901', region: 'us-gov-west-1' },
        { name: 'eu', region: 'eu-central-2' },
      ],
    );
  });

  it('happy flow: a map from name to settings, null or {} meaning the defaults', () => {
    assert.deepEqual(parseEnvironmentTargets({ dev: { account: '111111111111', region: 'eu-west-1' }, staging: {}, prod: null }), [
      { name: 'dev', account: '111111111111', region: 'eu-west-1' },
      { name: 'staging' },
      { name: 'prod' },
    ]);
  });

  it('happy flow: JSON handed over as a string by `cdk -c`', () => {
    assert.deepEqual(parseEnvironmentTargets('[{"name":"dev","region":"ap-southeast-2"},"prod"]'), [{ name: 'dev', region: 'ap-southeast-2' }, { name: 'prod' }]);
  });

  it('happy flow: operations settings (monitoring, alarmEmail, tracing) in the object and map forms', () => {
    assert.deepEqual(
      parseEnvironmentTargets(['dev', { name: 'staging', tracing: true }, { name: 'prod', region: 'eu-west-1', monitoring: true, alarmEmail: 'oncall@example.com' }]),
      [{ name: 'dev' }, { name: 'staging', tracing: true }, { name: 'prod', region: 'eu-west-1', monitoring: true, alarmEmail: 'oncall@example.com' }],
    );
    assert.deepEqual(parseEnvironmentTargets({ dev: { monitoring: false, tracing: false } }), [{ name: 'dev', monitoring: false, tracing: false }]);
  });

  const invalid: Array<[string, unknown, RegExp]> = [
    ['monitoring as a string', [{ name: 'prod', monitoring: 'yes' }], /environment "prod": "monitoring" is "yes"; write true or false \(unquoted\)/],
    ['tracing as a number', { dev: { tracing: 1 } }, /environment "dev": "tracing" is 1; write true or false/],
    ['an alarmEmail that is not an address', [{ name: 'prod', alarmEmail: 'oncall' }], /alarmEmail "oncall" is not an e-mail address; write one address as a string/],
    ['a list of alarm addresses', [{ name: 'prod', alarmEmail: ['a@example.com'] }], /alarmEmail \["a@example.com"\] is not an e-mail address/],
    ['an alarmEmail with monitoring off', [{ name: 'dev', monitoring: false, alarmEmail: 'a@example.com' }], /alarmEmail is set but "monitoring" is false.*remove alarmEmail or set "monitoring": true/],
    ['an empty list', [], /is empty; list at least one environment/],
    ['an empty map', {}, /is empty; list at least one environment/],
    ['a number', 3, /must list the environments, e\.g\./],
    ['an empty name in a list', ['dev', ''], /entry 2 is an empty name; write a name such as "dev"/],
    ['an empty name in a string', 'dev,,prod', /entry 2 is an empty name/],
    ['a number as an entry', ['dev', 7], /entry 2 is 7; write a name \("qa"\) or an object/],
    ['an object without a name', [{ region: 'eu-west-1' }], /entry 1 needs a "name"/],
    ['a misspelt key', [{ name: 'dev', acount: '111111111111' }], /entry 1 has the unknown key "acount"; the keys are name, account, region, monitoring, alarmEmail, tracing/],
    ['an 11-digit account', [{ name: 'dev', account: '11111111111' }], /environment "dev": account "11111111111" is not an AWS account id; write its 12 digits as a string/],
    ['an account as a JSON number', [{ name: 'dev', account: 111111111111 }], /account 111111111111 is not an AWS account id; .*quoted, so leading zeros survive/],
    ['an account with letters', { prod: { account: '11111111111a' } }, /environment "prod": account "11111111111a" is not an AWS account id/],
    ['a region with underscores', [{ name: 'dev', region: 'eu_west_1' }], /environment "dev": region "eu_west_1" is not an AWS region name; write it like "eu-west-1"/],
    ['a region without its number', { dev: { region: 'eu-west' } }, /environment "dev": region "eu-west" is not an AWS region name/],
    ['an availability zone for a region', { dev: { region: 'eu-west-1a' } }, /region "eu-west-1a" is not an AWS region name/],
    ['a duplicate name', ['dev', { name: 'dev', region: 'eu-west-1' }], /lists environment "dev" twice/],
    ['a map entry that is a string', { dev: 'eu-west-1' }, /environment "dev" is "eu-west-1"; give it an object such as \{"account"/],
    ['a map entry repeating its name', { dev: { name: 'dev' } }, /environment "dev" is named by its key; remove its "name"/],
    ['broken JSON from the command line', '[{"name":', /is not valid JSON/],
  ];
  for (const [what, value, message] of invalid) {
    it(`error flow: ${what}`, () => {
      assert.throws(() => parseEnvironmentTargets(value), (error: Error) => error instanceof EnvironmentConfigError && message.test(error.message));
    });
  }
});
