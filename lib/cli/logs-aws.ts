import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import type { LogsDeps } from './logs-command';

/** The real thing: the default AWS credential chain. */
export function awsLogsDeps(): LogsDeps {
  return {
    openClients: (region) => ({
      cloudFormation: new CloudFormationClient(region ? { region } : {}),
      logs: new CloudWatchLogsClient(region ? { region } : {}),
    }),
  };
}
