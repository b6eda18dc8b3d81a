// Shares a process: cdk-environments (it only builds and synthesizes CDK apps; see scripts/run-tests.ts)
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { buildEnvironments, buildStacks } from '../lib/environments';
import { allTemplates, newApp, validationFindings } from './support/cdk';

describe('environments from cdk.json', () => {
  it('synthesizes AppApi-dev, AppApi-staging and AppApi-prod with no unacknowledged cdk-nag or CloudFormation Validate finding', () => {
    const app = newApp();
    const stacks = buildEnvironments(app);
    assert.deepEqual(stacks.map((stack) => stack.stackName), ['AppApi-dev', 'AppApi-staging', 'AppApi-prod']);
    const assembly = app.synth();
    const { violations, acknowledged } = validationFindings(assembly.directory);
    assert.deepEqual(violations, [], `unacknowledged findings:\n${JSON.stringify(violations, null, 2)}`);
    // every acknowledgement is one of the reasoned ones in lib/constructs/nag-acknowledgements.ts
    assert.deepEqual(
      [...new Set(acknowledged.map((finding) => finding.ruleName.replace(/\[.*$/, '')))].sort(),
      ['AwsSolutions-APIG4', 'AwsSolutions-COG4', 'AwsSolutions-IAM4', 'AwsSolutions-IAM5', 'AwsSolutions-L1', 'AwsSolutions-SMG4'],
    );
    for (const name of ['AppApi-account', 'AppApi-dev', 'AppApi-staging', 'AppApi-prod']) assert.ok(assembly.getStackByName(name));
  });

  it('synthesizes clean with a known account and region too (cdk-nag names findings by the resolved ARNs)', () => {
    const app = newApp({ 'appapi:environments': [{ name: 'dev', account: '123456789012', region: 'eu-west-1' }] });
    buildEnvironments(app);
    const { violations } = validationFindings(app.synth().directory);
    assert.deepEqual(violations, [], `unacknowledged findings:\n${JSON.stringify(violations, null, 2)}`);
  });

  it('gives each environment its own tables, secret, authorizer and API, named for it', () => {
    const stacks = buildEnvironments(newApp(), { nag: false });
    for (const stack of stacks) {
      const env = stack.environmentName;
      const template = Template.fromStack(stack);
      const names = Object.values(template.findResources('AWS::DynamoDB::Table')).map((t) => t.Properties.TableName as string);
      assert.deepEqual(names.sort(), [`appapi-${env}-api-keys`, `appapi-${env}-customers`, `appapi-${env}-idempotency`, `appapi-${env}-journeys`]);
      template.hasResourceProperties('AWS::SecretsManager::Secret', { Name: `appapi/${env}/signing-key` });
      template.hasResourceProperties('AWS::ApiGateway::RestApi', { Name: `appapi-${env}` });
      template.hasResourceProperties('AWS::ApiGateway::Stage', { StageName: env });
      template.resourceCountIs('AWS::ApiGateway::Authorizer', 1);
      const others = stacks.filter((s) => s !== stack).map((s) => s.environmentName);
      for (const { template: t } of allTemplates(stack)) {
        for (const other of others) assert.doesNotMatch(JSON.stringify(t.toJSON()), new RegExp(`appapi[-/]${other}[-/"]`), `${stack.stackName} references ${other}`);
      }
    }
  });

  it('reads the environment list from context', () => {
    const stacks = buildEnvironments(newApp({ 'appapi:environments': ['dev', 'qa'] }), { nag: false });
    assert.deepEqual(stacks.map((s) => s.stackName), ['AppApi-dev', 'AppApi-qa']);
    assert.throws(() => buildEnvironments(newApp({ 'appapi:environments': [] }), { nag: false }), /"appapi:environments" is empty; list at least one environment/);
    assert.throws(() => buildEnvironments(newApp({ 'appapi:environments': [{ name: 'dev', account: '1234' }] }), { nag: false }), /account "1234" is not an AWS account id/);
  });

  it('deploys each environment to the account and region of its cdk.json entry, else to the CLI\'s defaults', () => {
    withDefaultPlace({ account: '999999999999', region: 'us-east-2' }, () => {
      const app = newApp({ 'appapi:environments': [{ name: 'dev', account: '111111111111', region: 'eu-west-1' }, 'staging', { name: 'prod', region: 'eu-central-1' }] });
      const { environments } = buildStacks(app, { apps: [], nag: false });
      assert.deepEqual(
        environments.map((stack) => [stack.stackName, stack.account, stack.region]),
        [
          ['AppApi-dev', '111111111111', 'eu-west-1'],
          ['AppApi-staging', '999999999999', 'us-east-2'],
          ['AppApi-prod', '999999999999', 'eu-central-1'],
        ],
      );
      const assembly = app.synth();
      assert.equal(assembly.getStackByName('AppApi-dev').environment.name, 'aws://111111111111/eu-west-1');
      assert.equal(assembly.getStackByName('AppApi-staging').environment.name, 'aws://999999999999/us-east-2');
    });
  });

  it('without an account or region anywhere, the stacks stay environment-agnostic (as `cdk synth` without credentials has them)', () => {
    withDefaultPlace({}, () => {
      const { environments, accounts } = buildStacks(newApp({ 'appapi:environments': ['dev', 'prod'] }), { apps: [], nag: false });
      assert.equal(accounts.length, 1);
      for (const stack of [...environments, ...accounts]) assert.equal(stack.environment, 'aws://unknown-account/unknown-region');
    });
  });

  it('sets up each account and region once: one AppApi-account stack per distinct place, each environment depending on its own', () => {
    withDefaultPlace({}, () => {
      const app = newApp({
        'appapi:environments': {
          dev: { account: '111111111111', region: 'eu-west-1' },
          staging: { account: '111111111111', region: 'eu-west-1' },
          prod: { account: '222222222222', region: 'eu-west-1' },
        },
      });
      const { environments, accounts } = buildStacks(app, { apps: [], nag: false });
      assert.deepEqual(
        accounts.map((stack) => [stack.node.id, stack.stackName, stack.account, stack.region]),
        [
          ['AppApi-account-111111111111-eu-west-1', 'AppApi-account', '111111111111', 'eu-west-1'],
          ['AppApi-account-222222222222-eu-west-1', 'AppApi-account', '222222222222', 'eu-west-1'],
        ],
      );
      const [dev, staging, prod] = environments;
      assert.deepEqual(dev!.dependencies.map((stack) => stack.node.id), [accounts[0]!.node.id]);
      assert.deepEqual(staging!.dependencies.map((stack) => stack.node.id), [accounts[0]!.node.id]);
      assert.deepEqual(prod!.dependencies.map((stack) => stack.node.id), [accounts[1]!.node.id]);
      // the cloud assembly carries the order `cdk deploy AppApi-prod` follows
      const assembly = app.synth();
      assert.ok(assembly.getStackArtifact('AppApi-prod').dependencies.some((artifact) => artifact.id === 'AppApi-account-222222222222-eu-west-1'));
    });
  });

  it('error flow: an unacknowledged finding fails synth (the nag plugin is wired)', () => {
    const app = newApp({ 'appapi:environments': ['dev'] });
    buildEnvironments(app);
    new sqs.Queue(new Stack(app, 'Unreviewed'), 'Queue');
    assert.throws(() => app.synth(), /Validation failed/);
  });

  it('error flow: CDK\'s CloudFormation validation runs in the same synth and fails it on a template error', () => {
    const app = newApp({ 'appapi:environments': ['dev'] });
    buildEnvironments(app);
    new lambda.CfnFunction(new Stack(app, 'Broken'), 'Function', { role: 'arn:aws:iam::123456789012:role/x', code: { zipFile: 'x' }, runtime: 'nodejs22.x', memorySize: 1 });
    assert.throws(() => app.synth(), /Validation failed/);
  });
});

/** Runs `body` as if `cdk` had found these default account and region (none when absent). */
function withDefaultPlace(place: { account?: string; region?: string }, body: () => void): void {
  const saved = { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION };
  const set = (name: string, value: string | undefined) => (value === undefined ? delete process.env[name] : (process.env[name] = value));
  set('CDK_DEFAULT_ACCOUNT', place.account);
  set('CDK_DEFAULT_REGION', place.region);
  try {
    body();
  } finally {
    set('CDK_DEFAULT_ACCOUNT', saved.account);
    set('CDK_DEFAULT_REGION', saved.region);
  }
}
