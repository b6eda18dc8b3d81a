// Shares a process: dynamo (its tables have the file's own prefix on the run's DynamoDB Local; it keeps no other state; see scripts/run-tests.ts)
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import * as iam from 'aws-cdk-lib/aws-iam';
import { ApiApp, ApiAuth, AppApi, op, type AppApiStack } from '../../../lib';
import { ApiKeyStore } from '../../../lib/keys/key-store';
import { mintToken } from '../../../lib/keys/tokens';
import { localPlatform } from '../../../lib/local/cloud/platform';
import { createGatewayApp } from '../../../lib/local/gateway/gateway-app';
import { generateSigningKeyPair } from '../../../lambdas/shared/signing-jwk';
import { environmentStack } from '../../support/cdk';
import { tablesOf, TestDatabase } from '../../support/dynamo';

const tables = tablesOf(__filename);

const declare = (environment: AppApiStack) => {
  new AppApi(new ApiApp(environment, 'Ops'), 'Whoami', { method: 'GET', path: '/whoami', auth: ApiAuth.keyGroups('ops'), chain: [op.respond({ body: { key: '{% $auth.keyName %}' } })] });
};

/**
 * Parity by mutation for the authorizer's own IAM: its key-set reads are authorized against its
 * role as synthesized; an explicit Deny added the CDK way makes every token an authorizer failure.
 */
describe('the local authorizer\'s DynamoDB calls are authorized against its role from the template', () => {
  const unchanged = environmentStack([declare], tables.isolated);
  const denied = environmentStack([declare], tables.isolated);
  denied.authorizer.function.addToRolePolicy(new iam.PolicyStatement({ effect: iam.Effect.DENY, actions: ['dynamodb:GetItem'], resources: ['*'] }));
  const pair = generateSigningKeyPair();
  const logs: Array<Record<string, unknown>> = [];
  const servers: Server[] = [];
  let database: TestDatabase;
  let token: string;

  const serve = async (stack: AppApiStack): Promise<string> => {
    const app = createGatewayApp({ manifest: stack.manifest, documents: database.documents, publicJwk: pair.publicJwk, platform: localPlatform(stack), authorizerCacheTtlMs: 0, log: (entry) => logs.push(entry) });
    const server = createServer((request, response) => void app(request, response));
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  };

  before(async () => {
    database = await TestDatabase.open(unchanged.manifest);
    const key = await new ApiKeyStore(database.documents, unchanged.manifest.tables.apiKeys).create('iam-probe', ['ops']);
    token = mintToken(pair, { env: unchanged.manifest.env, keyId: key.keyId, tokenId: key.tokenId });
  });
  after(async () => {
    for (const server of servers) await new Promise<void>((resolve) => server.close(() => resolve()));
    database.close();
  });

  it('lets the synthesized role read the key set', async () => {
    const answer = await fetch(`${await serve(unchanged)}/whoami`, { headers: { Authorization: `Bearer ${token}` } });
    assert.deepEqual([answer.status, await answer.json()], [200, { key: 'iam-probe' }]);
  });

  it('refuses the GetItem an explicit Deny covers with AccessDeniedException: an authorizer failure, as API Gateway answers it', async () => {
    logs.length = 0;
    const answer = await fetch(`${await serve(denied)}/whoami`, { headers: { Authorization: `Bearer ${token}` } });
    // AUTHORIZER_FAILURE, as the environment's gateway response renders it
    assert.deepEqual([answer.status, ((await answer.json()) as { code: string }).code], [503, 'auth_unavailable']);
    assert.match(JSON.stringify(logs), /AccessDeniedException|not authorized to perform: dynamodb:GetItem/);
  });
});
