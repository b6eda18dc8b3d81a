// Shares a process: units (its tests call functions and close the servers and sockets they open; see scripts/run-tests.ts)
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RestApiTree } from '../../../lib/local/cloud/rest-api-tree';
import type { TemplateResource } from '../../../lib/local/cloud/stack-resources';

/** Template resources as a REST API's stack renders them: resources hang from the root or a Ref to their parent. */
function template(resources: Array<[logicalId: string, parent: string, pathPart: string]>, methods: Array<[logicalId: string, resource: string, httpMethod: string, fn: string]>): TemplateResource[] {
  const parentId = (parent: string) => (parent === 'root' ? { 'Fn::GetAtt': ['Api', 'RootResourceId'] } : { Ref: parent });
  const fn = (logicalId: string, handler: string, route?: string): TemplateResource => ({
    logicalId,
    type: 'AWS::Lambda::Function',
    stackPath: 'S',
    properties: { Handler: handler, Environment: { Variables: route ? { APPAPI_ROUTE: route } : {} } },
  });
  return [
    { logicalId: 'Api', type: 'AWS::ApiGateway::RestApi', stackPath: 'S', properties: {} },
    fn('Fallback', 'fallback.handler'),
    ...['One', 'Latest', 'Put', 'Assets', 'Deep'].map((route) => fn(`${route}Fn`, 'handler.handler', route)),
    ...resources.map(([logicalId, parent, pathPart]): TemplateResource => ({ logicalId, type: 'AWS::ApiGateway::Resource', stackPath: 'S', properties: { ParentId: parentId(parent), PathPart: pathPart } })),
    ...methods.map(([logicalId, resource, httpMethod, target]): TemplateResource => ({
      logicalId,
      type: 'AWS::ApiGateway::Method',
      stackPath: 'S',
      properties: {
        HttpMethod: httpMethod,
        AuthorizationType: 'NONE',
        ResourceId: resource === 'root' ? { 'Fn::GetAtt': ['Api', 'RootResourceId'] } : { Ref: resource },
        Integration: { Type: 'AWS_PROXY', Uri: { 'Fn::Join': ['', ['arn:aws:apigateway:local:lambda:path/2015-03-31/functions/', { 'Fn::GetAtt': [target, 'Arn'] }, '/invocations']] } },
      },
    })),
  ];
}

const tree = new RestApiTree(
  template(
    [
      ['Files', 'root', 'files'],
      ['FilesName', 'Files', '{name}'],
      ['FilesLatest', 'Files', 'latest'],
      ['Assets', 'root', 'assets'],
      ['AssetsProxy', 'Assets', '{path+}'],
      ['AssetsFixed', 'Assets', 'fixed'],
      ['AssetsFixedDeep', 'AssetsFixed', 'deep'],
    ],
    [
      ['RootAny', 'root', 'ANY', 'Fallback'],
      ['NameGet', 'FilesName', 'GET', 'OneFn'],
      ['NamePut', 'FilesName', 'PUT', 'PutFn'],
      ['NameAny', 'FilesName', 'ANY', 'Fallback'],
      ['LatestGet', 'FilesLatest', 'GET', 'LatestFn'],
      ['ProxyAny', 'AssetsProxy', 'ANY', 'AssetsFn'],
      ['DeepGet', 'AssetsFixedDeep', 'GET', 'DeepFn'],
    ],
  ),
);

function resolved(httpMethod: string, path: string): string {
  const resolution = tree.resolve(httpMethod, path);
  if (resolution.kind === 'missing') return 'missing';
  const target = resolution.method.target;
  return `${resolution.method.httpMethod} ${resolution.method.resourcePath} → ${target.kind === 'handler' ? target.routeId : 'fallback'} ${JSON.stringify(resolution.pathParameters)}`;
}

describe('the REST API tree routes as API Gateway does', () => {
  it('prefers a literal path part to a path variable, and decodes variables', () => {
    assert.equal(resolved('GET', '/files/latest'), 'GET /files/latest → Latest {}');
    assert.equal(resolved('GET', '/files/r%C3%A9sum%C3%A9.pdf'), 'GET /files/{name} → One {"name":"résumé.pdf"}');
    assert.equal(resolved('GET', '/files/a%2Fb'), 'GET /files/{name} → One {"name":"a/b"}', 'an encoded slash stays in one part');
  });

  it('picks the resource\'s own method before its ANY, and ANY for every other method', () => {
    assert.equal(resolved('PUT', '/files/x'), 'PUT /files/{name} → Put {"name":"x"}');
    assert.equal(resolved('DELETE', '/files/x'), 'ANY /files/{name} → fallback {"name":"x"}');
    assert.equal(resolved('PATCH', '/'), 'ANY / → fallback {}');
  });

  it('is MISSING_AUTHENTICATION_TOKEN for no resource, a resource without the method and ANY, an undecodable part', () => {
    assert.equal(resolved('GET', '/files'), 'missing', 'a resource without methods');
    assert.equal(resolved('POST', '/files/latest'), 'missing', 'a resource without the method nor ANY');
    assert.equal(resolved('GET', '/nowhere'), 'missing');
    assert.equal(resolved('GET', '/files/%E0%A4%A'), 'missing');
  });

  it('gives a greedy {proxy+} the rest of the path, after literal resources and not for its parent', () => {
    assert.equal(resolved('GET', '/assets/a/b%20c/d'), 'ANY /assets/{path+} → Assets {"path":"a/b c/d"}');
    assert.equal(resolved('GET', '/assets/fixed/deep'), 'GET /assets/fixed/deep → Deep {}');
    assert.equal(resolved('POST', '/assets/fixed/deep'), 'missing', 'the literal resource matched; it has no POST');
    assert.equal(resolved('GET', '/assets/fixed'), 'ANY /assets/{path+} → Assets {"path":"fixed"}', 'a literal without methods falls to the proxy');
    assert.equal(resolved('GET', '/assets'), 'missing');
  });

  it('refuses at startup what it cannot route rather than guess', () => {
    const twoVariables = template(
      [
        ['A', 'root', '{a}'],
        ['B', 'root', '{b}'],
      ],
      [],
    );
    assert.throws(() => new RestApiTree(twoVariables), /already has the path variable \{a\}/);
    const orphan = template([['A', 'Nowhere', 'a']], []);
    assert.throws(() => new RestApiTree(orphan), /hangs from Nowhere/);
    const mock = template([['A', 'root', 'a']], [['M', 'A', 'GET', 'OneFn']]);
    (mock.at(-1)!.properties.Integration as Record<string, unknown>).Type = 'MOCK';
    assert.throws(() => new RestApiTree(mock), /integration type MOCK is not run/);
  });
});
