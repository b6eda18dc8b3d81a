// Shares a process: cdk-stacks (it only builds and synthesizes CDK apps; see scripts/run-tests.ts)
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ApiApp, ApiAuth, AppApi, op, type AppDeclaration } from '../../lib';
import { allTemplates, environmentStack } from '../support/cdk';

/** Every method of the REST API as `METHOD resource`, across the parent and nested templates. */
function rootMethods(apps: AppDeclaration): string[] {
  return allTemplates(environmentStack([apps])).flatMap(({ template }) =>
    Object.values(template.findResources('AWS::ApiGateway::Method'))
      .map((method) => method.Properties as { HttpMethod: string; ResourceId: unknown })
      .filter((method) => /RootResourceId/.test(JSON.stringify(method.ResourceId)))
      .map((method) => method.HttpMethod),
  );
}

describe('methods on the API root', () => {
  it('without App APIs on "/": one ANY answering 404', () => {
    assert.deepEqual(rootMethods((environment) => new AppApi(new ApiApp(environment, 'Site'), 'Health', { method: 'GET', path: '/health', auth: ApiAuth.public(), chain: [op.respond()] })), ['ANY']);
  });

  it('with an App API on "/": its method and one ANY (the fallback answers 405 there), never two ANY, which API Gateway refuses', () => {
    assert.deepEqual(rootMethods((environment) => new AppApi(new ApiApp(environment, 'Site'), 'Home', { method: 'GET', path: '/', auth: ApiAuth.public(), chain: [op.respond()] })).sort(), ['ANY', 'GET']);
  });
});
