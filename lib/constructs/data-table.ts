import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type { Construct } from 'constructs';
import type { EnvironmentSettings } from './environment-context';

export interface DataTableProps {
  readonly tableName: string;
  readonly partitionKey: dynamodb.Attribute;
  /** @default - no sort key */
  readonly sortKey?: dynamodb.Attribute;
  /** @default - no TTL */
  readonly timeToLiveAttribute?: string;
}

/**
 * Every table of an environment: on-demand, point-in-time recovery, and in a protected
 * environment deletion protection plus RETAIN, so neither a console click nor `cdk destroy`
 * loses data.
 */
export function createDataTable(scope: Construct, id: string, environment: EnvironmentSettings, props: DataTableProps): dynamodb.Table {
  return new dynamodb.Table(scope, id, {
    tableName: props.tableName,
    partitionKey: props.partitionKey,
    ...(props.sortKey ? { sortKey: props.sortKey } : {}),
    ...(props.timeToLiveAttribute ? { timeToLiveAttribute: props.timeToLiveAttribute } : {}),
    billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
    pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
    deletionProtection: environment.deletionProtection,
    removalPolicy: environment.deletionProtection ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
  });
}
