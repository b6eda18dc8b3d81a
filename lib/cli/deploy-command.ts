import type { APIGatewayClient } from '@aws-sdk/client-api-gateway';
import type { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { findEnvironmentTarget, projectContext, stackName } from '../environments';
import type { CdkRunner } from './cdk-process';
import { UsageError, type CommandIo } from './io';
import { DeployError, readDeployedStage, redeployStage } from './stage-redeploy';

export const DEPLOY_USAGE = `  appapi deploy --env ENV [cdk deploy options, e.g. --require-approval never]
      cdk deploy AppApi-ENV (and the AppApi-account stack it depends on), then a fresh
      deployment of the stage, so routes removed by this deploy stop answering at once.
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
  const { env, help, cdkArgs } = parseDeployArgs(argv);
  if (help) {
    io.out(`Usage:\n${DEPLOY_USAGE}`);
    return 0;
  }
  const target = findEnvironmentTarget(env, deps.context ?? projectContext());
  const stack = stackName(env);
  io.out(`Deploying ${stack}${target.account || target.region ? ` to ${[target.account, target.region].filter(Boolean).join(' / ')}` : ''} with cdk deploy.`);
  const code = await deps.runCdk(['deploy', stack, '--no-notices', ...cdkArgs]);
  if (code !== 0) throw new DeployError(`cdk deploy ${stack} failed (exit code ${code}); the stage was not redeployed. Fix the error above and run appapi deploy --env ${env} again.`);

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
function parseDeployArgs(argv: readonly string[]): { env: string; help: boolean; cdkArgs: string[] } {
  let env: string | undefined;
  let help = false;
  const cdkArgs: string[] = [];
  for (let index = 0; index < argv.length; index++) {
    const argument = argv[index]!;
    if (argument === '--') {
      cdkArgs.push(...argv.slice(index + 1));
      break;
    }
    if (argument === '--env') {
      env = argv[++index];
      if (env === undefined || env.startsWith('-')) throw new UsageError('deploy --env needs an environment name, e.g. --env dev.');
    } else if (argument.startsWith('--env=')) {
      env = argument.slice('--env='.length);
    } else if (argument === '--help' || argument === '-h') {
      help = true;
    } else {
      cdkArgs.push(argument);
    }
  }
  if (!help && !env) throw new UsageError('deploy needs --env, e.g. appapi deploy --env dev: deploying is never implied.');
  return { env: env ?? '', help, cdkArgs };
}

export { DeployError };
