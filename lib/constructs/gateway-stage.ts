import { CfnResource, Lazy, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct, type IDependable } from 'constructs';
import type { EnvironmentManifest } from '../../lambdas/shared/manifest';

export interface GatewayStageProps {
  readonly restApi: apigateway.RestApi;
  readonly manifest: EnvironmentManifest;
  /** Everything the deployment must wait for: the methods, wherever they are defined. */
  readonly dependsOn: readonly IDependable[];
  /** @default logs.RetentionDays.ONE_MONTH */
  readonly logRetention?: logs.RetentionDays;
  /** @default RemovalPolicy.DESTROY */
  readonly logRemovalPolicy?: RemovalPolicy;
  /**
   * X-Ray active tracing of the stage's requests.
   * @default false
   * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-xray.html
   */
  readonly tracing?: boolean;
}

/**
 * The environment's deployment and stage (named after the environment), with JSON access logs
 * and per-App-API throttling as stage method settings.
 */
export class GatewayStage extends Construct {
  readonly stage: apigateway.Stage;
  readonly accessLogs: logs.LogGroup;

  constructor(scope: Construct, id: string, props: GatewayStageProps) {
    super(scope, id);
    const { manifest } = props;
    const deployment = new apigateway.Deployment(this, 'Deployment', {
      api: props.restApi,
      description: `App APIs of environment ${manifest.env}`,
    });
    // API Gateway serves a deployment's snapshot of the API, and CloudFormation takes a new one
    // only when the Deployment's logical id changes: hash what the stage serves, as synthesized.
    deployment.addToLogicalId(Lazy.any({ produce: () => servedApiDefinition(Stack.of(this)) }));
    for (const dependency of props.dependsOn) deployment.node.addDependency(dependency);

    this.accessLogs = new logs.LogGroup(this, 'AccessLogs', {
      retention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
      removalPolicy: props.logRemovalPolicy ?? RemovalPolicy.DESTROY,
    });
    const methodOptions: Record<string, apigateway.MethodDeploymentOptions> = {};
    for (const route of manifest.routes) {
      if (!route.throttling) continue;
      methodOptions[`${route.path}/${route.method}`] = {
        throttlingRateLimit: route.throttling.rateLimit,
        throttlingBurstLimit: route.throttling.burstLimit,
      };
    }
    this.stage = new apigateway.Stage(this, 'Resource', {
      deployment,
      stageName: manifest.env,
      description: `Environment ${manifest.env}`,
      accessLogDestination: new apigateway.LogGroupLogDestination(this.accessLogs),
      accessLogFormat: apigateway.AccessLogFormat.custom(
        JSON.stringify({
          requestId: apigateway.AccessLogField.contextRequestId(),
          time: apigateway.AccessLogField.contextRequestTime(),
          method: apigateway.AccessLogField.contextHttpMethod(),
          route: apigateway.AccessLogField.contextResourcePath(),
          path: apigateway.AccessLogField.contextPath(),
          status: apigateway.AccessLogField.contextStatus(),
          latencyMs: apigateway.AccessLogField.contextResponseLatency(),
          keyId: apigateway.AccessLogField.contextAuthorizerPrincipalId(),
          responseLength: apigateway.AccessLogField.contextResponseLength(),
          error: apigateway.AccessLogField.contextErrorMessageString(),
          // what Lambda itself answered the invoke (429: throttled; "-": not invoked), not the function's status
          integrationStatus: apigateway.AccessLogField.contextIntegrationStatus(),
          waf: apigateway.AccessLogField.contextWafResponseCode(),
          traceId: apigateway.AccessLogField.contextXrayTraceId(),
        }),
      ),
      loggingLevel: apigateway.MethodLoggingLevel.ERROR,
      dataTraceEnabled: false,
      metricsEnabled: true,
      tracingEnabled: props.tracing ?? false,
      methodOptions,
    });
  }
}

/**
 * The resource types whose configuration a deployment snapshots: the API's settings (binary media
 * types), its resource tree and methods with their integrations (mocks included), models,
 * validators, authorizers and gateway responses.
 * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-deployments.html
 */
const SERVED_TYPES = new Set([
  'AWS::ApiGateway::RestApi',
  'AWS::ApiGateway::Resource',
  'AWS::ApiGateway::Method',
  'AWS::ApiGateway::Model',
  'AWS::ApiGateway::RequestValidator',
  'AWS::ApiGateway::Authorizer',
  'AWS::ApiGateway::GatewayResponse',
]);

/**
 * Every API Gateway resource of the environment, nested stacks included, as it will be written to
 * its template (escape-hatch overrides too), in a stable order.
 */
function servedApiDefinition(environment: Stack): unknown[] {
  return environment.node
    .findAll()
    .filter((construct): construct is CfnResource => CfnResource.isCfnResource(construct) && SERVED_TYPES.has(construct.cfnResourceType))
    .sort((a, b) => a.node.path.localeCompare(b.node.path))
    // _toCloudFormation is how CDK itself hashes a RestApi into its deployment id
    .map((resource) => Stack.of(resource).resolve((resource as unknown as { _toCloudFormation(): unknown })._toCloudFormation()));
}
