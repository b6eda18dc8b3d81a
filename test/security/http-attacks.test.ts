// Shares a process: gateway (its gateways listen on port 0 with the file's own tables and are closed by its hooks; see scripts/run-tests.ts)
import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createDocumentClient } from '../../lambdas/runtime/dynamodb';
import { generateSigningKeyPair, type SigningKeyPair } from '../../lambdas/shared/signing-jwk';
import { ApiKeyStore } from '../../lib/keys/key-store';
import { mintToken } from '../../lib/keys/tokens';
import type { RunningGateway } from '../../lib/local/gateway/server';
import { loadOrCreateSigningKey, signingKeyPath } from '../../lib/local/signing-key-file';
import { bearerVariants, tokenAttacks, type AttackContext } from '../authorizer/attack-tokens';
import { startTestGateway } from '../e2e/support';
import { scanAll } from '../reliability/support';
import { tablesOf } from '../support/dynamo';

const tables = tablesOf(__filename);

/** POST /customers with one Authorization value (or none), as raw as HTTP allows. */
function attempt(gateway: RunningGateway, authorization: string | undefined, email: string): Promise<{ status: number; contentType: string; body: string }> {
  const url = new URL(gateway.url);
  const payload = Buffer.from(JSON.stringify({ name: 'Mallory', email }));
  return new Promise((resolve, reject) => {
    const call = httpRequest(
      {
        host: url.hostname,
        port: url.port,
        method: 'POST',
        path: '/customers',
        headers: { 'content-type': 'application/json', 'content-length': payload.length, ...(authorization === undefined ? {} : { authorization }) },
        timeout: 20_000,
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => resolve({ status: response.statusCode!, contentType: String(response.headers['content-type']), body: Buffer.concat(chunks).toString() }));
      },
    );
    call.on('error', reject);
    call.end(payload);
  });
}

describe('security over HTTP: the attack list against the local gateway, and no secret in logs or answers', () => {
  let gateway: RunningGateway;
  let pair: SigningKeyPair;
  let staging: SigningKeyPair;
  let validToken: string;
  let context: AttackContext;
  const captured: string[] = [];
  const originals = { log: console.log, info: console.info, error: console.error, warn: console.warn };
  before(async () => {
    for (const level of ['log', 'info', 'error', 'warn'] as const) console[level] = (...args: unknown[]) => void captured.push(args.map(String).join(' '));
    gateway = await startTestGateway(tables, { log: (entry) => captured.push(JSON.stringify(entry)), onRequest: (entry) => captured.push(JSON.stringify(entry)) });
    pair = loadOrCreateSigningKey(gateway.dataHome, 'dev');
    staging = loadOrCreateSigningKey(gateway.dataHome, 'staging');
    const documents = createDocumentClient(gateway.dynamoEndpoint);
    const store = new ApiKeyStore(documents, gateway.manifest().tables.apiKeys);
    const key = await store.create('partner', ['partners']);
    validToken = mintToken(pair, { env: 'dev', keyId: key.keyId, tokenId: key.tokenId });
    const doomed = await store.create('doomed', ['partners']);
    const deletedToken = mintToken(pair, { env: 'dev', keyId: doomed.keyId, tokenId: doomed.tokenId });
    await store.delete(doomed.keyId);
    documents.destroy();
    context = { pair, staging, keyId: key.keyId, tokenId: key.tokenId, validToken, deletedToken };
  });
  after(async () => {
    Object.assign(console, originals);
    await gateway?.stop();
  });

  it('answers every token attack 401 problem+json and writes nothing', { timeout: 120_000 }, async () => {
    // HTTP trims spaces around a header value, so those two variants are the valid token by the time any gateway sees them
    const variants = bearerVariants(validToken).filter(([name]) => !['trailing space', 'leading space'].includes(name));
    const attacks = [...tokenAttacks(context), ...variants];
    for (const [index, [name, authorization]] of attacks.entries()) {
      const answer = await attempt(gateway, authorization, `attack-${index}@example.com`);
      if (name === 'oversized header value') {
        assert.equal(answer.status, 431, name);
      } else {
        assert.equal(answer.status, 401, `${name}: ${answer.status} ${answer.body.slice(0, 200)}`);
        assert.equal(JSON.parse(answer.body).code, 'unauthorized');
      }
      assert.equal(answer.contentType, 'application/problem+json', name);
      assert.doesNotMatch(answer.body, /signature|kid|alg|expired|Jwt/i, `${name}: the reason is not returned`);
    }
    const customers = await scanAll(gateway.dynamoEndpoint, tables.tableName('customers'));
    assert.deepEqual(customers.filter((item) => String(item.email ?? item.id).includes('attack-')), [], 'nothing written');
    assert.equal((await attempt(gateway, `Bearer ${validToken}`, 'legit@example.com')).status, 201, 'the real token still works');
  });

  it('a token of another environment is 401', async () => {
    const other = generateSigningKeyPair();
    assert.equal((await attempt(gateway, `Bearer ${mintToken(other, { env: 'staging', keyId: 'key_x', tokenId: 't' })}`, 'cross@example.com')).status, 401);
  });

  it('no token, private key or signature appears in the captured logs or in any answer', () => {
    const text = captured.join('\n');
    assert.ok(captured.length > 50, 'logs were captured');
    for (const secret of [validToken, validToken.split('.')[2]!, pair.privateJwk.d, staging.privateJwk.d]) {
      assert.ok(!text.includes(secret), 'a secret reached the logs');
    }
  });

  it('key files are readable by their owner only', () => {
    assert.equal(statSync(signingKeyPath(gateway.dataHome, 'dev')).mode & 0o777, 0o600);
    assert.equal(statSync(join(gateway.dataHome, 'dev')).mode & 0o777, 0o700);
  });
});
