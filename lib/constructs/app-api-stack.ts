import { Annotations, CfnOutput, RemovalPolicy, Stack, Token, type Duration, type StackProps } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { LIMITS } from '../../lambdas/shared/limits';
import type { EnvironmentManifest } from '../../lambdas/shared/manifest';
import type { AccountSetupStack } from './account-setup-stack';
import { ENVIRONMENT_OUTPUTS, LOG_OUTPUTS } from './environment-outputs';
import { EnvironmentMonitoring, type AlarmThresholds } from './environment-monitoring';
import { compileManifest, type DeployedNames } from '../manifest';
import { createDataTable } from './data-table';
import { markEnvironment, type EnvironmentSettings } from './environment-context';
import { BINARY_MEDIA_TYPES } from '../binary-media';
import { fallbackIntegration, GatewayFallback } from './gateway-fallback';
import { addGatewayProblemResponses } from './gateway-responses';
import { HandlerRoles } from './handler-roles';
import { KeyAuthorizer } from './key-authorizer';
import { PayloadLimitAcl } from './payload-limit-acl';
import { SigningKey } from './signing-key';
import { lambdaAssetDirectory } from './lambda-asset';
import { acknowledgeEnvironmentFindings } from './nag-acknowledgements';
import { GatewayStage } from './gateway-stage';
import { countPathResources, placeRoutes } from './route-placement';
import { RouteStack } from './route-stack';

/** Declares an app's models and App APIs in an environment; called once per environment. */
export type AppDeclaration = (environment: AppApiStack) => void;

export interface AppApiStackProps extends StackProps {
  /** The environment's name, e.g. `dev`: stage name, token audience, part of every resource name. */
  readonly environment: string;
  /** The apps served by this environment, each declaring its models and App APIs. */
  readonly apps: readonly AppDeclaration[];
  /**
   * Prefix of physical resource names (tables, secret, API).
   * @default 'appapi'
   */
  readonly resourcePrefix?: string;
  /**
   * Tables get deletion protection and are retained on stack deletion.
   * @default - true for an environment named `prod`, false otherwise
   */
  readonly deletionProtection?: boolean;
  /**
   * How long API Gateway caches an authorizer decision per token.
   * @default Duration.seconds(30)
   */
  readonly authorizerCacheTtl?: Duration;
  /**
   * Every handler's Lambda timeout, in whole seconds (Lambda's unit), at most 29 s (API Gateway's integration limit).
   * @default - per App API: 10 s plus the declared timeouts of its http calls, rounded up to whole seconds, at most 29 s
   */
  readonly handlerTimeout?: Duration;
  /** @default 512 */
  readonly handlerMemorySize?: number;
  /** @default logs.RetentionDays.ONE_MONTH */
  readonly logRetention?: logs.RetentionDays;
  /**
   * The account's quota of REST API resources (path parts); synth warns (`appapi:resourceQuota`) above it.
   * @default 300
   * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/limits.html
   */
  readonly restApiResourceQuota?: number;
  /**
   * Resources allowed in one nested stack of App APIs (CloudFormation's limit is 500).
   * @default 400
   */
  readonly maxResourcesPerNestedStack?: number;
  /**
   * The stack that sets API Gateway's CloudWatch role for this account and region. This stack
   * depends on it, so `cdk deploy AppApi-<env>` deploys it first: the stage's access logs need that
   * role to be set before the stage is created.
   * @default - none: API Gateway's CloudWatch role must already be set in this account and region
   */
  readonly accountSetup?: AccountSetupStack;
  /**
   * Alarms (on an SNS topic) and a dashboard for the environment; see README, "Operating in production".
   * @default - true for an environment named `prod`, false otherwise
   */
  readonly monitoring?: boolean;
  /**
   * An e-mail address subscribed to the alarm topic; needs `monitoring`.
   * @default - no subscription
   */
  readonly alarmEmail?: string;
  /** @default - see AlarmThresholds */
  readonly alarmThresholds?: AlarmThresholds;
  /**
   * AWS X-Ray active tracing on the stage, the authorizer and the handlers. Off, nothing of it is
   * deployed or loaded, and it costs nothing.
   * @default false
   */
  readonly tracing?: boolean;
  /**
   * What the environment has deployed under bare names (appapi.lock.json's entry for it): those
   * App APIs and models keep their names when another app declares the same id or model name later.
   * @default - nothing deployed: a name two apps declare is scoped by the app in both (`shop.GetCustomer`)
   */
  readonly deployedNames?: DeployedNames;
}

const ENVIRONMENT_NAME = /^[a-z][a-z0-9-]{0,15}$/;
const PREFIX = /^[a-z][a-z0-9-]{0,19}$/;

/**
 * One environment (`dev`, `staging`, `prod`): its tables, signing-key secret, authorizer and one
 * REST API whose routes are exactly the declared App APIs, each with its own handler Lambda.
 *
 * @example
 * new AppApiStack(app, 'AppApi-dev', { environment: 'dev', apps: [declareBooking] });
 */
export class AppApiStack extends Stack {
  readonly environmentName: string;
  readonly resourcePrefix: string;
  readonly deletionProtection: boolean;
  readonly journeysTable: dynamodb.Table;
  readonly apiKeysTable: dynamodb.Table;
  /** First answers of POST requests that carried an Idempotency-Key, kept 24 hours. */
  readonly idempotencyTable: dynamodb.Table;
  /** The environment's token signing key pair, created by the deploy itself. */
  readonly signingKey: SigningKey;
  /** The Secrets Manager secret holding it; only the CLI (`appapi keys create --aws`) reads it. */
  readonly signingKeySecret: secretsmanager.Secret;
  /** The compiled description of the environment: routes, auth, chains. */
  readonly manifest: EnvironmentManifest;
  readonly restApi: apigateway.RestApi;
  readonly authorizer: KeyAuthorizer;
  /** Answers undeclared methods (405), the root (404) and CORS preflights. */
  readonly fallback: GatewayFallback;
  /** The WAF web ACL enforcing the 5 MiB body limit on the stage. */
  readonly payloadLimit: PayloadLimitAcl;
  readonly routeStacks: readonly RouteStack[];
  /** The handlers' execution roles: one per distinct data access, shared by the handlers that need it. */
  readonly handlerRoles: HandlerRoles;
  readonly stage: apigateway.Stage;
  /** Alarms, their topic and the dashboard; undefined when `monitoring` is off. */
  readonly monitoring?: EnvironmentMonitoring;

  constructor(scope: Construct, id: string, props: AppApiStackProps) {
    super(scope, id, { description: `App APIs of environment ${props.environment}`, ...props });
    if (!ENVIRONMENT_NAME.test(props.environment ?? '')) {
      throw new Error(`AppApiStack "${id}": environment "${props.environment}" must be lower-case letters, digits and "-", starting with a letter, at most 16 characters (e.g. "dev").`);
    }
    const resourcePrefix = props.resourcePrefix ?? 'appapi';
    if (!PREFIX.test(resourcePrefix)) {
      throw new Error(`AppApiStack "${id}": resourcePrefix "${resourcePrefix}" must be lower-case letters, digits and "-", starting with a letter, at most 20 characters.`);
    }
    if (props.handlerTimeout && !Token.isUnresolved(props.handlerTimeout.toMilliseconds())) {
      const ms = props.handlerTimeout.toMilliseconds();
      if (ms % 1000 !== 0 || ms < 1000 || ms > LIMITS.integrationTimeout.value) {
        throw new Error(`AppApiStack "${id}": handlerTimeout of ${ms} ms must be whole seconds between 1 and 29 (Lambda counts whole seconds; API Gateway waits at most 29 s); use e.g. Duration.seconds(${Math.min(29, Math.max(1, Math.ceil(ms / 1000)))}).`);
      }
    }
    const monitoring = props.monitoring ?? props.environment === 'prod';
    if (props.alarmEmail && !monitoring) {
      throw new Error(`AppApiStack "${id}": alarmEmail is set but monitoring is off in ${props.environment}, so there are no alarms to send; set monitoring: true (in cdk.json: "monitoring": true) or remove alarmEmail.`);
    }
    this.environmentName = props.environment;
    this.resourcePrefix = resourcePrefix;
    this.deletionProtection = props.deletionProtection ?? props.environment === 'prod';
    const settings: EnvironmentSettings = { environmentName: this.environmentName, resourcePrefix, deletionProtection: this.deletionProtection };
    markEnvironment(this, settings);
    if (props.accountSetup) this.addStackDependency(props.accountSetup, 'API Gateway needs its CloudWatch role set before a stage with access logs is created');
    const removalPolicy = this.deletionProtection ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;
    const namePrefix = `${resourcePrefix}-${this.environmentName}`;

    this.journeysTable = createDataTable(this, 'Journeys', settings, {
      tableName: `${namePrefix}-journeys`,
      partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
      sortKey: { name: 'sk', type: dynamodb.AttributeType.STRING },
      timeToLiveAttribute: 'expiresAt',
    });
    this.apiKeysTable = createDataTable(this, 'ApiKeys', settings, {
      tableName: `${namePrefix}-api-keys`,
      partitionKey: { name: 'keyId', type: dynamodb.AttributeType.STRING },
    });
    this.idempotencyTable = createDataTable(this, 'Idempotency', settings, {
      tableName: `${namePrefix}-idempotency`,
      partitionKey: { name: 'key', type: dynamodb.AttributeType.STRING },
      timeToLiveAttribute: 'expiresAt',
    });
    this.signingKey = new SigningKey(this, 'SigningKey', {
      environmentName: this.environmentName,
      secretName: `${resourcePrefix}/${this.environmentName}/signing-key`,
      removalPolicy,
      ...(props.logRetention ? { logRetention: props.logRetention } : {}),
      logRemovalPolicy: removalPolicy,
    });
    this.signingKeySecret = this.signingKey.secret;
    if (!this.deletionProtection) {
      Annotations.of(this.signingKey).addInfo(
        `Environment ${this.environmentName} has no deletion protection: \`cdk destroy ${id}\` deletes its signing key and tables, so every API token issued for ${this.environmentName} stops working for good (a redeploy creates a new key). See README, "Destroy and recreate".`,
      );
    }

    for (const declare of props.apps) declare(this);
    const compiled = compileManifest(this, settings, {
      journeys: `${namePrefix}-journeys`,
      apiKeys: `${namePrefix}-api-keys`,
      idempotency: `${namePrefix}-idempotency`,
    }, props.deployedNames);
    this.manifest = compiled.manifest;
    for (const { appApi, warning } of compiled.warnings) Annotations.of(appApi).addWarningV2(warning.id, warning.message);
    const quota = props.restApiResourceQuota ?? 300;
    const pathResources = countPathResources(this.manifest.routes);
    if (pathResources > quota) {
      Annotations.of(this).addWarningV2(
        'appapi:resourceQuota',
        `Environment ${this.environmentName} needs ${pathResources} REST API resources (path parts); the account's quota is ${quota}. Ask AWS to raise "Resources per API" before deploying, then set restApiResourceQuota.`,
      );
    }

    this.restApi = new apigateway.RestApi(this, 'Api', {
      restApiName: namePrefix,
      description: `App APIs of environment ${this.environmentName}`,
      deploy: false,
      // one setting per account and region, owned by AccountSetupStack (see accountSetup)
      cloudWatchRole: false,
      endpointConfiguration: { types: [apigateway.EndpointType.REGIONAL] },
      binaryMediaTypes: [...BINARY_MEDIA_TYPES],
    });
    const requestValidator = new apigateway.RequestValidator(this, 'RequestValidator', {
      restApi: this.restApi,
      validateRequestParameters: true,
      validateRequestBody: true,
    });
    addGatewayProblemResponses(this.restApi);
    this.fallback = new GatewayFallback(this, 'Fallback', {
      restApi: this.restApi,
      environmentName: this.environmentName,
      code: lambda.Code.fromAsset(lambdaAssetDirectory('fallback', this.manifest, { bundling: this.bundlingRequired })),
      ...(props.logRetention ? { logRetention: props.logRetention } : {}),
      logRemovalPolicy: removalPolicy,
    });
    // undeclared methods on "/" answer from the fallback function, whatever their Content-Type: 404,
    // or 405 when App APIs are declared on "/" (their route stack adds no ANY of its own)
    const rootFallback = this.restApi.root.addMethod('ANY', fallbackIntegration(this, this.fallback.function.functionArn), {
      authorizationType: apigateway.AuthorizationType.NONE,
    });
    this.authorizer = new KeyAuthorizer(this, 'Authorizer', {
      restApi: this.restApi,
      environmentName: this.environmentName,
      apiKeysTable: this.apiKeysTable,
      publicJwk: this.signingKey.publicJwk,
      code: lambda.Code.fromAsset(lambdaAssetDirectory('authorizer', this.manifest, { bundling: this.bundlingRequired })),
      ...(props.authorizerCacheTtl ? { resultsCacheTtl: props.authorizerCacheTtl } : {}),
      ...(props.tracing ? { tracing: true } : {}),
      ...(props.logRetention ? { logRetention: props.logRetention } : {}),
      logRemovalPolicy: removalPolicy,
    });

    const handlerDirectory = lambdaAssetDirectory('handler', this.manifest, { bundling: this.bundlingRequired });
    this.handlerRoles = new HandlerRoles(this, 'HandlerRoles', { manifest: this.manifest, ...(props.tracing ? { tracing: true } : {}) });
    const routeStacks: RouteStack[] = [];
    for (const group of placeRoutes(this.manifest.routes, props.maxResourcesPerNestedStack)) {
      const parentPath = group.basePath === '/' ? '/' : group.basePath.slice(0, group.basePath.lastIndexOf('/')) || '/';
      const parentResource = parentPath === '/' ? this.restApi.root : routeStacks.map((stack) => stack.resourceAt(parentPath)).find(Boolean);
      if (!parentResource) throw new Error(`internal: no route stack creates ${parentPath}`);
      routeStacks.push(
        new RouteStack(this, group.name ? `Routes+${group.name}` : 'Routes', {
          group,
          manifest: this.manifest,
          restApi: this.restApi,
          parentResource: { resourceId: parentResource.resourceId, path: parentPath },
          authorizerId: this.authorizer.authorizerId,
          requestValidatorId: requestValidator.requestValidatorId,
          fallbackFunctionArn: this.fallback.function.functionArn,
          handlerRoles: this.handlerRoles,
          codeDirectory: handlerDirectory,
          ...(props.handlerTimeout ? { handlerTimeout: props.handlerTimeout } : {}),
          ...(props.handlerMemorySize ? { handlerMemorySize: props.handlerMemorySize } : {}),
          ...(props.logRetention ? { logRetention: props.logRetention } : {}),
          ...(props.tracing ? { tracing: true } : {}),
        }),
      );
    }
    this.routeStacks = routeStacks;

    const gatewayStage = new GatewayStage(this, 'Stage', {
      restApi: this.restApi,
      manifest: this.manifest,
      dependsOn: [rootFallback, ...routeStacks.map((stack) => stack.nestedStackResource!)],
      ...(props.logRetention ? { logRetention: props.logRetention } : {}),
      logRemovalPolicy: removalPolicy,
      ...(props.tracing ? { tracing: true } : {}),
    });
    this.stage = gatewayStage.stage;
    this.restApi.deploymentStage = this.stage;
    new CfnOutput(this, ENVIRONMENT_OUTPUTS.restApiId, { value: this.restApi.restApiId, description: 'The REST API of this environment (read by appapi deploy)' });
    new CfnOutput(this, ENVIRONMENT_OUTPUTS.stageName, { value: this.stage.stageName, description: 'The stage serving this environment (read by appapi deploy)' });
    new CfnOutput(this, LOG_OUTPUTS.accessLogGroupName, { value: gatewayStage.accessLogs.logGroupName, description: 'The stage\'s access log group (read by appapi logs)' });
    this.payloadLimit = new PayloadLimitAcl(this, 'PayloadLimit', { stage: this.stage, environmentName: this.environmentName, resourcePrefix: this.resourcePrefix });
    if (monitoring) {
      this.monitoring = new EnvironmentMonitoring(this, 'Monitoring', {
        manifest: this.manifest,
        stage: this.stage,
        accessLogs: gatewayStage.accessLogs,
        authorizerFunction: this.authorizer.function,
        webAcl: this.payloadLimit,
        removalPolicy,
        ...(props.alarmEmail ? { alarmEmail: props.alarmEmail } : {}),
        ...(props.alarmThresholds ? { thresholds: props.alarmThresholds } : {}),
      });
    }
    acknowledgeEnvironmentFindings(this);
  }
}
