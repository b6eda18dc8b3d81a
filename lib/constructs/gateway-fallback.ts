import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { LAMBDA_ENTRIES } from './lambda-asset';

export interface GatewayFallbackProps {
  readonly restApi: apigateway.IRestApi;
  readonly environmentName: string;
  /** The asset with the fallback bundle and the environment's manifest. */
  readonly code: lambda.Code;
  /** @default logs.RetentionDays.ONE_MONTH */
  readonly logRetention?: logs.RetentionDays;
  /** @default RemovalPolicy.DESTROY */
  readonly logRemovalPolicy?: RemovalPolicy;
}

/**
 * The function behind every method no App API declares: the ANY method of each path (405 with
 * `Allow`), the root's ANY (404) and the OPTIONS methods of CORS apps (preflights). A Lambda proxy
 * integration answers whatever the request's Content-Type; MOCK integrations only answer the
 * content types they have request templates for, and 500 to the rest.
 * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/integration-passthrough-behaviors.html
 */
export class GatewayFallback extends Construct {
  readonly function: lambda.Function;

  constructor(scope: Construct, id: string, props: GatewayFallbackProps) {
    super(scope, id);
    const logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
      removalPolicy: props.logRemovalPolicy ?? RemovalPolicy.DESTROY,
    });
    const role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Answers undeclared methods of environment ${props.environmentName}`,
      inlinePolicies: {
        fallback: new iam.PolicyDocument({
          statements: [new iam.PolicyStatement({ sid: 'WriteOwnLogs', actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [logGroup.logGroupArn] })],
        }),
      },
    });
    this.function = new lambda.Function(this, 'Function', {
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      code: props.code,
      handler: LAMBDA_ENTRIES.fallback.handler,
      role,
      logGroup,
      timeout: Duration.seconds(3),
      memorySize: 128,
      description: `404, 405 and CORS preflights of environment ${props.environmentName}`,
      environment: { NODE_OPTIONS: '--enable-source-maps' },
    });
    // one permission for every method that integrates with it, wherever it is defined
    this.function.addPermission('InvokeFromApiGateway', {
      principal: new iam.ServicePrincipal('apigateway.amazonaws.com'),
      sourceArn: props.restApi.arnForExecuteApi(),
    });
  }
}

/**
 * A Lambda proxy integration with the fallback function, for a method in any stack of the
 * environment. It adds no permission of its own (GatewayFallback grants one for the whole API).
 */
export function fallbackIntegration(scope: Construct, functionArn: string): apigateway.Integration {
  const stack = Stack.of(scope);
  return new apigateway.Integration({
    type: apigateway.IntegrationType.AWS_PROXY,
    integrationHttpMethod: 'POST',
    uri: `arn:${stack.partition}:apigateway:${stack.region}:lambda:path/2015-03-31/functions/${functionArn}/invocations`,
  });
}
