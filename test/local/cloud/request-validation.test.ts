// Shares a process: units (its tests call functions and close the servers and sockets they open; see scripts/run-tests.ts)
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compileRequestValidators } from '../../../lib/local/cloud/request-validation';
import type { TemplateMethod } from '../../../lib/local/cloud/rest-api-tree';
import type { TemplateResource } from '../../../lib/local/cloud/stack-resources';

const resource = (logicalId: string, type: string, properties: Record<string, unknown>): TemplateResource => ({ logicalId, type, properties, stackPath: 'S' });
const method = (overrides: Partial<TemplateMethod>): TemplateMethod => ({
  logicalId: 'M',
  httpMethod: 'POST',
  resourcePath: '/things/{id}',
  resourceId: 'R',
  authorizationType: 'NONE',
  target: { kind: 'handler', functionLogicalId: 'F', routeId: 'Create', function: { logicalId: 'F', handler: 'handler.handler', timeoutMs: 3000, memoryMb: 128, environment: {} } },
  requestParameters: {},
  requestModels: {},
  requestValidatorId: 'Both',
  ...overrides,
});
const resources = [
  resource('Both', 'AWS::ApiGateway::RequestValidator', { ValidateRequestBody: true, ValidateRequestParameters: true }),
  resource('BodyOnly', 'AWS::ApiGateway::RequestValidator', { ValidateRequestBody: true, ValidateRequestParameters: false }),
  resource('Thing', 'AWS::ApiGateway::Model', { ContentType: 'application/json', Schema: { $schema: 'http://json-schema.org/draft-04/schema#', type: 'object', required: ['n'], properties: { n: { type: 'number', minimum: 0, exclusiveMinimum: true } } } }),
  resource('Anything', 'AWS::ApiGateway::Model', { ContentType: 'text/plain', Schema: '{"type":"object","required":["fallback"]}' }),
];
const request = (query: string, headers: Record<string, string> = {}) => ({ pathParameters: { id: 'x' }, query: new URLSearchParams(query), headers });

describe('method request validation from the template', () => {
  it('requires path, query string and header parameters present and not blank, headers by any case', () => {
    const validators = compileRequestValidators(resources, [method({ requestParameters: { 'method.request.path.id': true, 'method.request.querystring.q': true, 'method.request.querystring.opt': false, 'method.request.header.X-Tenant': true } })]);
    const check = validators.get('M')!.parameters;
    assert.deepEqual(check(request('q=1', { 'x-tenant': 't' })), undefined);
    assert.deepEqual(check(request('q=', { 'x-tenant': 't' })), { type: 'BAD_REQUEST_PARAMETERS', message: 'Missing required request parameters: [q]' });
    assert.deepEqual(check(request('')), { type: 'BAD_REQUEST_PARAMETERS', message: 'Missing required request parameters: [q, X-Tenant]' });
  });

  it('checks the body against the model of its Content-Type with draft-04 semantics; application/json without one; $default otherwise', () => {
    const body = compileRequestValidators(resources, [method({ requestModels: { 'application/json': 'Thing', $default: 'Anything' } })]).get('M')!.body;
    assert.equal(body('application/json; charset=utf-8', Buffer.from('{"n":1}')), undefined);
    assert.equal(body('application/json', Buffer.from('{"n":0}'))?.type, 'BAD_REQUEST_BODY', 'draft-04 boolean exclusiveMinimum');
    assert.equal(body(undefined, Buffer.from('{"n":0}'))?.type, 'BAD_REQUEST_BODY', 'no Content-Type is application/json');
    assert.equal(body('application/json', undefined)?.type, 'BAD_REQUEST_BODY', 'an empty body is {} and misses n');
    assert.equal(body('text/csv', Buffer.from('{"n":1}'))?.type, 'BAD_REQUEST_BODY', 'the $default model requires fallback');
    const onlyJson = compileRequestValidators(resources, [method({ requestModels: { 'application/json': 'Thing' } })]).get('M')!.body;
    assert.equal(onlyJson('text/csv', Buffer.from('a,b')), undefined, 'no model for the type: not validated');
  });

  it('follows the validator\'s switches, and a method without a validator is not validated', () => {
    const validators = compileRequestValidators(resources, [
      method({ logicalId: 'BodyOnly', requestValidatorId: 'BodyOnly', requestParameters: { 'method.request.querystring.q': true }, requestModels: { 'application/json': 'Thing' } }),
      method({ logicalId: 'None', requestValidatorId: undefined as unknown as string, requestModels: { 'application/json': 'Thing' } }),
    ]);
    assert.equal(validators.get('BodyOnly')!.parameters(request('')), undefined);
    assert.equal(validators.get('BodyOnly')!.body('application/json', Buffer.from('{}'))?.type, 'BAD_REQUEST_BODY');
    assert.equal(validators.has('None'), false);
  });
});
