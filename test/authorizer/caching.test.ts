// Shares a process: dynamo (its tables have the file's own prefix on the run's DynamoDB Local; it keeps no other state; see scripts/run-tests.ts)
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DeleteCommand } from '@aws-sdk/lib-dynamodb';
import { createAuthorizer } from '../../lambdas/authorizer/create-authorizer';
import { globMatches, policyAllows, policyForGroups } from '../../lambdas/authorizer/route-policy';
import { createHandler } from '../../lambdas/runtime/create-handler';
import { generateSigningKeyPair, type SigningKeyPair } from '../../lambdas/shared/signing-jwk';
import type { RouteManifest } from '../../lambdas/shared/manifest';
import { declareBooking } from '../../lib/apps/booking';
import { ApiKeyStore } from '../../lib/keys/key-store';
import { mintToken } from '../../lib/keys/tokens';
import { AuthorizerCache } from '../../lib/local/authorizer-cache';
import { environmentStack } from '../support/cdk';
import { tablesOf, TestDatabase } from '../support/dynamo';
import { authorizerEvent, STAGE } from './support';

const tables = tablesOf(__filename);

const manifest = environmentStack([declareBooking], tables.isolated).manifest;

describe('authorizer caching is safe', () => {
  let database: TestDatabase;
  let documents: TestDatabase['documents'];
  let pair: SigningKeyPair;
  let store: ApiKeyStore;
  let clock = 0;
  const tick = (seconds: number) => {
    clock += seconds * 1000;
  };
  before(async () => {
    database = await TestDatabase.open(manifest);
    documents = database.documents;
    pair = generateSigningKeyPair();
    store = new ApiKeyStore(documents, manifest.tables.apiKeys);
  });
  after(() => database?.close());

  const newAuthorizer = () => createAuthorizer({ manifest, publicJwk: pair.publicJwk, dynamo: documents, keySet: { clock: () => clock }, log: () => {} });
  const gateway = (authorizer = newAuthorizer()) => new AuthorizerCache(authorizer, 30_000, () => clock);
  const call = (cache: AuthorizerCache, token: string, method: string, path: string) =>
    cache.decide(`Bearer ${token}`, authorizerEvent(`Bearer ${token}`, method, path).methodArn, () => authorizerEvent(`Bearer ${token}`, method, path)).then((decision) => decision.outcome);

  it('a key allowed on route A is denied on route B right after a cached success on A', async () => {
    const partner = await store.create('partner-only', ['partners']);
    const token = mintToken(pair, { env: 'dev', keyId: partner.keyId, tokenId: partner.tokenId });
    const cache = gateway();
    assert.equal(await call(cache, token, 'GET', 'customers/c-1'), 'allow');
    assert.equal(await call(cache, token, 'DELETE', 'customers/c-1'), 'forbidden');
    assert.equal(await call(cache, token, 'GET', 'customers/c-2'), 'allow');
    assert.equal(await call(cache, token, 'POST', 'bookings/j-1/events'), 'allow');
    const ops = await store.create('ops-only', ['ops']);
    const opsToken = mintToken(pair, { env: 'dev', keyId: ops.keyId, tokenId: ops.tokenId });
    tick(1); // a key unknown to the loaded set triggers a reload, at most once per second
    assert.equal(await call(cache, opsToken, 'DELETE', 'customers/c-1'), 'allow');
    assert.equal(await call(cache, opsToken, 'GET', 'customers/c-1'), 'forbidden');
  });

  it('a deleted key stops working within 60 s, cache included, even when cached at the worst moment', async () => {
    clock = 1_000_000;
    const other = await store.create('other', ['partners']);
    const doomed = await store.create('doomed', ['partners']);
    const otherToken = mintToken(pair, { env: 'dev', keyId: other.keyId, tokenId: other.tokenId });
    const token = mintToken(pair, { env: 'dev', keyId: doomed.keyId, tokenId: doomed.tokenId });
    const authorizer = newAuthorizer();
    const cache = gateway(authorizer);
    assert.equal(await call(cache, otherToken, 'GET', 'health'), 'forbidden');
    // the worst moment: the instance reads the key just before its deletion, for a request whose decision is cached elsewhere
    assert.equal((await authorizer(authorizerEvent(`Bearer ${token}`, 'GET', 'health'))).principalId, doomed.keyId, 'reads the key at t=0');
    tick(0.5);
    await documents.send(new DeleteCommand({ TableName: manifest.tables.apiKeys, Key: { keyId: doomed.keyId } }));
    const deletedAt = clock;
    tick(24);
    // the cached key is 24.5 s old (less than 25 s, so not read again): still the key from before the deletion, and the decision is cached for 30 s
    assert.equal(await call(cache, token, 'GET', 'customers/c-1'), 'allow');
    tick(29);
    assert.equal(await call(cache, token, 'GET', 'customers/c-1'), 'allow');
    tick(1.5);
    assert.ok(clock - deletedAt < 60_000);
    assert.equal(await call(cache, token, 'GET', 'customers/c-1'), 'unauthorized', `denied ${(clock - deletedAt) / 1000} s after deletion`);
  });

  it('changing a key\'s groups takes effect like a deletion, without a redeploy', async () => {
    clock = 2_000_000;
    const key = await store.create('promoted', ['partners']);
    const token = mintToken(pair, { env: 'dev', keyId: key.keyId, tokenId: key.tokenId });
    const cache = gateway();
    assert.equal(await call(cache, token, 'DELETE', 'customers/c-1'), 'forbidden');
    await store.updateGroups(key.keyId, ['partners', 'ops']);
    tick(61);
    assert.equal(await call(cache, token, 'DELETE', 'customers/c-1'), 'allow');
  });

  it('the handler checks the route\'s groups again, whatever the cached policy said', async () => {
    const result = await createHandler(manifest, 'DeleteCustomer', documents)({
      httpMethod: 'DELETE',
      pathParameters: { customerId: 'c-1' },
      requestContext: { requestId: 'r', authorizer: { principalId: 'k', keyId: 'k', groups: 'partners' } },
    });
    assert.equal(result.statusCode, 403);
    assert.equal(JSON.parse(result.body).code, 'forbidden');
  });
});

describe('route policies', () => {
  const route = (method: RouteManifest['method'], path: string, groups: string[]): RouteManifest => ({
    id: `${method}${path}`,
    app: 'a',
    method,
    path,
    pathParameters: [],
    query: [],
    auth: { type: 'keyGroups', groups },
    chain: [],
  });

  it('denies a deeper route that an allowed path-parameter wildcard would cover', () => {
    const routes = [route('GET', '/docs/{id}', ['readers']), route('GET', '/docs/{id}/admin', ['admins']), route('GET', '/docs/public/admin', ['readers'])];
    const policy = policyForGroups(routes, ['readers'], STAGE);
    assert.ok(policyAllows(policy, `${STAGE}/GET/docs/42`));
    assert.ok(policyAllows(policy, `${STAGE}/GET/docs/public/admin`), 'an allowed literal route is not denied by the overlap rule');
    assert.ok(!policyAllows(policy, `${STAGE}/POST/docs/42`));
    // the Deny for /docs/*/admin would also cover the allowed /docs/public/admin, so it is left to the handler's group check
    assert.deepEqual(policy.Statement.map((statement) => statement.Effect), ['Allow']);
    const strict = policyForGroups(routes.slice(0, 2), ['readers'], STAGE);
    assert.ok(!policyAllows(strict, `${STAGE}/GET/docs/42/admin`));
  });

  it('a key with no route of its groups gets a policy denying everything', () => {
    const policy = policyForGroups([route('GET', '/x', ['a'])], ['b'], STAGE);
    assert.ok(!policyAllows(policy, `${STAGE}/GET/x`));
  });

  it('matches resources as IAM does', () => {
    assert.ok(globMatches('a/*/c', 'a/b/x/c'));
    assert.ok(globMatches('a/?', 'a/b'));
    assert.ok(!globMatches('a/?', 'a/bc'));
    assert.ok(!globMatches('a.b', 'aXb'));
  });
});
