import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import type { APIGatewayClient } from '@aws-sdk/client-api-gateway';
import type { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import type { AppDeclaration } from '../constructs/app-api-stack';
import { findEnvironmentTarget, loadEnvironment, projectContext, stackName } from '../environments';
import { ALLOW_DATA_LOSS_CONTEXT, parseAllowDataLoss } from '../lock/allow-data-loss';
import { statefulImpacts } from '../lock/cdk-diff-impacts';
import { snapshotEnvironment } from '../lock/environment-snapshot';
import { PROJECT_LOCK_FILE, readLockFile, writeLockEnvironments } from '../lock/lock-file';
import type { CdkCapture, CdkRunner } from './cdk-process';
import { UsageError, type CommandIo } from './io';
import { DeployError, readDeployedStage, redeployStage } from './stage-redeploy';
import { lockFindings, namesByLogicalId, refusedImpacts } from './stateful-deploy-check';

export const DEPLOY_USAGE = `  appapi deploy --env ENV [--allow-data-loss NAME]... [cdk deploy options, e.g. --require-approval never]
      Synthesizes once, then checks the environment's tables and secrets against appapi.lock.json
      and against cdk diff of that synthesis, and refuses a deploy that would replace or delete one
      unless --allow-data-loss (or cdk.json's "appapi:allowDataLoss") names it; then cdk deploy of
      the same synthesis (AppApi-ENV and the AppApi-account stack it depends on), a fresh
      deployment of the stage, so routes removed by this deploy stop
      answering at once, and the deployed tables and secrets recorded in appapi.lock.json.
      Destroying: npx cdk destroy AppApi-ENV keeps prod's tables and signing-key secret; in any
      other environment it deletes them, and every token issued there stops working for good
      (see README, "Destroy and recreate").`;

export interface DeployClients {
  readonly cloudFormation: CloudFormationClient;
  readonly apiGateway: APIGatewayClient;
}

export interface DeployDeps {
  /** Runs `cdk` with the given arguments (the real CLI, or a test's stand-in). */
  readonly runCdk: CdkRunner;
  /** Runs `cdk diff`, keeping what it prints. */
  readonly diffCdk: CdkCapture;
  /** @default - the apps of lib/apps */
  readonly apps?: readonly AppDeclaration[];
  /** @default - the project's appapi.lock.json */
  readonly lockFile?: string;
  /** SDK clients for the environment's region (undefined: the default credential chain's). */
  readonly openClients: (region: string | undefined) => DeployClients;
  /** @default - cdk.json's context */
  readonly context?: Record<string, unknown>;
  /** @default () => new Date() */
  readonly now?: () => Date;
}

/**
 * `cdk deploy` of one environment, then a new deployment of its stage. CloudFormation takes the
 * stack's own API Gateway Deployment before it deletes the methods an update removed, so without
 * the second step a removed route would keep answering (into its deleted function) until the next
 * deploy. Nothing is redeployed unless `cdk deploy` succeeded.
 */
export async function deployCommand(argv: readonly string[], io: CommandIo, deps: DeployDeps): Promise<number> {
  const { env, help, cdkArgs, allowed } = parseDeployArgs(argv);
  if (help) {
    io.out(`Usage:\n${DEPLOY_USAGE}`);
    return 0;
  }
  const context = deps.context ?? projectContext();
  const target = findEnvironmentTarget(env, context);
  const stack = stackName(env);
  const lockFile = deps.lockFile ?? PROJECT_LOCK_FILE;

  // 1. what appapi.lock.json records as deployed, against the declarations: offline, before any AWS call
  const fromContext = parseAllowDataLoss(context[ALLOW_DATA_LOSS_CONTEXT]);
  const allowDataLoss = [...(fromContext[env] ?? []), ...allowed];
  const current = snapshotEnvironment(loadEnvironment(env, deps.apps));
  const locked = readLockFile(lockFile)?.environments[env];
  const findings = lockFindings(env, locked, current, allowDataLoss);
  const errors = findings.filter((finding) => finding.severity === 'error');
  if (errors.length > 0) throw new DeployError(`Refusing to deploy ${stack}; nothing was deployed:\n${errors.map((finding) => `- ${finding.message}`).join('\n')}`);
  const backfills = findings.filter((finding) => finding.severity === 'warning');
  for (const finding of backfills) io.out(`Note: ${finding.message}`);

  // 2. one synth, into a cloud assembly of this deploy's own: cdk diff checks exactly the templates
  // cdk deploy then deploys (`--app <assembly>` skips synthesis), even if files change in between
  const contextArgs = allowed.length > 0 ? ['--context', `${ALLOW_DATA_LOSS_CONTEXT}=${JSON.stringify({ ...fromContext, [env]: allowDataLoss })}`] : [];
  const assembly = mkdtempSync(join(tmpdir(), 'appapi-deploy-'));
  try {
    io.out(`Synthesizing ${stack} once; cdk diff and cdk deploy both use that cloud assembly.`);
    const synthCode = await deps.runCdk(['synth', stack, '--no-notices', '--quiet', '--output', assembly, ...contextArgs, ...synthCdkArgs(cdkArgs)]);
    if (synthCode !== 0) throw new DeployError(`cdk synth ${stack} failed (exit code ${synthCode}); nothing was deployed. Fix the error above and run appapi deploy --env ${env} again.`);
    const fromAssembly = ['--app', assembly];

    // 3. what CloudFormation would do, as cdk diff reports it (a change set against the deployed stack)
    io.out(`Checking what deploying ${stack} would change (cdk diff).`);
    const diff = await deps.diffCdk(['diff', stack, ...fromAssembly, '--no-notices', '--no-color', ...profileArgs(cdkArgs)]);
    if (diff.code !== 0) throw new DeployError(`cdk diff ${stack} failed (exit code ${diff.code}); nothing was deployed. Fix the error above and run appapi deploy --env ${env} again.`);
    const refused = refusedImpacts(env, statefulImpacts(diff.output), namesByLogicalId(locked, current), allowDataLoss);
    if (refused.length > 0) throw new DeployError(`Refusing to deploy ${stack}; nothing was deployed:\n${refused.map((line) => `- ${line}`).join('\n')}`);

    io.out(`Deploying ${stack}${target.account || target.region ? ` to ${[target.account, target.region].filter(Boolean).join(' / ')}` : ''} with cdk deploy.`);
    const code = await deps.runCdk(['deploy', stack, ...fromAssembly, '--no-notices', ...withoutContext(cdkArgs)]);
    if (code !== 0) throw new DeployError(`cdk deploy ${stack} failed (exit code ${code}); the stage was not redeployed. Fix the error above and run appapi deploy --env ${env} again.`);
  } finally {
    rmSync(assembly, { recursive: true, force: true });
  }
  writeLockEnvironments({ [env]: current }, lockFile);
  io.out(`Recorded the tables and secrets of ${env} in ${relative(process.cwd(), lockFile) || lockFile}: commit it, so the next deploy is checked against what is deployed now.`);
  for (const finding of backfills) io.out(`Next: ${finding.message}`);

  const clients = deps.openClients(target.region);
  try {
    const stage = await readDeployedStage(clients.cloudFormation, stack);
    const now = (deps.now ?? (() => new Date()))();
    let deploymentId: string;
    try {
      deploymentId = await redeployStage(clients.apiGateway, stage, `appapi deploy of ${env} at ${now.toISOString()}: the REST API as declared, after the stack update`);
    } catch (error) {
      throw new DeployError(
        `cdk deploy ${stack} succeeded, but the fresh deployment of stage ${stage.stageName} failed: ${(error as Error).message}. Routes removed by this deploy may still answer until it is made: run appapi deploy --env ${env} again, or aws apigateway create-deployment --rest-api-id ${stage.restApiId} --stage-name ${stage.stageName}${target.region ? ` --region ${target.region}` : ''}.`,
      );
    }
    io.out(`Stage ${stage.stageName} of REST API ${stage.restApiId} now serves deployment ${deploymentId}: exactly the declared routes.`);
    return 0;
  } finally {
    clients.cloudFormation.destroy();
    clients.apiGateway.destroy();
  }
}

/** `--env ENV` (or `--env=ENV`) is ours; every other argument goes to `cdk deploy` as given (all of them after `--`). */
function parseDeployArgs(argv: readonly string[]): { env: string; help: boolean; cdkArgs: string[]; allowed: string[] } {
  let env: string | undefined;
  let help = false;
  const cdkArgs: string[] = [];
  const allowed: string[] = [];
  for (let index = 0; index < argv.length; index++) {
    const argument = argv[index]!;
    if (argument === '--') {
      cdkArgs.push(...argv.slice(index + 1));
      break;
    }
    if (argument === '--env') {
      env = argv[++index];
      if (env === undefined || env.startsWith('-')) throw new UsageError('deploy --env needs an environment name, e.g. --env dev.');
    } else if (argument === '--allow-data-loss') {
      const name = argv[++index];
      if (name === undefined || name.startsWith('-')) throw new UsageError('deploy --allow-data-loss needs the model, table or secret whose loss was reviewed, e.g. --allow-data-loss Customers.');
      allowed.push(name);
    } else if (argument.startsWith('--allow-data-loss=')) {
      allowed.push(argument.slice('--allow-data-loss='.length));
    } else if (argument.startsWith('--env=')) {
      env = argument.slice('--env='.length);
    } else if (argument === '--help' || argument === '-h') {
      help = true;
    } else {
      cdkArgs.push(argument);
    }
  }
  if (!help && !env) throw new UsageError('deploy needs --env, e.g. appapi deploy --env dev: deploying is never implied.');
  return { env: env ?? '', help, cdkArgs, allowed };
}

/** The given cdk options among `options` (each with its value, as `--name value` or `--name=value`). */
function pickCdkArgs(cdkArgs: readonly string[], options: readonly string[], keep: boolean): string[] {
  const picked: string[] = [];
  for (let index = 0; index < cdkArgs.length; index++) {
    const argument = cdkArgs[index]!;
    const named = options.includes(argument) && index + 1 < cdkArgs.length;
    const matches = named || options.some((option) => option.startsWith('--') && argument.startsWith(`${option}=`));
    const values = named ? [argument, cdkArgs[++index]!] : [argument];
    if (matches === keep) picked.push(...values);
  }
  return picked;
}

const CONTEXT_OPTIONS = ['--context', '-c'];

/** What synthesis reads of the deploy options: context, and the profile (context lookups use its credentials). */
const synthCdkArgs = (cdkArgs: readonly string[]) => pickCdkArgs(cdkArgs, ['--profile', ...CONTEXT_OPTIONS], true);
/** The credentials cdk diff compares with. */
const profileArgs = (cdkArgs: readonly string[]) => pickCdkArgs(cdkArgs, ['--profile'], true);
/** Context was applied at synthesis; the assembly is deployed as it is. */
const withoutContext = (cdkArgs: readonly string[]) => pickCdkArgs(cdkArgs, CONTEXT_OPTIONS, false);

export { DeployError };
