// Shares a process: cdk-stacks (it only builds and synthesizes CDK apps; see scripts/run-tests.ts)
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CfnResource, Duration } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { ApiApp, ApiAuth, AppApi, op, type AppApiStack, type AppApiStackProps, type AppDeclaration } from '../../lib';
import { environmentStack } from '../support/cdk';

function shop(cors?: { allowOrigins: string[] }): AppDeclaration {
  return (environment) => {
    const app = new ApiApp(environment, 'Shop', cors ? { cors } : {});
    new AppApi(app, 'CreateOrder', {
      method: 'POST',
      path: '/orders',
      auth: ApiAuth.keyGroups('partners'),
      body: { type: 'object', required: ['item'], properties: { item: { type: 'string' } } },
      chain: [op.respond({ status: 201 })],
    });
  };
}

/**
 * API Gateway serves the snapshot a Deployment took; CloudFormation takes a new snapshot only when
 * the Deployment resource is replaced, i.e. when its logical id changes.
 * @see https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-apigateway-deployment.html
 */
function deploymentId(stack: AppApiStack): string {
  const ids = Object.keys(Template.fromStack(stack).findResources('AWS::ApiGateway::Deployment'));
  assert.equal(ids.length, 1);
  return ids[0]!;
}

function build(change?: (stack: AppApiStack) => void, props: Partial<AppApiStackProps> = {}, cors?: { allowOrigins: string[] }): string {
  const stack = environmentStack([shop(cors)], props);
  change?.(stack);
  return deploymentId(stack);
}

/** The one resource of a type in the environment (nested stacks included) matching a predicate. */
function cfn(stack: AppApiStack, type: string, match: (resource: CfnResource) => boolean = () => true): CfnResource {
  const found = stack.node.findAll().filter((c): c is CfnResource => CfnResource.isCfnResource(c) && c.cfnResourceType === type && match(c));
  assert.ok(found.length >= 1, `no ${type}`);
  return found[0]!;
}

describe('the stage gets a new deployment whenever what it serves changes', () => {
  const baseline = build();

  it('is stable when nothing changes', () => {
    assert.equal(build(), baseline);
  });

  const changes: Array<[string, () => string]> = [
    ['a gateway response template', () => build((stack) => cfn(stack, 'AWS::ApiGateway::GatewayResponse').addPropertyOverride('ResponseTemplates.application/json', '{"changed":true}'))],
    ['the authorizer cache TTL', () => build(undefined, { authorizerCacheTtl: Duration.seconds(60) })],
    ['the authorizer identity source', () => build((stack) => cfn(stack, 'AWS::ApiGateway::Authorizer').addPropertyOverride('IdentitySource', 'method.request.header.X-Token'))],
    ['the 405 method of a path', () => build((stack) => cfn(stack, 'AWS::ApiGateway::Method', (m) => (m as unknown as { httpMethod: string }).httpMethod === 'ANY' && m.stack.nested).addPropertyOverride('Integration.TimeoutInMillis', 5000))],
    ['the root 404 method', () => build((stack) => cfn(stack, 'AWS::ApiGateway::Method', (m) => (m as unknown as { httpMethod: string }).httpMethod === 'ANY' && !m.stack.nested).addPropertyOverride('Integration.TimeoutInMillis', 5000))],
    ['a body model', () => build((stack) => cfn(stack, 'AWS::ApiGateway::Model').addPropertyOverride('Schema.properties.item.maxLength', 10))],
    ['the request validator', () => build((stack) => cfn(stack, 'AWS::ApiGateway::RequestValidator').addPropertyOverride('ValidateRequestParameters', false))],
    ['the binary media types', () => build((stack) => cfn(stack, 'AWS::ApiGateway::RestApi').addPropertyOverride('BinaryMediaTypes', ['image/*']))],
    ['CORS (a preflight method appears)', () => build(undefined, {}, { allowOrigins: ['https://app.example.com'] })],
  ];
  for (const [what, changed] of changes) {
    it(`changes with ${what}`, () => {
      assert.notEqual(changed(), baseline);
    });
  }
});
