import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

export interface AccessLogMetricsProps {
  /** The stage's access log group (one JSON line per request, see GatewayStage). */
  readonly accessLogs: logs.ILogGroup;
  /** e.g. `AppApi/appapi-prod`: one namespace per environment, since a metric filter's dimensions come only from log fields. */
  readonly namespace: string;
}

/** Fields of an access log line are strings ("502", "-"), so patterns compare them as strings. */
const statusIs = (...codes: number[]) => codes.map((code) => `$.status = "${code}"`).join(' || ');

/**
 * Metrics API Gateway does not publish, counted from the stage's access log by metric filters:
 * the statuses that mean an attack or a broken client (401, 403, 413), 503s, and per App API
 * (dimensions Method and Route) the requests whose handler failed or was throttled.
 *
 * `integrationStatus` is what Lambda answered the invoke, not the function: 429 is a throttle,
 * 200 with a 502 means the function failed or answered malformed, "-" with a 504 a timeout.
 * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-variables-for-access-logging.html
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/FilterAndPatternSyntax.html
 */
export class AccessLogMetrics extends Construct {
  readonly unauthorized: cloudwatch.Metric;
  readonly forbidden: cloudwatch.Metric;
  readonly payloadTooLarge: cloudwatch.Metric;
  readonly serviceUnavailable: cloudwatch.Metric;
  /** Metric name of handler failures per App API (dimensions Method, Route); query it with Metrics Insights. */
  readonly handlerErrorsMetricName = 'HandlerErrors';
  /** Metric name of handler throttles per App API (dimensions Method, Route). */
  readonly handlerThrottlesMetricName = 'HandlerThrottles';
  readonly namespace: string;

  constructor(scope: Construct, id: string, props: AccessLogMetricsProps) {
    super(scope, id);
    this.namespace = props.namespace;
    const counter = (filterId: string, metricName: string, pattern: string): cloudwatch.Metric => {
      new logs.MetricFilter(this, filterId, {
        logGroup: props.accessLogs,
        metricNamespace: props.namespace,
        metricName,
        filterPattern: logs.FilterPattern.literal(`{ ${pattern} }`),
        metricValue: '1',
        // zeros keep the series continuous, so metric math over several of them has every point
        defaultValue: 0,
        unit: cloudwatch.Unit.COUNT,
      });
      return new cloudwatch.Metric({ namespace: props.namespace, metricName, statistic: 'Sum', period: Duration.minutes(5) });
    };
    this.unauthorized = counter('Unauthorized', 'Unauthorized', statusIs(401));
    this.forbidden = counter('Forbidden', 'Forbidden', statusIs(403));
    this.payloadTooLarge = counter('PayloadTooLarge', 'PayloadTooLarge', statusIs(413));
    this.serviceUnavailable = counter('ServiceUnavailable', 'ServiceUnavailable', statusIs(503));

    const perRoute = (filterId: string, metricName: string, pattern: string): void => {
      // no default value: CloudWatch allows none with dimensions, and a route that never fails costs no metric
      new logs.MetricFilter(this, filterId, {
        logGroup: props.accessLogs,
        metricNamespace: props.namespace,
        metricName,
        filterPattern: logs.FilterPattern.literal(`{ ${pattern} }`),
        metricValue: '1',
        dimensions: { Method: '$.method', Route: '$.route' },
        unit: cloudwatch.Unit.COUNT,
      });
    };
    perRoute(
      'HandlerErrors',
      this.handlerErrorsMetricName,
      `(${statusIs(502, 504)} || ($.status = "500" && $.integrationStatus = "200")) && $.integrationStatus != "429"`,
    );
    perRoute('HandlerThrottles', this.handlerThrottlesMetricName, '$.integrationStatus = "429"');
  }

  /**
   * A Metrics Insights query over a per-route metric: one time series per App API, so an alarm on
   * it has each App API as a contributor, and one alarm covers every route.
   * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/Create_Metrics_Insights_Alarm.html
   */
  perRouteQuery(metricName: string, options: { top?: number } = {}): string {
    const order = options.top ? ` ORDER BY SUM() DESC LIMIT ${options.top}` : '';
    return `SELECT SUM(${metricName}) FROM SCHEMA("${this.namespace}", Method, Route) GROUP BY Method, Route${order}`;
  }
}
