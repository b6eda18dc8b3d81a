// Shares a process: dynamo (its tables have the file's own prefix on the run's DynamoDB Local; it keeps no other state; see scripts/run-tests.ts)
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { CfnResource } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { AirDataModel, ApiApp, ApiAuth, AppApi, field, op } from '../../../lib';
import { localPlatform } from '../../../lib/local/cloud/platform';
import { createGatewayApp } from '../../../lib/local/gateway/gateway-app';
import { generateSigningKeyPair } from '../../../lambdas/shared/signing-jwk';
import { environmentStack } from '../../support/cdk';
import { tablesOf, TestDatabase } from '../../support/dynamo';

const tables = tablesOf(__filename);

/**
 * Parity by mutation for IAM: the handlers' roles as synthesized, changed through escape hatches
 * only, decide what their DynamoDB calls may do locally, with AWS's error and the runtime's answer to it.
 */
describe('the local gateway authorizes each DynamoDB call against its handler role from the template', () => {
  const stack = environmentStack(
    [
      (environment) => {
        const app = new ApiApp(environment, 'Shop');
        const things = new AirDataModel(app, 'Things', { fields: { name: field.text() } });
        const get = [op.airdata.get(things, { id: '{% $params.id %}', notFound: 'null', as: 'thing' }), op.respond({ body: '{% { "thing": $thing } %}' })];
        new AppApi(app, 'GetThing', { method: 'GET', path: '/things/{id}', auth: ApiAuth.public(), chain: get });
        // the same access as GetThing, so the same role: a Deny on that role reaches both
        new AppApi(app, 'PeekThing', { method: 'GET', path: '/peek/{id}', auth: ApiAuth.public(), chain: get });
        new AppApi(app, 'CreateThing', { method: 'POST', path: '/things', auth: ApiAuth.public(), chain: [op.airdata.insert(things, { record: '{% $body %}', as: 'thing' }), op.respond({ status: 201, body: '{% $thing %}' })] });
      },
    ],
    tables.isolated,
  );
  // an operator's explicit Deny, added to one role the CDK way
  (stack.handlerRoles.roleOf('GetThing') as iam.Role).addToPrincipalPolicy(new iam.PolicyStatement({ effect: iam.Effect.DENY, actions: ['dynamodb:GetItem'], resources: ['*'] }));
  // and an Allow taken away from another role's inline policy by an override
  const createRole = (stack.handlerRoles.roleOf('CreateThing') as iam.Role).node.defaultChild as CfnResource;
  let server: Server;
  let url: string;
  let database: TestDatabase;

  before(async () => {
    createRole.addPropertyOverride('Policies.0.PolicyDocument.Statement.2', { Sid: 'Nothing', Effect: 'Allow', Action: 'dynamodb:DescribeLimits', Resource: '*' });
    database = await TestDatabase.open(stack.manifest);
    const app = createGatewayApp({ manifest: stack.manifest, documents: database.documents, publicJwk: generateSigningKeyPair().publicJwk, platform: localPlatform(stack) });
    server = createServer((request, response) => void app(request, response));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    database.close();
  });

  it('refuses a call an explicit Deny covers, as DynamoDB does: AccessDeniedException, which the runtime answers 500 without internals', async () => {
    for (const path of ['/things/t1', '/peek/t1']) {
      const answer = await fetch(`${url}${path}`);
      assert.equal(answer.status, 500);
      const body = (await answer.json()) as { code: string; detail: string };
      assert.equal(body.code, 'internal_error');
      assert.doesNotMatch(JSON.stringify(body), /AccessDenied|dynamodb:|arn:/);
    }
  });

  it('refuses a call no statement allows any more (the insert\'s PutItem was overridden away), and nothing is written', async () => {
    const statements = JSON.stringify(localPlatform(stack).handlerIdentities.get('CreateThing')!.policies);
    assert.match(statements, /DescribeLimits/);
    const answer = await fetch(`${url}/things`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ name: 'x' }) });
    assert.equal(answer.status, 500);
    assert.deepEqual(await database.items(stack.manifest.models.Things!.table), []);
  });

  it('allows what the synthesized policies allow', () => {
    const identity = localPlatform(environmentStack([], tables.isolated)).handlerIdentities;
    assert.equal(identity.size, 0);
    const unchanged = localPlatform(stack).handlerIdentities.get('CreateThing')!;
    assert.ok(unchanged.policies.length >= 1);
  });
});
