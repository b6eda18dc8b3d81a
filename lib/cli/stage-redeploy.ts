import { APIGatewayClient, CreateDeploymentCommand } from '@aws-sdk/client-api-gateway';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { ENVIRONMENT_OUTPUTS } from '../constructs/environment-outputs';

/** Where a deployed environment is served: read from its stack's outputs. */
export interface DeployedStage {
  readonly restApiId: string;
  readonly stageName: string;
}

/** A deploy step that failed in a way the message explains. */
export class DeployError extends Error {}

/** The REST API id and stage name of a deployed environment stack, from DescribeStacks. */
export async function readDeployedStage(cloudFormation: CloudFormationClient, stackName: string): Promise<DeployedStage> {
  const region = await cloudFormation.config.region().catch(() => 'the default region');
  let outputs: Record<string, string>;
  try {
    const { Stacks } = await cloudFormation.send(new DescribeStacksCommand({ StackName: stackName }));
    const status = Stacks?.[0]?.StackStatus ?? '';
    // the old methods are gone only once the update's cleanup has finished
    if (status.endsWith('_IN_PROGRESS')) throw new DeployError(`Stack ${stackName} in ${region} is ${status}; wait until it is complete, then run appapi deploy again.`);
    outputs = Object.fromEntries((Stacks?.[0]?.Outputs ?? []).map((output) => [output.OutputKey ?? '', output.OutputValue ?? '']));
  } catch (error) {
    if ((error as Error).name === 'ValidationError') {
      throw new DeployError(`Stack ${stackName} does not exist in ${region}: ${(error as Error).message}. If cdk deployed it elsewhere, give the environment its "region" (and "account") in cdk.json's appapi:environments.`);
    }
    throw error;
  }
  const missing = Object.values(ENVIRONMENT_OUTPUTS).filter((key) => !outputs[key]);
  if (missing.length > 0) {
    throw new DeployError(
      `Stack ${stackName} in ${region} has no output ${missing.join(' or ')}, so its stage cannot be redeployed. It is an App APIs environment stack only when deployed by this version: check that cdk deployed it to this account and region (give the environment its "region" and "account" in cdk.json's appapi:environments), then run appapi deploy again.`,
    );
  }
  return { restApiId: outputs[ENVIRONMENT_OUTPUTS.restApiId]!, stageName: outputs[ENVIRONMENT_OUTPUTS.stageName]! };
}

/**
 * Points the stage at a new deployment: a snapshot of the REST API as it is now. CloudFormation
 * creates an environment's Deployment before it deletes the methods an update removed, so that
 * snapshot still holds removed routes (answering into deleted functions); one taken after the
 * stack update holds exactly the declared routes.
 * @see https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/using-cfn-updating-stacks-monitor-stack.html
 * @see https://docs.aws.amazon.com/apigateway/latest/api/API_CreateDeployment.html
 */
export async function redeployStage(apiGateway: APIGatewayClient, stage: DeployedStage, description: string): Promise<string> {
  const { id } = await apiGateway.send(new CreateDeploymentCommand({ restApiId: stage.restApiId, stageName: stage.stageName, description }));
  if (!id) throw new DeployError(`API Gateway created a deployment of ${stage.restApiId} without returning its id.`);
  return id;
}
