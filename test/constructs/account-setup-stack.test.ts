// Shares a process: cdk-environments (it only builds and synthesizes CDK apps; see scripts/run-tests.ts)
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { buildStacks } from '../../lib/environments';
import { allTemplates, newApp } from '../support/cdk';

// Template assertions: API Gateway account settings cannot be exercised without an AWS account.
describe('API Gateway\'s CloudWatch role: once per account and region, in AppApi-account', () => {
  const { environments, accounts } = buildStacks(newApp(), { apps: [], nag: false });

  it('the account stack holds exactly one role and one AWS::ApiGateway::Account, both retained', () => {
    assert.equal(accounts.length, 1);
    const template = Template.fromStack(accounts[0]!);
    template.resourceCountIs('AWS::ApiGateway::Account', 1);
    template.resourceCountIs('AWS::IAM::Role', 1);
    const [roleId] = Object.keys(template.findResources('AWS::IAM::Role'));
    template.hasResource('AWS::IAM::Role', {
      Properties: Match.objectLike({
        AssumeRolePolicyDocument: Match.objectLike({ Statement: [Match.objectLike({ Principal: { Service: 'apigateway.amazonaws.com' } })] }),
        ManagedPolicyArns: [Match.objectLike({ 'Fn::Join': ['', Match.arrayWith([Match.stringLikeRegexp('service-role/AmazonAPIGatewayPushToCloudWatchLogs$')])] })],
      }),
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
    template.hasResource('AWS::ApiGateway::Account', {
      Properties: { CloudWatchRoleArn: { 'Fn::GetAtt': [roleId, 'Arn'] } },
      DeletionPolicy: 'Retain',
    });
  });

  it('environment stacks (and their nested stacks) set no account setting and create no CloudWatch role', () => {
    for (const stack of environments) {
      for (const { stack: part, template } of allTemplates(stack)) {
        template.resourceCountIs('AWS::ApiGateway::Account', 0);
        const pushRoles = Object.values(template.findResources('AWS::IAM::Role')).filter((role) => JSON.stringify(role).includes('AmazonAPIGatewayPushToCloudWatchLogs') || JSON.stringify(role).includes('apigateway.amazonaws.com'));
        assert.deepEqual(pushRoles, [], `${part.node.path} creates API Gateway's CloudWatch role`);
      }
    }
  });

  it('every stage still writes access logs, and its stack depends on the account stack that makes that possible', () => {
    for (const stack of environments) {
      Template.fromStack(stack).hasResourceProperties('AWS::ApiGateway::Stage', {
        StageName: stack.environmentName,
        AccessLogSetting: { DestinationArn: Match.anyValue(), Format: Match.stringLikeRegexp('requestId') },
      });
      assert.deepEqual(stack.dependencies.map((dependency) => dependency.stackName), ['AppApi-account'], stack.stackName);
    }
  });
});
