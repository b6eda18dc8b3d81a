// Shares a process: dynamo (its tables have the file's own prefix on the run's DynamoDB Local; it keeps no other state; see scripts/run-tests.ts)
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createAuthorizer } from '../../lambdas/authorizer/create-authorizer';
import { KeyCache } from '../../lambdas/authorizer/key-cache';
import { generateSigningKeyPair, type SigningKeyPair } from '../../lambdas/shared/signing-jwk';
import { declareBooking } from '../../lib/apps/booking';
import { ApiKeyStore } from '../../lib/keys/key-store';
import { mintToken } from '../../lib/keys/tokens';
import { environmentStack } from '../support/cdk';
import { tablesOf, TestDatabase } from '../support/dynamo';
import { authorizerEvent } from './support';

const tables = tablesOf(__filename);

const manifest = environmentStack([declareBooking], tables.isolated).manifest;

/** The real DynamoDB Local client, every call counted; `down` makes calls fail as a network error would. */
function countingClient(documents: DynamoDBDocumentClient) {
  const calls: Array<{ command: string; input: Record<string, unknown> }> = [];
  const state = { down: false };
  const send = (command: { constructor: { name: string }; input: Record<string, unknown> }) => {
    calls.push({ command: command.constructor.name, input: command.input });
    return state.down ? Promise.reject(Object.assign(new Error('connect ECONNREFUSED'), { name: 'Error' })) : documents.send(command as never);
  };
  return { client: { send } as unknown as DynamoDBDocumentClient, calls, state };
}

describe('the authorizer reads keys by id, cached with bounds', () => {
  let database: TestDatabase;
  let store: ApiKeyStore;
  let pair: SigningKeyPair;
  let clock = 0;
  before(async () => {
    database = await TestDatabase.open(manifest);
    store = new ApiKeyStore(database.documents, manifest.tables.apiKeys);
    pair = generateSigningKeyPair();
  });
  after(() => database?.close());

  it('reads nothing until a token names a key, then one GetItem of only what it needs, per key and not per request', async () => {
    const key = await store.create('reader', ['partners']);
    await store.create('bystander', ['partners']);
    const { client, calls } = countingClient(database.documents);
    const cache = new KeyCache(client, manifest.tables.apiKeys, { clock: () => clock });
    assert.equal(calls.length, 0);
    for (let request = 0; request < 5; request += 1) assert.deepEqual(await cache.get(key.keyId), { keyId: key.keyId, name: 'reader', groups: ['partners'], tokenId: key.tokenId });
    assert.deepEqual(calls.map((call) => call.command), ['GetCommand']);
    assert.equal(calls[0]!.input.ConsistentRead, true);
    assert.deepEqual(calls[0]!.input.Key, { keyId: key.keyId });
    assert.match(String(calls[0]!.input.ProjectionExpression), /#keyId, #name, #groups, #tokenId/);
    clock += 24_999;
    await cache.get(key.keyId);
    assert.equal(calls.length, 1, 'still fresh just before 25 s');
    clock += 1;
    await cache.get(key.keyId);
    assert.equal(calls.length, 2, 'read again at 25 s');
  });

  it('concurrent requests for one key share one read', async () => {
    const key = await store.create('popular', ['partners']);
    const { client, calls } = countingClient(database.documents);
    const cache = new KeyCache(client, manifest.tables.apiKeys, { clock: () => clock });
    const keys = await Promise.all(Array.from({ length: 20 }, () => cache.get(key.keyId)));
    assert.ok(keys.every((found) => found?.keyId === key.keyId));
    assert.equal(calls.length, 1);
  });

  it('remembers an unknown id for 10 s, then reads it again', async () => {
    clock = 100_000;
    const { client, calls } = countingClient(database.documents);
    const cache = new KeyCache(client, manifest.tables.apiKeys, { clock: () => clock });
    assert.equal(await cache.get('key_0000000000000000dead'), undefined);
    assert.equal(await cache.get('key_0000000000000000dead'), undefined);
    assert.equal(calls.length, 1, 'the second lookup is answered from memory');
    clock += 9_999;
    assert.equal(await cache.get('key_0000000000000000dead'), undefined);
    assert.equal(calls.length, 1);
    clock += 1;
    assert.equal(await cache.get('key_0000000000000000dead'), undefined);
    assert.equal(calls.length, 2, 'read again once the unknown bound has passed');
  });

  it('keeps at most maxKeys keys and maxUnknown ids, dropping the least recently used', async () => {
    const keys = await Promise.all(['a', 'b', 'c', 'd'].map((name) => store.create(`lru-${name}`, ['partners'])));
    const { client, calls } = countingClient(database.documents);
    const cache = new KeyCache(client, manifest.tables.apiKeys, { clock: () => clock, maxKeys: 3, maxUnknown: 2 });
    for (const key of keys.slice(0, 3)) await cache.get(key.keyId);
    await cache.get(keys[0]!.keyId); // a used again: b is now the least recently used
    await cache.get(keys[3]!.keyId);
    assert.deepEqual(cache.size, { keys: 3, unknown: 0 });
    const before = calls.length;
    await cache.get(keys[0]!.keyId);
    await cache.get(keys[2]!.keyId);
    assert.equal(calls.length, before, 'a and c are still cached');
    await cache.get(keys[1]!.keyId);
    assert.equal(calls.length, before + 1, 'b was dropped and is read again');
    for (const id of ['key_x1', 'key_x2', 'key_x3']) await cache.get(id);
    assert.deepEqual(cache.size, { keys: 3, unknown: 2 });
  });

  it('uses a cached key up to 30 s while DynamoDB fails, and fails after', async () => {
    clock = 200_000;
    const key = await store.create('weathered', ['partners']);
    const { client, state } = countingClient(database.documents);
    const cache = new KeyCache(client, manifest.tables.apiKeys, { clock: () => clock });
    await cache.get(key.keyId);
    state.down = true;
    clock += 29_999;
    assert.equal((await cache.get(key.keyId))?.keyId, key.keyId);
    clock += 1;
    await assert.rejects(cache.get(key.keyId), /ECONNREFUSED/);
    await assert.rejects(cache.get('key_unknown_while_down'), /ECONNREFUSED/, 'an id never read fails rather than being taken as unknown');
  });

  it('a key re-issued with a new token id accepts the new token at once and refuses the old one', async () => {
    clock = 300_000;
    const key = await store.create('reissued', ['partners']);
    const authorize = createAuthorizer({ manifest, publicJwk: pair.publicJwk, dynamo: database.documents, keySet: { clock: () => clock }, log: () => {} });
    const oldToken = mintToken(pair, { env: 'dev', keyId: key.keyId, tokenId: key.tokenId });
    assert.equal((await authorize(authorizerEvent(`Bearer ${oldToken}`))).principalId, key.keyId);
    await database.documents.send(
      new UpdateCommand({ TableName: manifest.tables.apiKeys, Key: { keyId: key.keyId }, UpdateExpression: 'SET tokenId = :t', ExpressionAttributeValues: { ':t': 'new-token-id' } }),
    );
    const newToken = mintToken(pair, { env: 'dev', keyId: key.keyId, tokenId: 'new-token-id' });
    clock += 1_000;
    assert.equal((await authorize(authorizerEvent(`Bearer ${newToken}`))).principalId, key.keyId);
    await assert.rejects(authorize(authorizerEvent(`Bearer ${oldToken}`)), /Unauthorized/);
  });

  it('refuses a maxStaleMs shorter than refreshMs', () => {
    assert.throws(() => new KeyCache(database.documents, manifest.tables.apiKeys, { refreshMs: 30_000, maxStaleMs: 10_000 }), /maxStaleMs \(10000\) must be at least refreshMs/);
  });
});
