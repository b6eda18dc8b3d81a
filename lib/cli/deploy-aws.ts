import { APIGatewayClient } from '@aws-sdk/client-api-gateway';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { cdkCaptureProcess, cdkProcess } from './cdk-process';
import type { DeployDeps } from './deploy-command';

/** The real thing: the project's cdk CLI and the default AWS credential chain. */
export function awsDeployDeps(): DeployDeps {
  return {
    runCdk: cdkProcess(),
    diffCdk: cdkCaptureProcess(),
    openClients: (region) => ({
      cloudFormation: new CloudFormationClient(region ? { region } : {}),
      apiGateway: new APIGatewayClient(region ? { region } : {}),
    }),
  };
}
