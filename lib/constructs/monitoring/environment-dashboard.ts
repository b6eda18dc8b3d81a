import { Duration, Stack } from 'aws-cdk-lib';
import type * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { AccessLogMetrics } from './access-log-metrics';

export interface EnvironmentDashboardProps {
  /** e.g. `appapi-prod`: the dashboard's name. */
  readonly namePrefix: string;
  readonly stage: apigateway.Stage;
  readonly accessLogs: logs.ILogGroup;
  readonly accessLogMetrics: AccessLogMetrics;
  readonly authorizerFunction: lambda.IFunction;
  readonly tableNames: readonly string[];
  readonly webAcl: { readonly metricName: string; readonly ruleMetrics: ReadonlyArray<{ readonly rule: string; readonly metricName: string }> };
  /** @default - none */
  readonly alarms?: readonly cloudwatch.IAlarm[];
}

/** Lines per graph: CloudWatch draws at most 500 series in one widget, and a legend of 20 is readable. */
const TABLES_PER_GRAPH = 20;

/**
 * One dashboard per environment, in the order an on-call engineer reads it: is it on fire (alarms,
 * requests, errors by class, latency), where (top App APIs by latency and by errors, handler
 * failures per App API), and why (authorizer decisions, WAF blocks, DynamoDB capacity).
 */
export class EnvironmentDashboard extends Construct {
  readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: EnvironmentDashboardProps) {
    super(scope, id);
    const { stage, accessLogMetrics: access } = props;
    const minute = Duration.minutes(1);
    const count = (metric: cloudwatch.Metric, label: string) => metric.with({ label, period: minute });
    const requests = stage.metricCount({ period: minute, statistic: 'Sum' });
    const clientErrors = stage.metricClientError({ period: minute, statistic: 'Sum' });
    const serverErrors = stage.metricServerError({ period: minute, statistic: 'Sum' });

    this.dashboard = new cloudwatch.Dashboard(this, 'Resource', {
      dashboardName: props.namePrefix,
      defaultInterval: Duration.hours(3),
    });
    if (props.alarms?.length) {
      this.dashboard.addWidgets(new cloudwatch.AlarmStatusWidget({ title: 'Alarms', alarms: [...props.alarms], width: 24, height: 4 }));
    }
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Requests and answers by status class',
        width: 12,
        left: [
          requests.with({ label: 'requests' }),
          new cloudwatch.MathExpression({ expression: 'requests - clientErrors - serverErrors', usingMetrics: { requests, clientErrors, serverErrors }, label: '2xx/3xx', period: minute }),
          clientErrors.with({ label: '4xx' }),
          serverErrors.with({ label: '5xx' }),
        ],
      }),
      new cloudwatch.GraphWidget({
        title: 'Latency (ms)',
        width: 12,
        left: ['p50', 'p90', 'p99'].map((statistic) => stage.metricLatency({ period: minute, statistic, label: `${statistic} total` })),
        right: [stage.metricIntegrationLatency({ period: minute, statistic: 'p99', label: 'p99 handler (integration)' })],
      }),
    );
    const topRoutes = (title: string, query: string) =>
      new cloudwatch.LogQueryWidget({ title, width: 12, height: 7, logGroupNames: [props.accessLogs.logGroupName], view: cloudwatch.LogQueryVisualizationType.TABLE, queryString: query });
    this.dashboard.addWidgets(
      topRoutes(
        'Top App APIs by p99 latency (access log)',
        'filter ispresent(route) | stats count(*) as requests, pct(latencyMs, 50) as p50, pct(latencyMs, 99) as p99 by method, route | sort p99 desc | limit 10',
      ),
      topRoutes(
        'Top App APIs by errors (access log)',
        'filter status like /^[45]/ | stats count(*) as errors by method, route, status | sort errors desc | limit 10',
      ),
    );
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Handler failures and throttles per App API (top 10)',
        width: 12,
        left: [
          new cloudwatch.MathExpression({ expression: access.perRouteQuery(access.handlerErrorsMetricName, { top: 10 }), usingMetrics: {}, label: 'failures', period: Duration.minutes(5) }),
          new cloudwatch.MathExpression({ expression: access.perRouteQuery(access.handlerThrottlesMetricName, { top: 10 }), usingMetrics: {}, label: 'throttles', period: Duration.minutes(5) }),
        ],
      }),
      new cloudwatch.GraphWidget({
        title: 'Authorizer decisions',
        width: 12,
        left: [count(access.unauthorized, '401 (no or bad token)'), count(access.forbidden, '403 (key not allowed)'), count(access.serviceUnavailable, '503')],
        right: [
          props.authorizerFunction.metricInvocations({ period: minute, label: 'authorizer invocations (cache misses)' }),
          props.authorizerFunction.metricErrors({ period: minute, label: 'authorizer errors' }),
          props.authorizerFunction.metricThrottles({ period: minute, label: 'authorizer throttles' }),
        ],
      }),
    );
    const region = Stack.of(this).region;
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'WAF blocked requests per rule',
        width: 12,
        left: props.webAcl.ruleMetrics.map(
          ({ rule, metricName }) =>
            new cloudwatch.Metric({ namespace: 'AWS/WAFV2', metricName: 'BlockedRequests', dimensionsMap: { WebACL: props.webAcl.metricName, Rule: metricName, Region: region }, statistic: 'Sum', period: minute, label: rule }),
        ),
      }),
      new cloudwatch.GraphWidget({ title: '413 answers (body over 5 MiB)', width: 12, left: [count(access.payloadTooLarge, '413')] }),
    );
    for (let start = 0; start < props.tableNames.length; start += TABLES_PER_GRAPH) {
      const tables = props.tableNames.slice(start, start + TABLES_PER_GRAPH);
      const capacity = (metricName: string) =>
        tables.map((tableName) => new cloudwatch.Metric({ namespace: 'AWS/DynamoDB', metricName, dimensionsMap: { TableName: tableName }, statistic: 'Sum', period: minute, label: tableName }));
      const part = props.tableNames.length > TABLES_PER_GRAPH ? ` (${start + 1}–${start + tables.length})` : '';
      this.dashboard.addWidgets(
        new cloudwatch.GraphWidget({ title: `DynamoDB consumed read capacity${part}`, width: 12, left: capacity('ConsumedReadCapacityUnits') }),
        new cloudwatch.GraphWidget({ title: `DynamoDB consumed write capacity${part}`, width: 12, left: capacity('ConsumedWriteCapacityUnits') }),
      );
    }
  }
}
