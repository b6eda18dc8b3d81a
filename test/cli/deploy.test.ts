// Shares a process: cli (its commands get the file's own tables and data folder; its AWS mocks are restored in after; see scripts/run-tests.ts)
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import { APIGatewayClient, CreateDeploymentCommand } from '@aws-sdk/client-api-gateway';
import { CloudFormationClient, DescribeStacksCommand, type Output } from '@aws-sdk/client-cloudformation';
import { mockClient, type AwsClientStub } from 'aws-sdk-client-mock';
import { cdkProcess } from '../../lib/cli/cdk-process';
import type { DeployDeps } from '../../lib/cli/deploy-command';
import { runCli } from '../../lib/cli/main';
import { AirDataModel, ApiApp, field, type AppDeclaration } from '../../lib';
import { declareBooking } from '../../lib/apps/booking';
import { readLockFile } from '../../lib/lock/lock-file';
import { temporaryFolder } from '../support/temporary-folder';

// CloudFormation and API Gateway's management API have no local emulator, so the SDK calls are
// checked against aws-sdk-client-mock; the cdk subprocess is a recording stand-in (cdk diff's
// output format is checked against the real cdk in test/lock/cdk-diff-impacts.test.ts).
const context = { 'appapi:environments': [{ name: 'dev', account: '111111111111', region: 'eu-west-1' }, 'prod'] };
const outputs: Output[] = [
  { OutputKey: 'RestApiId', OutputValue: 'a1b2c3d4e5' },
  { OutputKey: 'StageName', OutputValue: 'dev' },
];

describe('appapi deploy', () => {
  // no AWS account: the AWS calls are mocked, for this suite only (installed in before, restored in
  // after), since other files of the same process (`// Shares a process:`) may mock the same clients
  let cloudFormation: AwsClientStub<CloudFormationClient>;
  let apiGateway: AwsClientStub<APIGatewayClient>;
  before(() => {
    cloudFormation = mockClient(CloudFormationClient);
    apiGateway = mockClient(APIGatewayClient);
  });
  after(() => {
    cloudFormation.restore();
    apiGateway.restore();
  });
  let steps: string[];
  let cdkCalls: string[][];
  let cdkExitCode: number;
  let synthExitCode: number;
  /** The cloud assembly folder a cdk call names (--output for synth, --app for diff and deploy). */
  const assemblyOf = (args: readonly string[]): string => args[args.findIndex((arg) => arg === '--output' || arg === '--app') + 1]!;
  let diffOutput: string;
  let lockFile: string;
  let apps: readonly AppDeclaration[] | undefined;
  let regions: Array<string | undefined>;
  let lines: { out: string[]; err: string[] };

  const deps: DeployDeps = {
    context,
    now: () => new Date('2030-01-02T03:04:05.000Z'),
    get lockFile() {
      return lockFile;
    },
    get apps() {
      return apps;
    },
    runCdk: async (args) => {
      cdkCalls.push([...args]);
      steps.push(`cdk ${args[0]}`);
      if (args[0] === 'synth') {
        assert.ok(existsSync(assemblyOf(args)), 'cdk synth writes into a folder that exists');
        return synthExitCode;
      }
      assert.ok(existsSync(assemblyOf(args)), 'cdk deploy runs while the assembly exists');
      return cdkExitCode;
    },
    diffCdk: async (args) => {
      cdkCalls.push([...args]);
      assert.ok(existsSync(assemblyOf(args)), 'cdk diff runs while the assembly exists');
      steps.push('cdk diff');
      return { code: 0, output: diffOutput };
    },
    openClients: (region) => {
      regions.push(region);
      return { cloudFormation: new CloudFormationClient({ region: region ?? 'us-east-1' }), apiGateway: new APIGatewayClient({ region: region ?? 'us-east-1' }) };
    },
  };
  const deploy = (...argv: string[]) => runCli(['deploy', ...argv], { out: (line) => lines.out.push(line), err: (line) => lines.err.push(line) }, { deploy: deps });

  beforeEach(() => {
    cloudFormation.reset();
    apiGateway.reset();
    steps = [];
    cdkCalls = [];
    cdkExitCode = 0;
    synthExitCode = 0;
    diffOutput = 'Stack AppApi-dev\nThere were no differences\n';
    lockFile = join(temporaryFolder('appapi-lock-'), 'appapi.lock.json');
    copyFileSync(join(__dirname, '..', '..', 'appapi.lock.json'), lockFile);
    apps = undefined;
    regions = [];
    lines = { out: [], err: [] };
    cloudFormation.on(DescribeStacksCommand).callsFake(() => {
      steps.push('describe stack');
      return { Stacks: [{ StackName: 'AppApi-dev', StackStatus: 'UPDATE_COMPLETE', CreationTime: new Date(), Outputs: outputs }] };
    });
    apiGateway.on(CreateDeploymentCommand).callsFake(() => {
      steps.push('create deployment');
      return { id: 'dep123' };
    });
  });

  it('happy flow: cdk deploy of the environment first, then a fresh deployment of the stage read from the stack outputs', async () => {
    assert.equal(await deploy('--env', 'dev', '--require-approval', 'never'), 0);
    assert.deepEqual(steps, ['cdk synth', 'cdk diff', 'cdk deploy', 'describe stack', 'create deployment']);
    const assembly = assemblyOf(cdkCalls[0]!);
    assert.deepEqual(cdkCalls, [
      ['synth', 'AppApi-dev', '--no-notices', '--quiet', '--output', assembly],
      ['diff', 'AppApi-dev', '--app', assembly, '--no-notices', '--no-color'],
      ['deploy', 'AppApi-dev', '--app', assembly, '--no-notices', '--require-approval', 'never'],
    ], 'one synthesis: cdk diff checks exactly what cdk deploy deploys');
    assert.ok(!existsSync(assembly), 'the cloud assembly is removed afterwards');
    assert.deepEqual(regions, ['eu-west-1'], 'the SDK clients use the environment\'s region from cdk.json');
    assert.deepEqual(cloudFormation.commandCalls(DescribeStacksCommand).map((call) => call.args[0].input), [{ StackName: 'AppApi-dev' }]);
    assert.deepEqual(apiGateway.commandCalls(CreateDeploymentCommand).map((call) => call.args[0].input), [
      { restApiId: 'a1b2c3d4e5', stageName: 'dev', description: 'appapi deploy of dev at 2030-01-02T03:04:05.000Z: the REST API as declared, after the stack update' },
    ]);
    assert.match(lines.out.join('\n'), /Deploying AppApi-dev to 111111111111 \/ eu-west-1 with cdk deploy/);
    assert.match(lines.out.join('\n'), /Stage dev of REST API a1b2c3d4e5 now serves deployment dep123/);
  });

  it('passes every argument after -- to cdk as given, and --env=ENV works too', async () => {
    assert.equal(await deploy('--env=prod', '--', '--env', 'x', '--hotswap'), 0);
    assert.deepEqual(cdkCalls.at(-1), ['deploy', 'AppApi-prod', '--app', assemblyOf(cdkCalls.at(-1)!), '--no-notices', '--env', 'x', '--hotswap']);
    assert.deepEqual(regions, [undefined], 'no region in cdk.json: the default credential chain decides');
  });

  it('error flow: a failed cdk deploy creates no deployment, calls no AWS API and exits non-zero', async () => {
    cdkExitCode = 1;
    const lockBefore = readFileSync(lockFile, 'utf8');
    assert.equal(await deploy('--env', 'dev'), 1);
    assert.deepEqual(steps, ['cdk synth', 'cdk diff', 'cdk deploy']);
    assert.equal(readFileSync(lockFile, 'utf8'), lockBefore, 'a failed deploy records nothing in the lock');
    assert.equal(cloudFormation.calls().length + apiGateway.calls().length, 0);
    assert.deepEqual(regions, []);
    assert.match(lines.err.join('\n'), /cdk deploy AppApi-dev failed \(exit code 1\); the stage was not redeployed/);
  });

  it('error flow: a failed cdk synth runs neither diff nor deploy, and leaves no assembly behind', async () => {
    synthExitCode = 2;
    assert.equal(await deploy('--env', 'dev'), 1);
    assert.deepEqual(steps, ['cdk synth']);
    assert.ok(!existsSync(assemblyOf(cdkCalls[0]!)));
    assert.match(lines.err.join('\n'), /cdk synth AppApi-dev failed \(exit code 2\); nothing was deployed/);
  });

  it('the caller\'s --context goes to the synthesis, --profile to synth, diff and deploy, everything else to deploy', async () => {
    assert.equal(await deploy('--env', 'dev', '--profile', 'ops', '--context', 'flag=1', '-c', 'other=2', '--context=third=3', '--require-approval', 'never'), 0);
    const [synth, diff, deployed] = cdkCalls;
    assert.deepEqual(synth!.slice(6), ['--profile', 'ops', '--context', 'flag=1', '-c', 'other=2', '--context=third=3']);
    assert.deepEqual(diff!.slice(6), ['--profile', 'ops']);
    assert.deepEqual(deployed!.slice(5), ['--profile', 'ops', '--require-approval', 'never']);
  });

  it('error flow: a stack without the RestApiId/StageName outputs is a clear error, and no deployment is made', async () => {
    cloudFormation.on(DescribeStacksCommand).resolves({ Stacks: [{ StackName: 'AppApi-dev', StackStatus: 'UPDATE_COMPLETE', CreationTime: new Date(), Outputs: [outputs[1]!] }] });
    assert.equal(await deploy('--env', 'dev'), 1);
    assert.equal(apiGateway.commandCalls(CreateDeploymentCommand).length, 0);
    assert.match(lines.err.join('\n'), /Stack AppApi-dev in eu-west-1 has no output RestApiId, so its stage cannot be redeployed/);
  });

  it('error flow: a stack missing from the region is a clear error naming the region', async () => {
    cloudFormation.on(DescribeStacksCommand).rejects(Object.assign(new Error('Stack with id AppApi-dev does not exist'), { name: 'ValidationError' }));
    assert.equal(await deploy('--env', 'dev'), 1);
    assert.equal(apiGateway.commandCalls(CreateDeploymentCommand).length, 0);
    assert.match(lines.err.join('\n'), /Stack AppApi-dev does not exist in eu-west-1: .*give the environment its "region"/);
  });

  it('error flow: a stack still cleaning up is not redeployed (its removed methods may still exist)', async () => {
    cloudFormation.on(DescribeStacksCommand).resolves({ Stacks: [{ StackName: 'AppApi-dev', StackStatus: 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS', CreationTime: new Date(), Outputs: outputs }] });
    assert.equal(await deploy('--env', 'dev'), 1);
    assert.equal(apiGateway.commandCalls(CreateDeploymentCommand).length, 0);
    assert.match(lines.err.join('\n'), /is UPDATE_COMPLETE_CLEANUP_IN_PROGRESS; wait until it is complete/);
  });

  it('error flow: a failed CreateDeployment says the stack is deployed and how to redeploy the stage by hand', async () => {
    apiGateway.on(CreateDeploymentCommand).rejects(Object.assign(new Error('Too Many Requests'), { name: 'TooManyRequestsException' }));
    assert.equal(await deploy('--env', 'dev'), 1);
    assert.match(lines.err.join('\n'), /cdk deploy AppApi-dev succeeded, but the fresh deployment of stage dev failed: Too Many Requests\..*aws apigateway create-deployment --rest-api-id a1b2c3d4e5 --stage-name dev --region eu-west-1/);
  });

  it('error flow: no --env is a usage error (exit 2), an unknown environment exits 1; neither runs cdk', async () => {
    assert.equal(await deploy(), 2);
    assert.match(lines.err.join('\n'), /deploy needs --env/);
    assert.equal(await deploy('--env', 'qa'), 1);
    assert.match(lines.err.join('\n'), /Unknown environment "qa"\. cdk\.json declares: dev, prod\./);
    assert.deepEqual(cdkCalls, []);
  });

  it('refuses, before any cdk or AWS call, what the lock check refuses: a renamed model, two new indexes, changed index keys', async () => {
    const customers =
      (id: string, indexes: Record<string, { partitionKey: string; sortKey?: string }>): AppDeclaration =>
      (environment) =>
        void new AirDataModel(new ApiApp(environment, 'Booking'), id, { fields: { name: field.text(), email: field.email({ unique: true }), phone: field.phone({ optional: true }) }, indexes });
    const cases: Array<[AppDeclaration, RegExp]> = [
      [customers('Clients', { byEmail: { partitionKey: 'email' } }), /dev: model Customers \(table appapi-dev-customers\) is no longer declared.*modelName: 'Clients', tableName: 'customers'/],
      [customers('Customers', { byEmail: { partitionKey: 'email' }, byName: { partitionKey: 'name' }, byPhone: { partitionKey: 'phone' } }), /dev: model Customers .* would add byName, add byPhone in one deploy.*split it across 2 deploys/],
      [customers('Customers', { byEmail: { partitionKey: 'name' } }), /dev: index byEmail of model Customers .* changes its keys from email \(S\) to name \(S\)/],
    ];
    for (const [declaration, message] of cases) {
      apps = [declaration];
      lines.err = [];
      assert.equal(await deploy('--env', 'dev'), 1);
      assert.match(lines.err.join('\n'), /Refusing to deploy AppApi-dev; nothing was deployed/);
      assert.match(lines.err.join('\n'), message);
    }
    assert.deepEqual(cdkCalls, [], 'neither cdk diff nor cdk deploy ran');
    assert.equal(cloudFormation.calls().length + apiGateway.calls().length, 0);
  });

  it('refuses what cdk diff says would replace, delete or orphan a table or the signing key, unless --allow-data-loss names it', async () => {
    const logicalIds = readLockFile(lockFile)!.environments.dev!;
    const customersTable = logicalIds.models.Customers!.logicalId;
    const signingKey = logicalIds.secrets.SigningKey!.logicalId;
    const journeys = logicalIds.tables.Journeys!.logicalId;
    const verdicts: Array<[string, RegExp]> = [
      [`[~] AWS::DynamoDB::Table Booking/Customers/Table ${customersTable} replace\n └─ [~] TableName (requires replacement)`, /dev: cdk diff says the table of Customers \(BookingCustomersTable\w+\) would be replaced by a new, empty one: dev would lose its items\..*--allow-data-loss Customers/],
      [`[-] AWS::DynamoDB::Table ${journeys} destroy`, /dev: cdk diff says the table of Journeys .* would be deleted/],
      [`[-] AWS::DynamoDB::Table ${journeys} orphan`, /table of Journeys .* would leave the stack \(orphaned, kept in the account\)/],
      [`[~] AWS::SecretsManager::Secret SigningKey/Default ${signingKey} replace`, /secret SigningKey \(SigningKey\w+\) would be replaced by a new, empty one: every API token of dev would stop working/],
    ];
    for (const [diff, message] of verdicts) {
      diffOutput = `Stack AppApi-dev\nResources\n${diff}\n[~] AWS::Lambda::Function Booking/Health Fn1 may be replaced\n`;
      lines.err = [];
      steps = [];
      assert.equal(await deploy('--env', 'dev'), 1);
      assert.match(lines.err.join('\n'), message);
      assert.deepEqual(steps, ['cdk synth', 'cdk diff'], 'nothing deployed');
    }
    diffOutput = `Stack AppApi-dev\nResources\n[~] AWS::DynamoDB::Table Booking/Customers/Table ${customersTable} replace\n`;
    cdkCalls = [];
    steps = [];
    assert.equal(await deploy('--env', 'dev', '--allow-data-loss', 'Customers'), 0);
    assert.deepEqual(steps, ['cdk synth', 'cdk diff', 'cdk deploy', 'describe stack', 'create deployment']);
    const accepted = ['--context', 'appapi:allowDataLoss={"dev":["Customers"]}'];
    const assembly = assemblyOf(cdkCalls[0]!);
    assert.deepEqual(cdkCalls, [
      ['synth', 'AppApi-dev', '--no-notices', '--quiet', '--output', assembly, ...accepted],
      ['diff', 'AppApi-dev', '--app', assembly, '--no-notices', '--no-color'],
      ['deploy', 'AppApi-dev', '--app', assembly, '--no-notices'],
    ], 'the one synthesis that diff checks and deploy deploys gets the acceptance');
  });

  it('records the deployed tables in the lock after a deploy, and says which backfill a newly unique field needs', async () => {
    const lock = readLockFile(lockFile)!;
    const customers = lock.environments.dev!.models.Customers!;
    // as deployed before email became unique
    const { writeFileSync } = await import('node:fs');
    writeFileSync(lockFile, JSON.stringify({ ...lock, environments: { ...lock.environments, dev: { ...lock.environments.dev!, models: { Customers: { ...customers, unique: [] } } } } }));
    apps = [declareBooking];
    assert.equal(await deploy('--env', 'dev'), 0);
    assert.match(lines.out.join('\n'), /Next: dev: Customers.email becomes unique.*run: appapi migrate unique Customers email --env dev/);
    assert.deepEqual(readLockFile(lockFile)!.environments.dev!.models.Customers!.unique, ['email'], 'the lock now records what was deployed');
    assert.deepEqual(readLockFile(lockFile)!.environments.prod, lock.environments.prod, 'other environments are left as they were');
  });

  it('--help describes the command and what cdk destroy keeps and loses', async () => {
    assert.equal(await deploy('--help'), 0);
    const help = lines.out.join('\n');
    assert.match(help, /appapi deploy --env ENV/);
    assert.match(help, /cdk destroy AppApi-ENV keeps prod's tables and signing-key secret; in any\s+other environment it deletes them, and every token issued there stops working/);
    assert.deepEqual(cdkCalls, []);
  });
});

describe('the cdk subprocess', () => {
  it('runs the command in the project folder with the arguments as given and resolves to its exit code', async () => {
    const record = join(temporaryFolder('appapi-cdk-'), 'args.json');
    const script = `require('fs').writeFileSync(${JSON.stringify(record)}, JSON.stringify({ args: process.argv.slice(1), cwd: process.cwd() })); process.exit(process.argv.includes('fail') ? 3 : 0)`;
    const fakeCdk = cdkProcess({ command: process.execPath, commandArgs: ['-e', script, '--'] });
    assert.equal(await fakeCdk(['deploy', 'AppApi-dev', '--no-notices']), 0);
    const { args, cwd } = JSON.parse(readFileSync(record, 'utf8'));
    assert.deepEqual(args, ['deploy', 'AppApi-dev', '--no-notices']);
    assert.equal(cwd, join(__dirname, '..', '..'));
    assert.equal(await fakeCdk(['deploy', 'fail']), 3);
  });

  it('error flow: a command that cannot start rejects with how to fix it', async () => {
    await assert.rejects(cdkProcess({ command: join(tmpdir(), 'no-such-cdk-binary') })(['deploy']), /Could not start .*no-such-cdk-binary cdk: .*Run npm install/);
  });
});
