// Shares a process: cdk-apps (it builds and synthesizes CDK apps and reads their output; see scripts/run-tests.ts)
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { CfnResource } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import type * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { ApiApp, ApiAuth, AppApi, op } from '../../../lib';
import { localPlatform } from '../../../lib/local/cloud/platform';
import { createGatewayApp } from '../../../lib/local/gateway/gateway-app';
import { generateSigningKeyPair } from '../../../lambdas/shared/signing-jwk';
import { environmentStack } from '../../support/cdk';

/**
 * Parity by mutation: the synthesized web ACL changed through a CDK escape hatch only, and the
 * local gateway answers the change, with no local code knowing about it.
 */
describe('the local gateway executes what the template says of the platform', () => {
  const stack = environmentStack([
    (environment) => {
      const site = new ApiApp(environment, 'Site', { httpHosts: ['127.0.0.1'] });
      new AppApi(site, 'Health', { method: 'GET', path: '/health', auth: ApiAuth.public(), chain: [op.respond({ body: { status: 'ok' } })] });
      new AppApi(site, 'Status', { method: 'GET', path: '/status', auth: ApiAuth.public(), chain: [op.respond({ body: { status: 'ok' } })] });
      new AppApi(site, 'Private', { method: 'GET', path: '/private', auth: ApiAuth.keyGroups('ops'), chain: [op.respond()] });
      new AppApi(site, 'Gone', { method: 'GET', path: '/gone', auth: ApiAuth.public(), chain: [op.respond({ body: { here: true } })] });
      new AppApi(site, 'Half', { method: 'GET', path: '/half', auth: ApiAuth.public(), chain: [op.respond({ body: { here: true } })] });
      new AppApi(site, 'Guarded', { method: 'GET', path: '/guarded', auth: ApiAuth.public(), chain: [op.respond({ body: { open: true } })] });
      new AppApi(site, 'CreateThing', {
        method: 'POST',
        path: '/things',
        auth: ApiAuth.public(),
        body: { type: 'object', required: ['name'], properties: { name: { type: 'string' }, size: { type: 'integer' } } },
        chain: [op.respond({ status: 201, body: { created: true } })],
      });
      new AppApi(site, 'Search', { method: 'GET', path: '/search', auth: ApiAuth.public(), query: [{ name: 'q', required: true }, { name: 'page' }], chain: [op.respond({ body: { found: true } })] });
      new AppApi(site, 'Slow', { method: 'GET', path: '/slow', auth: ApiAuth.public(), query: [{ name: 'url', required: true }], chain: [op.http({ url: '{% $query.url %}', as: 'upstream' }), op.respond({ body: { waited: true } })] });
      new AppApi(site, 'Chatty', { method: 'GET', path: '/chatty', auth: ApiAuth.public(), chain: [op.respond({ body: { said: 'hi' } })] });
      new AppApi(site, 'Moved', { method: 'GET', path: '/moved', auth: ApiAuth.public(), chain: [op.respond({ body: { moved: false } })] });
    },
  ]);
  const acl = stack.payloadLimit.webAcl;
  // an operator's rule, added the way a team would: an escape hatch on the synthesized resource
  acl.addPropertyOverride('CustomResponseBodies.Maintenance', { ContentType: 'TEXT_PLAIN', Content: 'down for maintenance' });
  const rules = (acl.rules as wafv2.CfnWebACL.RuleProperty[]).length;
  acl.addPropertyOverride(`Rules.${rules}`, {
    Name: 'MaintenanceWindow',
    Priority: 100,
    Statement: { ByteMatchStatement: { FieldToMatch: { SingleHeader: { Name: 'x-maintenance' } }, PositionalConstraint: 'EXACTLY', SearchString: 'on', TextTransformations: [{ Priority: 0, Type: 'LOWERCASE' }] } },
    Action: { Block: { CustomResponse: { ResponseCode: 503, CustomResponseBodyKey: 'Maintenance' } } },
    VisibilityConfig: { CloudWatchMetricsEnabled: false, SampledRequestsEnabled: false, MetricName: 'maintenance' },
  });
  // a gateway response, the authorizer's identity source and a stage method setting, changed the same way
  const notFound = stack.restApi.node.findAll().map((c) => c as CfnResource).find((c) => CfnResource.isCfnResource(c) && c.cfnResourceType === 'AWS::ApiGateway::GatewayResponse' && (c as unknown as { responseType: string }).responseType === 'MISSING_AUTHENTICATION_TOKEN')!;
  notFound.addPropertyOverride('ResponseTemplates.application/json', '{"gone":true,"id":"$context.requestId"}');
  notFound.addPropertyOverride('StatusCode', '410');
  (stack.authorizer.node.defaultChild as CfnResource).addPropertyOverride('IdentitySource', 'method.request.header.X-Api-Token');
  (stack.stage.node.defaultChild as CfnResource).addPropertyOverride('MethodSettings', [{ ResourcePath: '/~1status', HttpMethod: 'GET', ThrottlingRateLimit: 0.001, ThrottlingBurstLimit: 1 }]);
  // the resource/method tree changed the same way: methods removed, an authorization type and an integration changed
  const methodsOf = (path: string) => stack.routeStacks.flatMap((routes) => routes.node.findAll()).filter((c): c is apigateway.Method => c instanceof apigateway.Method && c.resource.path === path);
  for (const method of methodsOf('/gone')) method.node.scope!.node.tryRemoveChild(method.node.id);
  const halfGet = methodsOf('/half').find((method) => method.httpMethod === 'GET')!;
  halfGet.node.scope!.node.tryRemoveChild(halfGet.node.id);
  const guarded = methodsOf('/guarded').find((method) => method.httpMethod === 'GET')!.node.defaultChild as CfnResource;
  guarded.addPropertyOverride('AuthorizationType', 'CUSTOM');
  guarded.addPropertyOverride('AuthorizerId', stack.authorizer.authorizerId);
  const moved = methodsOf('/moved').find((method) => method.httpMethod === 'GET')!.node.defaultChild as CfnResource;
  const health = stack.routeStacks.map((routes) => routes.handlers.get('Health')).find(Boolean)!;
  moved.addPropertyOverride('Integration.Uri', `arn:aws:apigateway:local:lambda:path/2015-03-31/functions/${health.function.functionArn}/invocations`);
  // a model made stricter, and a query parameter made required, the same way
  const thingModel = stack.routeStacks.flatMap((routes) => routes.node.findAll()).find((c): c is apigateway.Model => c instanceof apigateway.Model && c.node.id === 'CreateThingBody')!;
  (thingModel.node.defaultChild as CfnResource).addPropertyOverride('Schema.required', ['name', 'size']);
  const search = methodsOf('/search').find((method) => method.httpMethod === 'GET')!.node.defaultChild as CfnResource;
  search.addPropertyOverride('RequestParameters.method\\.request\\.querystring\\.page', true);
  // two functions' configuration, overridden on their AWS::Lambda::Function
  const functionOf = (routeId: string) => stack.routeStacks.map((routes) => routes.handlers.get(routeId)).find(Boolean)!.function.node.defaultChild as CfnResource;
  functionOf('Slow').addPropertyOverride('Timeout', 1);
  functionOf('Chatty').addPropertyOverride('Environment.Variables.APPAPI_LOG_LEVEL', 'debug');
  const logs: Array<Record<string, unknown>> = [];
  let upstream: Server;
  let server: Server;
  let url: string;

  before(async () => {
    const platform = localPlatform(stack);
    assert.ok(platform.webAcl, 'the stage has a web ACL');
    // no DynamoDB call is made: the route only responds, and no key is checked
    const documents = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: 'http://127.0.0.1:9', region: 'local', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } }));
    const app = createGatewayApp({ manifest: stack.manifest, documents, publicJwk: generateSigningKeyPair().publicJwk, platform, log: (entry) => logs.push(entry) });
    upstream = createServer((_, response) => void setTimeout(() => response.end('{}'), 1_500));
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    server = createServer((request, response) => void app(request, response));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    upstream.closeAllConnections();
    await new Promise<void>((resolve) => upstream.close(() => resolve()));
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('answers a rule added by an escape hatch with its custom response', async () => {
    const blocked = await fetch(`${url}/health`, { headers: { 'X-Maintenance': 'ON' } });
    assert.equal(blocked.status, 503);
    assert.match(blocked.headers.get('content-type') ?? '', /^text\/plain/);
    assert.equal(await blocked.text(), 'down for maintenance');
    const passed = await fetch(`${url}/health`);
    assert.deepEqual([passed.status, await passed.json()], [200, { status: 'ok' }]);
  });

  it('answers the payload rules as the template declares them, with WAF\'s fixed body and Content-Type', async () => {
    const compressed = await fetch(`${url}/health`, { method: 'POST', headers: { 'Content-Encoding': 'gzip', 'Content-Type': 'application/json' }, body: '{}' });
    assert.equal(compressed.status, 415);
    assert.equal(compressed.headers.get('content-type'), 'application/json');
    assert.equal(((await compressed.json()) as { code: string }).code, 'unsupported_content_encoding');
    // a PATCH with neither Content-Length nor Transfer-Encoding (clients add one; a raw request does not)
    const lengthless = await new Promise<string>((resolve) => {
      const socket = connect(Number(new URL(url).port), '127.0.0.1');
      let text = '';
      socket.on('data', (chunk) => (text += chunk));
      socket.on('close', () => resolve(text));
      socket.end('PATCH /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    });
    assert.match(lengthless, /^HTTP\/1\.1 411 /);
    // a plain GET is not blocked by any rule (size > 0 tests, not size >= 0)
    assert.equal((await fetch(`${url}/health`)).status, 200);
  });

  it('answers an unknown path with the template\'s MISSING_AUTHENTICATION_TOKEN gateway response, status and $context variables rendered', async () => {
    const answer = await fetch(`${url}/nowhere`);
    assert.equal(answer.status, 410);
    const body = (await answer.json()) as { gone: boolean; id: string };
    assert.deepEqual([body.gone, body.id], [true, answer.headers.get('x-amzn-requestid')]);
  });

  it('reads the identity from the authorizer\'s identity source: without that header, 401 before the authorizer runs', async () => {
    const answer = await fetch(`${url}/private`, { headers: { Authorization: 'Bearer whatever' } });
    assert.equal(answer.status, 401);
    assert.equal(((await answer.json()) as { code: string }).code, 'unauthorized');
  });

  it('throttles by the stage\'s method settings', async () => {
    const statuses = [(await fetch(`${url}/status`)).status, (await fetch(`${url}/status`)).status];
    assert.deepEqual(statuses, [200, 429]);
    assert.equal((await fetch(`${url}/health`)).status, 200, 'another method has no setting');
  });

  it('routes through the template\'s methods: a removed method is MISSING_AUTHENTICATION_TOKEN, a removed GET leaves the ANY fallback\'s 405', async () => {
    const gone = await fetch(`${url}/gone`);
    assert.equal(gone.status, 410, 'no resource method left: the (overridden) MISSING_AUTHENTICATION_TOKEN response');
    assert.equal(((await gone.json()) as { gone: boolean }).gone, true);
    const half = await fetch(`${url}/half`);
    // the fallback function answers from its bundled manifest, which still lists GET, exactly as in AWS
    assert.deepEqual([half.status, half.headers.get('allow')], [405, 'GET']);
  });

  it('authorizes by the method\'s authorization type and invokes the function its integration names', async () => {
    const guarded = await fetch(`${url}/guarded`);
    assert.equal(guarded.status, 401, 'CUSTOM authorization: no identity, no call');
    const moved = await fetch(`${url}/moved`);
    assert.deepEqual([moved.status, await moved.json()], [200, { status: 'ok' }], 'the Health function answers');
  });

  it('validates requests with the template\'s validator, models and required parameters before the handler runs', async () => {
    const post = (body: string, contentType = 'application/json') => fetch(`${url}/things`, { method: 'POST', headers: { 'Content-Type': contentType }, body });
    const missingSize = await post('{"name":"a"}');
    assert.equal(missingSize.status, 400, 'the overridden model requires size, which the declared schema does not');
    assert.equal(((await missingSize.json()) as { code: string }).code, 'validation_failed');
    assert.equal((await post('{"name":"a","size":1.5}')).status, 400, 'draft-04 integer');
    assert.equal((await post('{"name":"a","size":2}')).status, 201);
    assert.equal((await post('{"name":')).status, 400, 'not JSON: BAD_REQUEST_BODY');
    const searched = await fetch(`${url}/search?q=x`);
    assert.equal(searched.status, 400, 'page is required by the overridden method');
    assert.equal((await fetch(`${url}/search?q=x&page=%20`)).status, 400, 'a blank value is missing');
    assert.deepEqual([(await fetch(`${url}/search?q=x&page=2`)).status], [200]);
  });

  it('runs each handler with its function\'s configuration: the timeout as its deadline, its environment', async () => {
    const started = performance.now();
    const slow = await fetch(`${url}/slow?url=${encodeURIComponent(`http://127.0.0.1:${(upstream.address() as AddressInfo).port}/`)}`);
    const elapsed = performance.now() - started;
    assert.equal(slow.status, 503, 'a 1 s function has 250 ms before its 750 ms margin; the upstream takes 1.5 s');
    assert.equal(((await slow.json()) as { code: string }).code, 'deadline_exceeded');
    assert.ok(elapsed < 1_200, `answered at the function's deadline, not the upstream's (${Math.round(elapsed)} ms)`);
    logs.length = 0;
    assert.equal((await fetch(`${url}/chatty`)).status, 200);
    assert.ok(logs.some((entry) => entry.message === 'trace' && entry.level === 'debug'), 'APPAPI_LOG_LEVEL=debug logs the trace, as the Lambda entry does');
    logs.length = 0;
    await fetch(`${url}/health`);
    assert.equal(logs.filter((entry) => entry.message === 'trace').length, 0, 'a function without it does not');
  });
});
