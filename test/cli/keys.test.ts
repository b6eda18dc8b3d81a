// Shares a process: cli (its commands get the file's own tables and data folder; its AWS mocks are restored in after; see scripts/run-tests.ts)
import assert from 'node:assert/strict';
import { statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient, type AwsClientStub } from 'aws-sdk-client-mock';
import { createAuthorizer } from '../../lambdas/authorizer/create-authorizer';
import { createDocumentClient } from '../../lambdas/runtime/dynamodb';
import { generateSigningKeyPair } from '../../lambdas/shared/signing-jwk';
import { awsBackend } from '../../lib/cli/keys-backend';
import { keysCommand } from '../../lib/cli/keys-command';
import { loadEnvironment } from '../../lib/environments';
import { ensureLocalDevKey } from '../../lib/local/local-dev-key';
import { connectLocalDynamo } from '../../lib/local/local-dynamo';
import { loadOrCreateSigningKey, signingKeyPath } from '../../lib/local/signing-key-file';
import { authorizerEvent } from '../authorizer/support';
import { appapi, appapiHere } from '../support/cli';
import { shareDynamo, tablesOf, TestDatabase } from '../support/dynamo';
import { temporaryFolder } from '../support/temporary-folder';

const tables = tablesOf(__filename);

describe('appapi keys (local)', () => {
  const manifest = loadEnvironment('dev', undefined, tables.isolated).manifest;
  const home = temporaryFolder('appapi-home-');
  // as from a second terminal while `appapi dev` runs: the commands reuse its DynamoDB Local.
  // create (and one error) run bin/appapi.js in a process of their own; the others run the same command code here
  const keys = async (...args: string[]) => {
    const outcome = await appapiHere(['keys', ...args], { tables, home });
    assert.equal(outcome.code, 0, outcome.stderr);
    return outcome.stdout;
  };
  let created: { keyId: string; token: string; env: string; name: string; groups: string[] };

  before(async () => {
    await shareDynamo(home);
    created = JSON.parse((await appapi(['keys', 'create', '--name', 'partner-app', '--groups', 'partners', '--json'], { tables, home })).stdout);
  });

  const authorizeLocally = async (token: string) => {
    const dynamo = await connectLocalDynamo(home, 'dev');
    const documents = createDocumentClient(dynamo.endpoint);
    try {
      const authorize = createAuthorizer({ manifest, publicJwk: loadOrCreateSigningKey(home, 'dev').publicJwk, dynamo: documents, log: () => {} });
      return await authorize(authorizerEvent(`Bearer ${token}`)).then((result) => result.context.groups, (error: Error) => error.message);
    } finally {
      documents.destroy();
      await dynamo.close();
    }
  };

  it('create --json prints exactly keyId, token, env, name, groups, and the token is accepted by the authorizer', async () => {
    assert.deepEqual(Object.keys(created), ['keyId', 'token', 'env', 'name', 'groups']);
    assert.deepEqual([created.env, created.name, created.groups], ['dev', 'partner-app', ['partners']]);
    assert.equal(await authorizeLocally(created.token), 'partners');
  });

  it('keeps the signing key in a 0600 file in a 0700 folder, and stores no token', async () => {
    assert.equal(statSync(signingKeyPath(home, 'dev')).mode & 0o777, 0o600);
    assert.equal(statSync(join(home, 'dev')).mode & 0o777, 0o700);
    const listed = await keys('list', '--json');
    assert.deepEqual(Object.keys(JSON.parse(listed)[0]), ['keyId', 'name', 'groups', 'createdAt', 'updatedAt']);
    const dynamo = await connectLocalDynamo(home, 'dev');
    const documents = createDocumentClient(dynamo.endpoint);
    const { ScanCommand } = await import('@aws-sdk/lib-dynamodb');
    const items = JSON.stringify((await documents.send(new ScanCommand({ TableName: manifest.tables.apiKeys }))).Items);
    documents.destroy();
    await dynamo.close();
    assert.ok(!items.includes(created.token) && !items.includes(created.token.split('.')[2]!), 'the token is not stored');
  });

  it('the local-dev key: a saved file cut short (a start killed as it wrote) is replaced by a working key, kept 0600', async () => {
    const saved = join(home, 'dev', 'local-dev.json');
    writeFileSync(saved, '{"keyId": "key_', { mode: 0o600 });
    const dynamo = await connectLocalDynamo(home, 'dev');
    const documents = createDocumentClient(dynamo.endpoint);
    try {
      const fresh = await ensureLocalDevKey(home, manifest, documents);
      assert.deepEqual([fresh.created, fresh.active], [true, true]);
      assert.equal(await authorizeLocally(fresh.token), fresh.groups.join(','));
      assert.equal(statSync(saved).mode & 0o777, 0o600);
      const again = await ensureLocalDevKey(home, manifest, documents);
      assert.deepEqual([again.created, again.keyId, again.token], [false, fresh.keyId, fresh.token]);
    } finally {
      documents.destroy();
      await dynamo.close();
    }
  });

  it('update changes the groups without a redeploy; delete revokes', async () => {
    assert.match(await keys('update', created.keyId, '--groups', 'partners,ops'), /partners, ops/);
    assert.equal(await authorizeLocally(created.token), 'partners,ops');
    assert.match(await keys('delete', created.keyId), /within 60 s/);
    assert.equal(await authorizeLocally(created.token), 'Unauthorized');
  });

  it('error flow: unknown key, unknown environment and bad usage explain themselves', async () => {
    await assert.rejects(appapi(['keys', 'delete', 'key_nope'], { tables, home }), (error: { code: number; stderr: string }) => error.code === 1 && /No key key_nope/.test(error.stderr));
    const cases: Array<[string[], Record<string, string> | undefined, number, RegExp]> = [
      [['list', '--env', 'qa'], undefined, 1, /Unknown environment "qa".*dev, staging, prod/],
      [['create', '--name', 'x'], undefined, 2, /needs --groups/],
      [['create', '--name', 'x', '--groups', 'Bad Group'], undefined, 1, /lower-case/],
      [['list'], { APPAPI_TABLE_PREFIX: 'Team 2' }, 1, /APPAPI_TABLE_PREFIX "Team 2" must be lower-case/],
    ];
    for (const [args, env, code, message] of cases) {
      const outcome = await appapiHere(['keys', ...args], { tables, home, ...(env ? { env } : {}) });
      assert.deepEqual([outcome.code, message.test(outcome.stderr)], [code, true], `${args.join(' ')}: ${outcome.stderr}`);
    }
  });
});

describe('appapi keys --aws', () => {
  // Secrets Manager has no local emulator: its answer is mocked; the keys table is DynamoDB Local,
  // under the deployed name (the default prefix, which no other test uses)
  const manifest = loadEnvironment('dev').manifest;
  let database: TestDatabase;
  let secrets: AwsClientStub<SecretsManagerClient>;
  before(async () => {
    // installed here, not at import: other files of the same process may mock the same client
    secrets = mockClient(SecretsManagerClient);
    database = await TestDatabase.open(manifest);
  });
  after(() => {
    secrets?.restore();
    database?.close();
  });

  it('signs with the deployed secret and writes the deployed keys table; the token works for that key only', async () => {
    const pair = generateSigningKeyPair();
    secrets.on(GetSecretValueCommand, { SecretId: 'appapi/dev/signing-key' }).resolves({ SecretString: JSON.stringify(pair) });
    const documents = createDocumentClient(database.endpoint);
    const lines: string[] = [];
    await keysCommand(['create', '--name', 'prod-partner', '--groups', 'partners', '--json', '--aws'], { out: (line) => lines.push(line), err: () => {} }, {
      openBackend: (env) => awsBackend(env, { secrets: new SecretsManagerClient({ region: 'eu-west-1' }), documents }),
    });
    const { token } = JSON.parse(lines[0]!);
    const authorize = createAuthorizer({ manifest, publicJwk: pair.publicJwk, dynamo: documents, log: () => {} });
    assert.equal((await authorize(authorizerEvent(`Bearer ${token}`))).context.keyName, 'prod-partner');
    documents.destroy();
  });

  it('error flow: an environment not deployed yet says so', async () => {
    secrets.on(GetSecretValueCommand).resolves({ SecretString: 'initial-random-value' });
    const documents = createDocumentClient(database.endpoint);
    await assert.rejects(
      keysCommand(['create', '--name', 'x', '--groups', 'partners', '--aws'], { out: () => {}, err: () => {} }, { openBackend: (env) => awsBackend(env, { secrets: new SecretsManagerClient({ region: 'eu-west-1' }), documents }) }),
      /Deploy the environment first: npx cdk deploy AppApi-dev/,
    );
    documents.destroy();
  });
});
