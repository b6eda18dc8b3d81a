import { RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import { acknowledgeAccountFindings } from './nag-acknowledgements';

export type AccountSetupStackProps = StackProps;

/**
 * What API Gateway needs once per account and region before any environment's stage can write
 * access logs: the IAM role it pushes logs to CloudWatch Logs with, set as the account's
 * `cloudWatchRoleArn`. That setting is one per account and region, so it lives in this stack, not
 * in each environment (where every deploy overwrote it and destroying one environment deleted the
 * role the others logged with). Role and setting are retained: destroying this stack leaves
 * logging of the remaining environments working.
 *
 * @see https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-apigateway-account.html
 * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-logging.html
 *
 * @example
 * const account = new AccountSetupStack(app, 'AppApi-account', { env: { account: '111111111111', region: 'eu-west-1' } });
 * new AppApiStack(app, 'AppApi-dev', { environment: 'dev', apps, env: account.env, accountSetup: account });
 */
export class AccountSetupStack extends Stack {
  /** The role API Gateway assumes to write the stages' access and execution logs. */
  readonly cloudWatchRole: iam.Role;
  /** The account-and-region-wide API Gateway setting pointing at {@link cloudWatchRole}. */
  readonly apiGatewayAccount: apigateway.CfnAccount;

  constructor(scope: Construct, id: string, props: AccountSetupStackProps = {}) {
    super(scope, id, { description: 'API Gateway account settings shared by every App APIs environment of this account and region', ...props });
    this.cloudWatchRole = new iam.Role(this, 'ApiGatewayCloudWatchRole', {
      assumedBy: new iam.ServicePrincipal('apigateway.amazonaws.com'),
      description: 'Lets API Gateway write the access and execution logs of every REST API stage in this account and region',
      managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('service-role/AmazonAPIGatewayPushToCloudWatchLogs')],
    });
    this.cloudWatchRole.applyRemovalPolicy(RemovalPolicy.RETAIN);
    this.apiGatewayAccount = new apigateway.CfnAccount(this, 'ApiGatewayAccount', { cloudWatchRoleArn: this.cloudWatchRole.roleArn });
    // Deleting this resource leaves the role set in API Gateway (see the CloudFormation reference
    // above); retaining it says so rather than suggesting a reset.
    this.apiGatewayAccount.applyRemovalPolicy(RemovalPolicy.RETAIN);
    acknowledgeAccountFindings(this);
  }
}
