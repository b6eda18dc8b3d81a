import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { EnvironmentManifest, RouteManifest } from '../../lambdas/shared/manifest';
import { routeTimeoutMs } from '../../lambdas/shared/route-timeout';
import { handlerLogGroupName } from './handler-roles';
import { LAMBDA_ENTRIES } from './lambda-asset';

export interface HandlerFunctionProps {
  readonly route: RouteManifest;
  readonly manifest: EnvironmentManifest;
  /** The environment's shared handler asset. */
  readonly code: lambda.Code;
  /** Its execution role, shared with handlers of the same data access (see HandlerRoles). */
  readonly role: iam.IRole;
  /**
   * Lambda counts timeouts in whole seconds; a value that is not one is refused.
   * @default - 10 s plus the declared timeouts of the chain's http calls, rounded up to whole seconds, at most 29 s (API Gateway's limit)
   */
  readonly timeout?: Duration;
  /** @default 512 */
  readonly memorySize?: number;
  /** @default logs.RetentionDays.ONE_MONTH */
  readonly logRetention?: logs.RetentionDays;
  /**
   * X-Ray active tracing, with the chain's DynamoDB and http calls as subsegments. The role must
   * allow writing to X-Ray (HandlerRoles does when its `tracing` is on).
   * @default false
   */
  readonly tracing?: boolean;
}

/**
 * The Lambda that runs one App API's chain, with a role allowing exactly what that chain does (the
 * DynamoDB actions of its operations, on the tables and indexes they touch, and writing its log
 * group), and its log group, named after its app and id.
 */
export class HandlerFunction extends Construct {
  readonly function: lambda.Function;
  readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: HandlerFunctionProps) {
    super(scope, id);
    const { route, manifest } = props;
    if (props.timeout && !Number.isInteger(props.timeout.toMilliseconds() / 1000)) {
      throw new Error(`App API ${route.id}: handler timeout of ${props.timeout.toMilliseconds()} ms is not a whole number of seconds, which is all Lambda accepts; use e.g. Duration.seconds(${Math.ceil(props.timeout.toMilliseconds() / 1000)}).`);
    }
    this.logGroup = new logs.LogGroup(this, 'Logs', {
      logGroupName: handlerLogGroupName(manifest, route),
      retention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
      // a named log group left behind would make re-adding this App API (or recreating the
      // environment) fail with "already exists", so it goes with its function in every environment
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.function = new lambda.Function(this, 'Function', {
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      code: props.code,
      handler: LAMBDA_ENTRIES.handler.handler,
      role: props.role,
      logGroup: this.logGroup,
      // the runtime keeps its own deadline in milliseconds (it answers 503 first); Lambda's is whole seconds
      timeout: props.timeout ?? Duration.seconds(Math.ceil(routeTimeoutMs(route) / 1000)),
      memorySize: props.memorySize ?? 512,
      description: `${route.method} ${route.path} (${route.app}) in ${manifest.env}`,
      // no --enable-source-maps: parsing the map cost ~15 ms of every cold start; the logger maps
      // the stacks it logs instead (lambdas/shared/source-mapped-stack.ts), reading the map only then
      environment: { APPAPI_ROUTE: route.id, APPAPI_ENV: manifest.env, ...(props.tracing ? { APPAPI_TRACING: 'active' } : {}) },
    });
    if (props.tracing) {
      // set on the resource, not with the `tracing` prop: that would add a policy to the shared role
      // from every function using it; HandlerRoles grants X-Ray once per role instead
      (this.function.node.defaultChild as lambda.CfnFunction).tracingConfig = { mode: 'Active' };
    }
  }
}
