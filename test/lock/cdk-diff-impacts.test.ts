// Shares a process: cli (its commands get the file's own tables and data folder; its AWS mocks are restored in after; see scripts/run-tests.ts)
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { App, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { resourceImpacts, statefulImpacts } from '../../lib/lock/cdk-diff-impacts';
import { validateTemplatesThroughCache } from '../support/cfn-validate-cache';
import { temporaryFolder } from '../support/temporary-folder';

validateTemplatesThroughCache();

const ROOT = join(__dirname, '..', '..');

/** A stack as it was deployed (old) and as declared now (new), synthesized to cloud assemblies. */
function assemblies(): { oldTemplate: string; newAssembly: string } {
  const folder = temporaryFolder('appapi-diff-');
  const build = (outdir: string, current: boolean) => {
    const app = new App({ outdir });
    const stack = new Stack(app, 'Demo');
    const key = { partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING } };
    new dynamodb.Table(stack, 'Customers', { ...key, tableName: current ? 'appapi-dev-clients' : 'appapi-dev-customers', removalPolicy: RemovalPolicy.DESTROY });
    new dynamodb.Table(stack, 'Orders', { ...key, tableName: 'appapi-dev-orders', removalPolicy: RemovalPolicy.DESTROY, ...(current ? { timeToLiveAttribute: 'expiresAt' } : {}) });
    if (!current) new dynamodb.Table(stack, 'Kept', { ...key, tableName: 'appapi-prod-kept', removalPolicy: RemovalPolicy.RETAIN });
    if (!current) new secretsmanager.Secret(stack, 'SigningKey', { secretName: 'appapi/dev/signing-key' });
    app.synth();
  };
  build(join(folder, 'old'), false);
  build(join(folder, 'new'), true);
  return { oldTemplate: join(folder, 'old', 'Demo.template.json'), newAssembly: join(folder, 'new') };
}

describe('cdk diff impacts', () => {
  it('reads replacement, deletion and orphaning of tables and secrets from the real cdk diff output', () => {
    const { oldTemplate, newAssembly } = assemblies();
    // cdk diff --template compares with a template file: no AWS account needed. The project's own
    // aws-cdk, as `npx cdk` runs it, without npm's start-up (about 0.9 s of CPU)
    const run = spawnSync(process.execPath, [require.resolve('aws-cdk/bin/cdk'), 'diff', '--app', newAssembly, '--template', oldTemplate, 'Demo', '--no-notices', '--no-color'], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
    const output = `${run.stdout}${run.stderr}`;
    assert.equal(run.status, 0, output);
    const impacts = statefulImpacts(output).sort((a, b) => a.logicalId.localeCompare(b.logicalId));
    assert.deepEqual(
      impacts.map(({ type, logicalId, impact }) => ({ type, logicalId: logicalId.replace(/[0-9A-F]{8}$/, ''), impact })),
      [
        { type: 'AWS::DynamoDB::Table', logicalId: 'Customers', impact: 'replace' },
        { type: 'AWS::DynamoDB::Table', logicalId: 'Kept', impact: 'orphan' },
        { type: 'AWS::SecretsManager::Secret', logicalId: 'SigningKey', impact: 'destroy' },
      ],
      `an in-place update (Orders' TTL) is not an impact; the diff was:\n${output}`,
    );
  });

  it('strips colors and "move" hints, keeps the construct path, and ignores property lines', () => {
    const colored = '\u001b[33m[~]\u001b[39m \u001b[36mAWS::DynamoDB::Table\u001b[39m Booking/Customers/Table \u001b[90mBookingCustomersTableE3A23D58\u001b[39m \u001b[3m\u001b[1m\u001b[31mreplace\u001b[39m\u001b[22m\u001b[23m\n └─ [~] TableName (requires replacement)\n[+] AWS::DynamoDB::Table New NewTable1 \n[-] AWS::DynamoDB::Table Old1 destroy (OR move to Other.Old1 via refactoring)\n[~] AWS::Lambda::Function Fn Fn1 may be replaced';
    assert.deepEqual(resourceImpacts(colored), [
      { type: 'AWS::DynamoDB::Table', logicalId: 'BookingCustomersTableE3A23D58', path: 'Booking/Customers/Table', impact: 'replace' },
      { type: 'AWS::DynamoDB::Table', logicalId: 'Old1', impact: 'destroy' },
      { type: 'AWS::Lambda::Function', logicalId: 'Fn1', path: 'Fn', impact: 'may be replaced' },
    ]);
    assert.equal(statefulImpacts(colored).length, 2, 'a Lambda function is not stateful');
  });
});
