import type { RemovalPolicy } from 'aws-cdk-lib';
import type * as apigateway from 'aws-cdk-lib/aws-apigateway';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { EnvironmentManifest } from '../../lambdas/shared/manifest';
import { AccessLogMetrics } from './monitoring/access-log-metrics';
import { AlarmTopic } from './monitoring/alarm-topic';
import type { AlarmThresholds } from './monitoring/alarm-thresholds';
import { EnvironmentAlarms } from './monitoring/environment-alarms';
import { EnvironmentDashboard } from './monitoring/environment-dashboard';

export type { AlarmThresholds } from './monitoring/alarm-thresholds';

export interface EnvironmentMonitoringProps {
  readonly manifest: EnvironmentManifest;
  readonly stage: apigateway.Stage;
  readonly accessLogs: logs.ILogGroup;
  readonly authorizerFunction: lambda.IFunction;
  readonly webAcl: { readonly metricName: string; readonly ruleMetrics: ReadonlyArray<{ readonly rule: string; readonly metricName: string }> };
  /**
   * Subscribed to the alarm topic by e-mail.
   * @default - no subscription
   */
  readonly alarmEmail?: string;
  /** @default - see AlarmThresholds */
  readonly thresholds?: AlarmThresholds;
  /** Of the topic and its key. @default RemovalPolicy.DESTROY */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * What tells an on-call engineer an environment is broken, and where: access-log metrics, alarms
 * on an SNS topic, and a dashboard, all named `<prefix>-<env>…`. Its size does not grow with the
 * number of App APIs (see EnvironmentAlarms).
 */
export class EnvironmentMonitoring extends Construct {
  readonly topic: AlarmTopic;
  readonly alarms: EnvironmentAlarms;
  readonly dashboard: EnvironmentDashboard;
  readonly accessLogMetrics: AccessLogMetrics;

  constructor(scope: Construct, id: string, props: EnvironmentMonitoringProps) {
    super(scope, id);
    const { manifest } = props;
    const namePrefix = `${manifest.prefix}-${manifest.env}`;
    const tableNames = [manifest.tables.journeys, manifest.tables.apiKeys, manifest.tables.idempotency, ...Object.values(manifest.models).map((model) => model.table)];
    this.accessLogMetrics = new AccessLogMetrics(this, 'AccessLogMetrics', { accessLogs: props.accessLogs, namespace: `AppApi/${namePrefix}` });
    this.topic = new AlarmTopic(this, 'AlarmTopic', { namePrefix, ...(props.alarmEmail ? { email: props.alarmEmail } : {}), ...(props.removalPolicy ? { removalPolicy: props.removalPolicy } : {}) });
    const shared = { namePrefix, stage: props.stage, accessLogMetrics: this.accessLogMetrics, authorizerFunction: props.authorizerFunction, tableNames, webAcl: props.webAcl };
    this.alarms = new EnvironmentAlarms(this, 'Alarms', { ...shared, topic: this.topic.topic, ...(props.thresholds ? { thresholds: props.thresholds } : {}) });
    this.dashboard = new EnvironmentDashboard(this, 'Dashboard', { ...shared, accessLogs: props.accessLogs, alarms: this.alarms.alarms });
  }
}
