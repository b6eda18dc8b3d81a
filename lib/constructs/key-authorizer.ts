import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { LIMITS } from '../../lambdas/shared/limits';
import { LAMBDA_ENTRIES } from './lambda-asset';

export interface KeyAuthorizerProps {
  readonly restApi: apigateway.IRestApi;
  readonly environmentName: string;
  readonly apiKeysTable: dynamodb.ITable;
  /** The environment's public signing JWK (JSON); the authorizer needs nothing else of the key. */
  readonly publicJwk: string;
  /** The environment's authorizer asset. */
  readonly code: lambda.Code;
  /**
   * How long API Gateway caches a decision per token. Together with the authorizer's key refresh
   * it bounds how long a deleted key keeps working.
   * @default Duration.seconds(30)
   * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/configure-api-gateway-lambda-authorization.html
   */
  readonly resultsCacheTtl?: Duration;
  /** @default logs.RetentionDays.ONE_MONTH */
  readonly logRetention?: logs.RetentionDays;
  /** @default RemovalPolicy.DESTROY */
  readonly logRemovalPolicy?: RemovalPolicy;
  /**
   * X-Ray active tracing of the function.
   * @default false
   */
  readonly tracing?: boolean;
}

/**
 * The environment's REQUEST authorizer: a Lambda that checks the `Authorization: Bearer` token
 * and the key's groups. Its role reads the API keys table and writes its own logs, nothing else:
 * the public signing key comes as an environment variable, so it has no Secrets Manager access.
 */
export class KeyAuthorizer extends Construct {
  readonly authorizerId: string;
  readonly function: lambda.Function;

  constructor(scope: Construct, id: string, props: KeyAuthorizerProps) {
    super(scope, id);
    const cacheTtl = props.resultsCacheTtl ?? Duration.seconds(LIMITS.authorizerCacheTtl.value);
    if (!cacheTtl.isUnresolved() && cacheTtl.toSeconds() > 3600) {
      throw new Error(`KeyAuthorizer: resultsCacheTtl is ${cacheTtl.toHumanString()}; API Gateway allows at most 1 hour.`);
    }
    const logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
      removalPolicy: props.logRemovalPolicy ?? RemovalPolicy.DESTROY,
    });
    const role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Checks API tokens of environment ${props.environmentName}`,
      inlinePolicies: {
        authorizer: new iam.PolicyDocument({
          statements: [
            new iam.PolicyStatement({ sid: 'WriteOwnLogs', actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [logGroup.logGroupArn] }),
            // a token's key is read by its id (lambdas/authorizer/key-cache.ts); never the whole table
            new iam.PolicyStatement({ sid: 'ReadApiKeys', actions: ['dynamodb:GetItem'], resources: [props.apiKeysTable.tableArn] }),
          ],
        }),
      },
    });
    this.function = new lambda.Function(this, 'Function', {
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      code: props.code,
      handler: LAMBDA_ENTRIES.authorizer.handler,
      role,
      logGroup,
      timeout: Duration.seconds(5),
      memorySize: 256,
      description: `API token authorizer of environment ${props.environmentName}`,
      ...(props.tracing ? { tracing: lambda.Tracing.ACTIVE } : {}),
      // no --enable-source-maps: parsing the map (the SDK is in the bundle) cost ~45 ms of CPU per
      // cold start; the logger maps the stacks it logs, reading the map only then
      environment: { APPAPI_ENV: props.environmentName, APPAPI_SIGNING_JWK: props.publicJwk },
    });
    const stack = Stack.of(this);
    const authorizer = new apigateway.CfnAuthorizer(this, 'Resource', {
      restApiId: props.restApi.restApiId,
      name: `${props.environmentName}-api-token`,
      type: 'REQUEST',
      identitySource: 'method.request.header.Authorization',
      authorizerResultTtlInSeconds: cacheTtl.toSeconds(),
      authorizerUri: `arn:${stack.partition}:apigateway:${stack.region}:lambda:path/2015-03-31/functions/${this.function.functionArn}/invocations`,
    });
    this.authorizerId = authorizer.ref;
    this.function.addPermission('InvokeFromApiGateway', {
      principal: new iam.ServicePrincipal('apigateway.amazonaws.com'),
      sourceArn: stack.formatArn({ service: 'execute-api', resource: props.restApi.restApiId, resourceName: `authorizers/${this.authorizerId}` }),
    });
  }
}
