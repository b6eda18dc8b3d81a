/**
 * Output keys of an environment stack. `appapi deploy` reads them after `cdk deploy` to take a
 * fresh deployment of the stage; renaming one breaks that for stacks deployed before.
 */
export const ENVIRONMENT_OUTPUTS = {
  restApiId: 'RestApiId',
  stageName: 'StageName',
} as const;

/**
 * Outputs `appapi logs` reads. Kept apart from ENVIRONMENT_OUTPUTS, which `appapi deploy` requires:
 * a stack deployed before these existed still deploys.
 */
export const LOG_OUTPUTS = {
  accessLogGroupName: 'AccessLogGroupName',
} as const;
