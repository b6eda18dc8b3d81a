// Shares a process: cdk-stacks (it only builds and synthesizes CDK apps; see scripts/run-tests.ts)
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { describe, it, type TestContext } from 'node:test';
import { GetSecretValueCommand, PutSecretValueCommand, ResourceNotFoundException, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { mockClient } from 'aws-sdk-client-mock';
import { AwsSolutionsChecks } from 'cdk-nag';
import { createSigningKeyHandler, type SigningKeyEvent } from '../../lambdas/signing-key';
import { logOutput } from '../../lambdas/shared/logger';
import { generateSigningKeyPair, parseSigningKeyPair } from '../../lambdas/shared/signing-jwk';
import { lambdaAssetDirectory } from '../../lib/constructs/lambda-asset';
import { SigningKey, type SigningKeyProps } from '../../lib/constructs/signing-key';
import { newApp, validationFindings } from '../support/cdk';

// Secrets Manager has no local emulator (unlike DynamoDB Local), so the handler is tested against
// aws-sdk-client-mock: the commands it sends and the answers it gets are the contract.

const SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:appapi/dev/signing-key-AbCdEf';
/** What a secret created with GenerateSecretString: {} holds before the deploy fills it. */
const INITIAL_RANDOM_VALUE = 'x7#Gq`Lp2!vN^e9Rz0@dWm*T5sKc$Yb8';

function event(requestType: SigningKeyEvent['RequestType'], physicalResourceId?: string): SigningKeyEvent {
  return {
    RequestType: requestType,
    ResourceProperties: { ServiceToken: 'arn:aws:lambda:eu-west-1:123456789012:function:provider', SecretId: SECRET_ARN },
    ...(physicalResourceId ? { PhysicalResourceId: physicalResourceId } : {}),
  };
}

function secretsMock() {
  const client = new SecretsManagerClient({ region: 'eu-west-1' });
  const mock = mockClient(client);
  return { mock, handler: createSigningKeyHandler(client) };
}

/** Every line written to the console during the test. */
function captureConsole(t: TestContext): string[] {
  const lines: string[] = [];
  for (const method of ['log', 'info', 'warn', 'error', 'debug'] as const) {
    t.mock.method(console, method, (...args: unknown[]) => lines.push(args.map(String).join(' ')));
  }
  t.mock.method(logOutput, 'write', (line: string) => lines.push(line));
  return lines;
}

describe('signing-key custom resource handler', () => {
  it('happy flow: Create on the secret\'s initial random value generates a pair, stores it once and returns only its public half', async (t) => {
    // Prepare
    const output = captureConsole(t);
    const { mock, handler } = secretsMock();
    mock.on(GetSecretValueCommand).resolves({ ARN: SECRET_ARN, SecretString: INITIAL_RANDOM_VALUE });
    mock.on(PutSecretValueCommand).resolves({ ARN: SECRET_ARN });

    // Act
    const response = await handler(event('Create'));

    // Assess
    const puts = mock.commandCalls(PutSecretValueCommand);
    assert.equal(puts.length, 1);
    assert.equal(puts[0]!.args[0].input.SecretId, SECRET_ARN);
    const stored = parseSigningKeyPair(puts[0]!.args[0].input.SecretString);
    assert.ok(stored, 'the stored value is a key pair parseSigningKeyPair accepts');
    assert.deepEqual(mock.commandCalls(GetSecretValueCommand).map((call) => call.args[0].input), [{ SecretId: SECRET_ARN }]);

    assert.equal(response.PhysicalResourceId, SECRET_ARN);
    const publicJwk = JSON.parse(response.Data!.PublicJwk) as Record<string, unknown>;
    assert.equal(publicJwk.d, undefined);
    assert.deepEqual(publicJwk, { ...stored.publicJwk });
    assert.deepEqual(Object.keys(publicJwk).sort(), ['alg', 'crv', 'kid', 'kty', 'use', 'x']);
    assert.equal(response.Data!.Kid, stored.publicJwk.kid);
    assert.doesNotMatch(JSON.stringify(response), new RegExp(stored.privateJwk.d));

    assert.ok(output.length > 0, 'the outcome is logged');
    assert.ok(output.every((line) => !line.includes(stored.privateJwk.d)), 'the private key never reaches the logs');
    assert.match(output.join('\n'), new RegExp(`"message":"signing key created".*"kid":"${stored.publicJwk.kid}"`));
  });

  it('happy flow: Update when the secret already holds a pair keeps it (a redeploy never rotates the key)', async (t) => {
    // Prepare
    const output = captureConsole(t);
    const pair = generateSigningKeyPair();
    const { mock, handler } = secretsMock();
    mock.on(GetSecretValueCommand).resolves({ ARN: SECRET_ARN, SecretString: JSON.stringify(pair) });

    // Act
    const first = await handler(event('Update', SECRET_ARN));
    const second = await handler(event('Update', SECRET_ARN));

    // Assess
    assert.equal(mock.commandCalls(PutSecretValueCommand).length, 0);
    assert.deepEqual(first, second);
    assert.equal(first.PhysicalResourceId, SECRET_ARN);
    assert.equal(first.Data!.Kid, pair.publicJwk.kid);
    assert.deepEqual(JSON.parse(first.Data!.PublicJwk), pair.publicJwk);
    assert.match(output.join('\n'), /"message":"signing key kept"/);
    assert.ok(output.every((line) => !line.includes(pair.privateJwk.d)));
  });

  it('happy flow: Create on a secret that already holds a pair keeps it too', async () => {
    const pair = generateSigningKeyPair();
    const { mock, handler } = secretsMock();
    mock.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify(pair) });
    const response = await handler(event('Create'));
    assert.equal(mock.commandCalls(PutSecretValueCommand).length, 0);
    assert.equal(response.Data!.Kid, pair.publicJwk.kid);
  });

  it('returns the public fields only, even when the stored public JWK carries more', async () => {
    const pair = generateSigningKeyPair();
    const tampered = { ...pair, publicJwk: { ...pair.publicJwk, d: pair.privateJwk.d, note: 'copied by hand' } };
    const { mock, handler } = secretsMock();
    mock.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify(tampered) });
    const response = await handler(event('Update', SECRET_ARN));
    assert.deepEqual(JSON.parse(response.Data!.PublicJwk), pair.publicJwk);
    assert.doesNotMatch(JSON.stringify(response), new RegExp(pair.privateJwk.d));
  });

  it('Delete sends nothing to Secrets Manager (the secret has its own removal policy)', async (t) => {
    captureConsole(t);
    const { mock, handler } = secretsMock();
    const response = await handler(event('Delete', SECRET_ARN));
    assert.equal(mock.calls().length, 0);
    assert.deepEqual(response, { PhysicalResourceId: SECRET_ARN });
  });

  it('error flow: a GetSecretValue error propagates, so the deploy fails rather than inventing a key', async (t) => {
    captureConsole(t);
    const { mock, handler } = secretsMock();
    mock.on(GetSecretValueCommand).rejects(new ResourceNotFoundException({ message: 'Secrets Manager can\'t find the specified secret.', $metadata: {} }));
    await assert.rejects(handler(event('Create')), ResourceNotFoundException);
    assert.equal(mock.commandCalls(PutSecretValueCommand).length, 0);
  });

  it('error flow: a PutSecretValue error propagates and no key is returned', async (t) => {
    captureConsole(t);
    const { mock, handler } = secretsMock();
    mock.on(GetSecretValueCommand).resolves({ SecretString: INITIAL_RANDOM_VALUE });
    mock.on(PutSecretValueCommand).rejects(new Error('AccessDeniedException'));
    await assert.rejects(handler(event('Create')), /AccessDeniedException/);
  });

  it('error flow: a missing SecretId is refused before any call', async () => {
    const { mock, handler } = secretsMock();
    await assert.rejects(handler({ RequestType: 'Create', ResourceProperties: {} }), /ResourceProperties\.SecretId must be the secret's ARN or name; received undefined/);
    assert.equal(mock.calls().length, 0);
  });
});

const PROPS: SigningKeyProps = { environmentName: 'dev', secretName: 'appapi/dev/signing-key' };

function signingKeyStack(props: Partial<SigningKeyProps> = {}, app = newApp()): { stack: Stack; signingKey: SigningKey; template: Template } {
  const stack = new Stack(app, 'SigningKeyTest');
  const signingKey = new SigningKey(stack, 'SigningKey', { ...PROPS, ...props });
  return { stack, signingKey, template: Template.fromStack(stack) };
}

interface Statement {
  readonly Sid?: string;
  readonly Action: string | string[];
  readonly Resource: unknown;
}

/** Every IAM statement of the template: roles' inline policies and any AWS::IAM::Policy. */
function allStatements(template: Template): Statement[] {
  const roles = Object.values(template.findResources('AWS::IAM::Role')) as Array<{ Properties: { Policies?: Array<{ PolicyDocument: { Statement: Statement[] } }> } }>;
  const policies = Object.values(template.findResources('AWS::IAM::Policy')) as Array<{ Properties: { PolicyDocument: { Statement: Statement[] } } }>;
  return [...roles.flatMap((role) => (role.Properties.Policies ?? []).flatMap((p) => p.PolicyDocument.Statement)), ...policies.flatMap((p) => p.Properties.PolicyDocument.Statement)];
}

const actions = (statement: Statement): string[] => [statement.Action].flat();

describe('SigningKey', () => {
  const { stack, signingKey, template } = signingKeyStack();
  const secretLogicalId = stack.getLogicalId(signingKey.secret.node.defaultChild as secretsmanager.CfnSecret);

  it('creates the secret under the given name with a random initial value, retained by default', () => {
    template.resourceCountIs('AWS::SecretsManager::Secret', 1);
    template.hasResource('AWS::SecretsManager::Secret', {
      Properties: { Name: 'appapi/dev/signing-key', Description: Match.stringLikeRegexp('environment dev'), GenerateSecretString: {} },
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
  });

  it('applies the given removal policy to the secret', () => {
    signingKeyStack({ removalPolicy: RemovalPolicy.DESTROY }).template.hasResource('AWS::SecretsManager::Secret', { DeletionPolicy: 'Delete' });
  });

  it('declares one custom resource on the secret, whose attributes are the public JWK and the kid', () => {
    template.resourceCountIs('Custom::AppApiSigningKey', 1);
    template.hasResourceProperties('Custom::AppApiSigningKey', { SecretId: { Ref: secretLogicalId }, ServiceToken: Match.anyValue() });
    const [customResourceId] = Object.keys(template.findResources('Custom::AppApiSigningKey'));
    assert.deepEqual(stack.resolve(signingKey.publicJwk), { 'Fn::GetAtt': [customResourceId, 'PublicJwk'] });
    assert.deepEqual(stack.resolve(signingKey.kid), { 'Fn::GetAtt': [customResourceId, 'Kid'] });
  });

  it('runs the onEvent Lambda on nodejs22.x/arm64 from a bundle holding only its code', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs22.x',
      Architectures: ['arm64'],
      Handler: 'signing-key.handler',
      LoggingConfig: { LogGroup: Match.anyValue() },
    });
    assert.deepEqual(readdirSync(lambdaAssetDirectory('signingKey')).sort(), ['signing-key.js', 'signing-key.js.map']);
  });

  it('gives the onEvent role GetSecretValue and PutSecretValue on that one secret, its own logs, and nothing else', () => {
    const functionRole = (Object.values(template.findResources('AWS::Lambda::Function', { Properties: { Handler: 'signing-key.handler' } }))[0] as { Properties: { Role: { 'Fn::GetAtt': [string, string] } } })
      .Properties.Role['Fn::GetAtt'][0];
    const role = template.toJSON().Resources[functionRole] as { Properties: { Policies: Array<{ PolicyDocument: { Statement: Statement[] } }>; ManagedPolicyArns?: unknown } };
    assert.equal(role.Properties.ManagedPolicyArns, undefined);
    const statements = role.Properties.Policies.flatMap((p) => p.PolicyDocument.Statement);
    assert.deepEqual(
      statements.map((s) => [s.Sid, actions(s)]),
      [
        ['WriteOwnLogs', ['logs:CreateLogStream', 'logs:PutLogEvents']],
        ['ReadAndFillSigningKey', ['secretsmanager:GetSecretValue', 'secretsmanager:PutSecretValue']],
      ],
    );
    assert.deepEqual(statements[1]!.Resource, { Ref: secretLogicalId });
  });

  it('grants no other Secrets Manager access anywhere, and no wildcard resource', () => {
    const statements = allStatements(template);
    const secrets = statements.filter((s) => actions(s).some((action) => action.startsWith('secretsmanager:')));
    assert.equal(secrets.length, 1);
    assert.ok(statements.every((s) => [s.Resource].flat().every((resource) => resource !== '*')), JSON.stringify(statements));
    assert.doesNotMatch(JSON.stringify(statements), /:\*"|"\*"/);
    template.resourceCountIs('AWS::IAM::Policy', 0);
  });

  it('gives the provider framework a role of its own: invoking the onEvent Lambda and writing its logs, no managed policy', () => {
    const roles = Object.values(template.findResources('AWS::IAM::Role')) as Array<{ Properties: { ManagedPolicyArns?: unknown } }>;
    assert.equal(roles.length, 2);
    assert.ok(roles.every((role) => role.Properties.ManagedPolicyArns === undefined));
    const invoke = allStatements(template).find((s) => s.Sid === 'InvokeSigningKeyFunction');
    assert.deepEqual(invoke && actions(invoke), ['lambda:GetFunction', 'lambda:InvokeFunction']);
    template.resourceCountIs('AWS::Lambda::Function', 2);
    template.resourceCountIs('AWS::Lambda::Permission', 0);
    for (const logGroup of Object.values(template.findResources('AWS::Logs::LogGroup'))) assert.equal(logGroup.Properties.RetentionInDays, 30);
    template.resourceCountIs('AWS::Logs::LogGroup', 2);
  });

  it('leaves cdk-nag (AwsSolutions) only the findings the environment acknowledges: L1 (nodejs22.x) and SMG4 (no rotation schedule)', () => {
    const app = newApp();
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    const nagged = new Stack(app, 'SigningKeyTest');
    const key = new SigningKey(nagged, 'SigningKey', PROPS);
    // as lib/constructs/nag-acknowledgements.ts acknowledges them for an environment stack
    Validations.of(nagged).acknowledge({ id: 'AwsSolutions::AwsSolutions-L1', reason: 'test' });
    Validations.of(key.secret).acknowledge({ id: 'AwsSolutions::AwsSolutions-SMG4', reason: 'test' });
    const { violations, acknowledged } = validationFindings(app.synth().directory);
    assert.deepEqual(violations, []);
    assert.deepEqual([...new Set(acknowledged.map((finding) => finding.ruleName))].sort(), ['AwsSolutions-L1', 'AwsSolutions-SMG4']);
  });

  describe('validation', () => {
    for (const [secretName, why] of [
      ['', 'empty'],
      ['appapi/dev/signing key', 'a space'],
      ['appapi/dev/signing-key!', 'an exclamation mark'],
      ['appapi/dév/signing-key', 'a non-ASCII letter'],
      ['a'.repeat(513), 'longer than 512 characters'],
    ]) {
      it(`error flow: refuses a secretName with ${why}, saying what Secrets Manager accepts`, () => {
        assert.throws(
          () => signingKeyStack({ secretName: secretName! }),
          /SigningKey "SigningKey": secretName ".*" is not a Secrets Manager name; use 1 to 512 ASCII letters, digits and the characters \/_\+=\.@- \(e\.g\. "appapi\/dev\/signing-key"\)\./,
        );
      });
    }

    it('error flow: refuses an empty environmentName', () => {
      assert.throws(() => signingKeyStack({ environmentName: ' ' }), /SigningKey "SigningKey": environmentName is " "; pass the environment's name, e\.g\. "dev"\./);
    });

    it('warns (appapi:secretNameSuffix) about a name ending like an ARN suffix, suggesting another ending', () => {
      const { stack: warned } = signingKeyStack({ secretName: 'appapi/dev/signing-secret' });
      Annotations.fromStack(warned).hasWarning('/SigningKeyTest/SigningKey', Match.stringLikeRegexp('ends with "-" and six characters.*e\\.g\\. "appapi/dev/signing/secret"'));
      Annotations.fromStack(stack).hasNoWarning('*', Match.anyValue());
    });
  });
});
