import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { buildEnvironments } from '../lib/environments';
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
      ['AwsSolutions-APIG4', 'AwsSolutions-COG4', 'AwsSolutions-IAM4', 'AwsSolutions-L1', 'AwsSolutions-SMG4'],
    );
    for (const name of ['AppApi-dev', 'AppApi-staging', 'AppApi-prod']) assert.ok(assembly.getStackByName(name));
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
    assert.throws(() => buildEnvironments(newApp({ 'appapi:environments': [] }), { nag: false }), /must be a non-empty list of environment names/);
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
