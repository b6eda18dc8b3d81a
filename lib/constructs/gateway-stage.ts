import { RemovalPolicy } from 'aws-cdk-lib';
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
    // A changed declaration changes the manifest, which must produce a new deployment.
    deployment.addToLogicalId(manifest);
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
        }),
      ),
      loggingLevel: apigateway.MethodLoggingLevel.ERROR,
      dataTraceEnabled: false,
      metricsEnabled: true,
      methodOptions,
    });
  }
}
