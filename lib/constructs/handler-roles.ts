import { createHash } from 'node:crypto';
import { ArnFormat, NestedStack, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import type { EnvironmentManifest, RouteManifest } from '../../lambdas/shared/manifest';
import { IDEMPOTENCY, JOURNEYS, routeAccess } from '../chain/access';
import { handlerLogGroupName } from './handler-log-group';

export { handlerLogGroupName };

export interface HandlerRolesProps {
  readonly manifest: EnvironmentManifest;
  /**
   * Handlers sharing one role, at most; each adds its log group's ARN to the role's inline policy,
   * which IAM caps at 10,240 characters per role.
   * @default 40
   * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html
   */
  readonly maxHandlersPerRole?: number;
  /**
   * Roles per nested stack: each role's ARN is an output of its stack (CloudFormation allows 200),
   * and roles kept out of the parent stack leave its 500 resources and 1 MB to everything else.
   * @default 150
   */
  readonly maxRolesPerStack?: number;
  /**
   * The roles may write X-Ray segments (X-Ray's write actions take no resource but `*`).
   * @default false
   * @see https://docs.aws.amazon.com/xray/latest/devguide/security_iam_id-based-policy-examples.html
   */
  readonly tracing?: boolean;
}


/**
 * The handlers' execution roles. Handlers whose chains need exactly the same DynamoDB access share
 * one role (IAM allows 1,000 roles per account by default; one role per App API per environment
 * would exhaust it at about 300 App APIs in three environments). A role allows that access plus
 * writing the log groups of the handlers that use it, and nothing else.
 */
export class HandlerRoles extends Construct {
  private readonly byRoute = new Map<string, iam.Role>();
  /** True when the roles may write X-Ray segments. */
  readonly tracing: boolean;
  /** Every role with the names of the log groups it may write, in creation order. */
  readonly roles: Array<{ readonly role: iam.Role; readonly logGroupNames: readonly string[] }> = [];

  constructor(scope: Construct, id: string, props: HandlerRolesProps) {
    super(scope, id);
    const { manifest } = props;
    this.tracing = props.tracing ?? false;
    const stack = Stack.of(this);
    const maxPerRole = props.maxHandlersPerRole ?? 40;
    const maxRolesPerStack = props.maxRolesPerStack ?? 150;
    const stacks: NestedStack[] = [];
    const nextScope = (): NestedStack => {
      if (this.roles.length % maxRolesPerStack === 0) {
        stacks.push(new NestedStack(this, `Stack${stacks.length + 1}`, { description: `Execution roles of App API handlers in ${manifest.env}` }));
      }
      return stacks[stacks.length - 1]!;
    };
    const bySignature = new Map<string, { statements: iam.PolicyStatement[]; routes: RouteManifest[] }>();
    for (const route of manifest.routes) {
      const statements = dataStatements(stack, route, manifest);
      const signature = JSON.stringify(stack.resolve(statements.map((statement) => statement.toStatementJson())));
      const group = bySignature.get(signature) ?? { statements, routes: [] };
      group.routes.push(route);
      bySignature.set(signature, group);
    }
    for (const [signature, { statements, routes }] of bySignature) {
      const hash = createHash('sha256').update(signature).digest('hex').slice(0, 10);
      for (let start = 0; start < routes.length; start += maxPerRole) {
        const members = routes.slice(start, start + maxPerRole);
        const scope = nextScope();
        const logGroups = members.map((route) =>
          stack.formatArn({ service: 'logs', resource: 'log-group', resourceName: `${handlerLogGroupName(manifest, route)}:*`, arnFormat: ArnFormat.COLON_RESOURCE_NAME }),
        );
        const names = members.map((route) => route.id).join(', ');
        const role = new iam.Role(scope, `Role${hash}${start === 0 ? '' : `-${start / maxPerRole}`}`, {
          assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
          description: `Runs ${names.length > 900 ? `${members.length} App APIs` : names} in ${manifest.env}`,
          inlinePolicies: {
            chain: new iam.PolicyDocument({
              statements: [
                new iam.PolicyStatement({ sid: 'WriteOwnLogs', actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: logGroups }),
                ...(props.tracing ? [new iam.PolicyStatement({ sid: 'WriteTraces', actions: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'], resources: ['*'] })] : []),
                ...statements,
              ],
            }),
          },
        });
        this.roles.push({ role, logGroupNames: members.map((route) => handlerLogGroupName(manifest, route)) });
        for (const route of members) this.byRoute.set(route.id, role);
      }
    }
  }

  /** The role of one App API's handler. */
  roleOf(routeId: string): iam.IRole {
    const role = this.byRoute.get(routeId);
    if (!role) throw new Error(`internal: no handler role for App API ${routeId}`);
    return role;
  }
}

/** Exactly the DynamoDB access a chain's operations need: actions per table, Query per index. */
function dataStatements(stack: Stack, route: RouteManifest, manifest: EnvironmentManifest): iam.PolicyStatement[] {
  const tableArn = (tableName: string, index?: string): string =>
    stack.formatArn({ service: 'dynamodb', resource: 'table', resourceName: index ? `${tableName}/index/${index}` : tableName });
  const statements: iam.PolicyStatement[] = [];
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

function sid(table: string, suffix: string): string {
  const name = table === JOURNEYS ? 'Journeys' : table === IDEMPOTENCY ? 'IdempotencyAnswers' : table.replace(/[^A-Za-z0-9]/g, '');
  return `${name}${suffix}`;
}
