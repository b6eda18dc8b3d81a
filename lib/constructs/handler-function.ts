import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { EnvironmentManifest, RouteManifest } from '../../lambdas/shared/manifest';
import { IDEMPOTENCY, JOURNEYS, routeAccess } from '../chain/access';
import { routeTimeoutMs } from '../../lambdas/shared/route-timeout';
import { LAMBDA_ENTRIES } from './lambda-asset';

export interface HandlerFunctionProps {
  readonly route: RouteManifest;
  readonly manifest: EnvironmentManifest;
  /** The environment's shared handler asset. */
  readonly code: lambda.Code;
  /**
   * Lambda counts timeouts in whole seconds; a value that is not one is refused.
   * @default - 10 s plus the declared timeouts of the chain's http calls, rounded up to whole seconds, at most 29 s (API Gateway's limit)
   */
  readonly timeout?: Duration;
  /** @default 512 */
  readonly memorySize?: number;
  /** @default logs.RetentionDays.ONE_MONTH */
  readonly logRetention?: logs.RetentionDays;
  /** @default RemovalPolicy.DESTROY */
  readonly logRemovalPolicy?: RemovalPolicy;
}

/**
 * The Lambda that runs one App API's chain, with a role allowing exactly what that chain does:
 * the DynamoDB actions of its operations, on the tables (and indexes) they touch, and writing its
 * own log group. Nothing else.
 */
export class HandlerFunction extends Construct {
  readonly function: lambda.Function;
  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: HandlerFunctionProps) {
    super(scope, id);
    const { route, manifest } = props;
    if (props.timeout && !Number.isInteger(props.timeout.toMilliseconds() / 1000)) {
      throw new Error(`App API ${route.id}: handler timeout of ${props.timeout.toMilliseconds()} ms is not a whole number of seconds, which is all Lambda accepts; use e.g. Duration.seconds(${Math.ceil(props.timeout.toMilliseconds() / 1000)}).`);
    }
    this.logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
      removalPolicy: props.logRemovalPolicy ?? RemovalPolicy.DESTROY,
    });
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Runs ${route.method} ${route.path} (${route.app}) in ${manifest.env}`,
      inlinePolicies: { chain: new iam.PolicyDocument({ statements: this.statements(route, manifest) }) },
    });
    this.function = new lambda.Function(this, 'Function', {
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      code: props.code,
      handler: LAMBDA_ENTRIES.handler.handler,
      role: this.role,
      logGroup: this.logGroup,
      // the runtime keeps its own deadline in milliseconds (it answers 503 first); Lambda's is whole seconds
      timeout: props.timeout ?? Duration.seconds(Math.ceil(routeTimeoutMs(route) / 1000)),
      memorySize: props.memorySize ?? 512,
      description: `${route.method} ${route.path} (${route.app}) in ${manifest.env}`,
      environment: { APPAPI_ROUTE: route.id, APPAPI_ENV: manifest.env, NODE_OPTIONS: '--enable-source-maps' },
    });
  }

  private statements(route: RouteManifest, manifest: EnvironmentManifest): iam.PolicyStatement[] {
    const stack = Stack.of(this);
    const tableArn = (tableName: string, index?: string): string =>
      stack.formatArn({ service: 'dynamodb', resource: 'table', resourceName: index ? `${tableName}/index/${index}` : tableName });
    const statements = [
      new iam.PolicyStatement({ sid: 'WriteOwnLogs', actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [this.logGroup.logGroupArn] }),
    ];
    const access = [...routeAccess(route, manifest.models)].sort(([a], [b]) => a.localeCompare(b));
    for (const [table, grant] of access) {
      const tableName = table === JOURNEYS ? manifest.tables.journeys : table === IDEMPOTENCY ? manifest.tables.idempotency : manifest.models[table]!.table;
      const indexActions = grant.indexes.size > 0 ? ['dynamodb:Query'] : [];
      const tableActions = [...grant.actions].filter((action) => action !== 'dynamodb:Query' || table === JOURNEYS).sort();
      if (tableActions.length > 0) {
        statements.push(new iam.PolicyStatement({ sid: sid(table, 'Table'), actions: tableActions, resources: [tableArn(tableName)] }));
      }
      if (indexActions.length > 0) {
        const indexes = [...grant.indexes].sort().map((index) => tableArn(tableName, index));
        statements.push(new iam.PolicyStatement({ sid: sid(table, 'Indexes'), actions: indexActions, resources: indexes }));
      }
    }
    return statements;
  }
}

function sid(table: string, suffix: string): string {
  const name = table === JOURNEYS ? 'Journeys' : table === IDEMPOTENCY ? 'IdempotencyAnswers' : table.replace(/[^A-Za-z0-9]/g, '');
  return `${name}${suffix}`;
}
