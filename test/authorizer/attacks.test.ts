// Shares a process: dynamo (its tables have the file's own prefix on the run's DynamoDB Local; it keeps no other state; see scripts/run-tests.ts)
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createAuthorizer, type Authorizer } from '../../lambdas/authorizer/create-authorizer';
import { generateSigningKeyPair, type SigningKeyPair } from '../../lambdas/shared/signing-jwk';
import { ApiKeyStore } from '../../lib/keys/key-store';
import { mintToken } from '../../lib/keys/tokens';
import { declareBooking } from '../../lib/apps/booking';
import { environmentStack } from '../support/cdk';
import { tablesOf, TestDatabase } from '../support/dynamo';
import { tokenAttacks, bearerVariants } from './attack-tokens';
import { authorizerEvent } from './support';

const tables = tablesOf(__filename);

const manifest = environmentStack([declareBooking], tables.isolated).manifest;

describe('authorizer: every attack is 401, the reason logged and never returned', () => {
  let database: TestDatabase;
  let documents: TestDatabase['documents'];
  let authorize: Authorizer;
  let pair: SigningKeyPair;
  let staging: SigningKeyPair;
  let keyId: string;
  let tokenId: string;
  let deletedToken: string;
  let validToken: string;
  const logs: Array<Record<string, unknown>> = [];

  before(async () => {
    database = await TestDatabase.open(manifest);
    documents = database.documents;
    pair = generateSigningKeyPair();
    staging = generateSigningKeyPair();
    const store = new ApiKeyStore(documents, manifest.tables.apiKeys);
    const key = await store.create('partner', ['partners']);
    keyId = key.keyId;
    tokenId = key.tokenId;
    validToken = mintToken(pair, { env: 'dev', keyId, tokenId });
    const doomed = await store.create('doomed', ['partners']);
    deletedToken = mintToken(pair, { env: 'dev', keyId: doomed.keyId, tokenId: doomed.tokenId });
    await store.delete(doomed.keyId);
    authorize = createAuthorizer({ manifest, publicJwk: pair.publicJwk, dynamo: documents, log: (entry) => logs.push(entry) });
  });
  after(() => database?.close());

  it('happy flow: a valid token of a partners key is allowed, with the key in the context', async () => {
    const result = await authorize(authorizerEvent(`Bearer ${validToken}`));
    assert.equal(result.principalId, keyId);
    assert.deepEqual(result.context, { keyId, keyName: 'partner', groups: 'partners' });
    assert.equal(authorizerEvent('x').methodArn.startsWith(result.policyDocument.Statement[0]!.Resource[0]!.split('/').slice(0, 2).join('/')), true);
  });

  const attacks = () => tokenAttacks({ pair, staging, keyId, tokenId, validToken, deletedToken });

  it('refuses every token attack with Unauthorized', async () => {
    for (const [name, authorization] of [...attacks(), ...bearerVariants(validToken)]) {
      await assert.rejects(authorize(authorizerEvent(authorization)), (error: Error) => error.message === 'Unauthorized', name);
    }
  });

  it('accepts the bearer scheme in any case, as HTTP does', async () => {
    assert.equal((await authorize(authorizerEvent(`bearer ${validToken}`))).principalId, keyId);
    assert.equal((await authorize(authorizerEvent(`BEARER ${validToken}`))).principalId, keyId);
  });

  it('refuses two Authorization headers', async () => {
    await assert.rejects(
      authorize({ ...authorizerEvent(`Bearer ${validToken}`), multiValueHeaders: { Authorization: [`Bearer ${validToken}`, `Bearer ${validToken}`] } }),
      /Unauthorized/,
    );
  });

  it('logs a reason for each refusal and never a token or key material', () => {
    const rejected = logs.filter((entry) => entry.message === 'token rejected');
    assert.ok(rejected.length >= attacks().length, `${rejected.length} refusals logged`);
    assert.ok(rejected.every((entry) => typeof entry.reason === 'string' && entry.reason !== ''));
    const text = JSON.stringify(logs);
    for (const secret of [validToken, validToken.split('.')[2]!, pair.privateJwk.d, staging.privateJwk.d, tokenId]) {
      assert.ok(!text.includes(secret), 'a secret reached the log');
    }
  });
});
