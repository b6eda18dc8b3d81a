import { Duration, Stack } from 'aws-cdk-lib';
import type * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import type { AccessLogMetrics } from './access-log-metrics';
import type { AlarmThresholds } from './alarm-thresholds';
import { resolveThresholds } from './alarm-thresholds';

export interface EnvironmentAlarmsProps {
  /** e.g. `appapi-prod`: every alarm's name starts with it. */
  readonly namePrefix: string;
  readonly stage: apigateway.Stage;
  readonly accessLogMetrics: AccessLogMetrics;
  readonly authorizerFunction: lambda.IFunction;
  /** Every DynamoDB table of the environment, by name. */
  readonly tableNames: readonly string[];
  /** The payload-limit web ACL's metric names. */
  readonly webAcl: { readonly metricName: string; readonly ruleMetrics: ReadonlyArray<{ readonly rule: string; readonly metricName: string }> };
  readonly topic: sns.ITopic;
  /** @default - see AlarmThresholds */
  readonly thresholds?: AlarmThresholds;
}

const RUNBOOK = 'See README, "Operating in production".';
/** Operations the runtime, the authorizer and the CLI call; SystemErrors is published per operation. */
const TABLE_OPERATIONS = ['GetItem', 'PutItem', 'UpdateItem', 'DeleteItem', 'Query', 'Scan', 'TransactWriteItems', 'BatchWriteItem'];

/**
 * An environment's alarms, each notifying the topic when it fires and when it recovers. Their
 * number does not grow with App APIs: handler failures and throttles are one alarm each over every
 * route (a Metrics Insights query grouped by route, each App API a contributor), so 300 App APIs
 * add no alarm. DynamoDB adds one per table (throttles and system errors in one metric math
 * expression), WAF one per rule.
 */
export class EnvironmentAlarms extends Construct {
  readonly alarms: cloudwatch.Alarm[] = [];

  constructor(scope: Construct, id: string, props: EnvironmentAlarmsProps) {
    super(scope, id);
    const thresholds = resolveThresholds(props.thresholds);
    const { stage, accessLogMetrics: access, namePrefix } = props;
    const minutes = (count: number) => Duration.minutes(count);
    const add = (alarmId: string, name: string, description: string, options: Omit<cloudwatch.AlarmProps, 'alarmName' | 'alarmDescription'>): void => {
      const alarm = new cloudwatch.Alarm(this, alarmId, {
        alarmName: `${namePrefix}-${name}`,
        alarmDescription: `${description} ${RUNBOOK}`,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        ...options,
      });
      alarm.addAlarmAction(new actions.SnsAction(props.topic));
      alarm.addOkAction(new actions.SnsAction(props.topic));
      this.alarms.push(alarm);
    };

    add('ServerErrorRate', 'api-5xx-rate', `More than ${thresholds.serverErrorRatePercent}% of requests answered 5xx in 3 of the last 5 minutes.`, {
      metric: new cloudwatch.MathExpression({
        expression: 'IF(requests >= 20, 100 * errors / requests, 0)',
        usingMetrics: { errors: stage.metricServerError({ period: minutes(1), statistic: 'Sum' }), requests: stage.metricCount({ period: minutes(1), statistic: 'Sum' }) },
        label: '5xx %',
        period: minutes(1),
      }),
      threshold: thresholds.serverErrorRatePercent,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 5,
      datapointsToAlarm: 3,
    });
    const latencyMs = thresholds.latencyP99.toMilliseconds();
    add('LatencyP99', 'api-p99-latency', `p99 latency of the stage above ${latencyMs} ms for 15 minutes.`, {
      metric: stage.metricLatency({ period: minutes(5), statistic: 'p99' }),
      threshold: latencyMs,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 3,
    });
    add('ClientErrorBurst', 'client-error-burst', `${thresholds.clientErrorBurst} or more 401, 403 and 413 answers in 5 minutes: an attack, a revoked or leaked key still in use, or a broken client.`, {
      metric: new cloudwatch.MathExpression({
        expression: 'unauthorized + forbidden + tooLarge',
        usingMetrics: { unauthorized: access.unauthorized, forbidden: access.forbidden, tooLarge: access.payloadTooLarge },
        label: '401 + 403 + 413',
        period: minutes(5),
      }),
      threshold: thresholds.clientErrorBurst,
      evaluationPeriods: 1,
    });
    add('Unavailable', 'unavailable-503', `${thresholds.unavailableResponses} or more 503 answers in 5 minutes: DynamoDB throttling or unreachable, or chains running past their deadline.`, {
      metric: access.serviceUnavailable,
      threshold: thresholds.unavailableResponses,
      evaluationPeriods: 1,
    });
    add('AuthorizerFailures', 'authorizer-failures', `The authorizer function failed or was throttled ${thresholds.authorizerFailures} or more times in 5 minutes; callers with a key got 500.`, {
      metric: new cloudwatch.MathExpression({
        expression: 'errors + throttles',
        usingMetrics: {
          errors: props.authorizerFunction.metricErrors({ period: minutes(5), statistic: 'Sum' }),
          throttles: props.authorizerFunction.metricThrottles({ period: minutes(5), statistic: 'Sum' }),
        },
        label: 'authorizer errors + throttles',
        period: minutes(5),
      }),
      threshold: thresholds.authorizerFailures,
      evaluationPeriods: 1,
    });
    add('HandlerErrors', 'handler-errors', `An App API's handler failed (502, 504, or 500 from the function) ${thresholds.handlerErrors} or more times in 5 minutes; the alarm's contributors name the App APIs (Method, Route).`, {
      metric: new cloudwatch.MathExpression({ expression: access.perRouteQuery(access.handlerErrorsMetricName), usingMetrics: {}, label: 'handler failures', period: minutes(5) }),
      threshold: thresholds.handlerErrors,
      evaluationPeriods: 1,
    });
    add('HandlerThrottles', 'handler-throttles', `Lambda throttled an App API's handler ${thresholds.handlerThrottles} or more times in 5 minutes (the account's concurrency is used up); the contributors name the App APIs.`, {
      metric: new cloudwatch.MathExpression({ expression: access.perRouteQuery(access.handlerThrottlesMetricName), usingMetrics: {}, label: 'handler throttles', period: minutes(5) }),
      threshold: thresholds.handlerThrottles,
      evaluationPeriods: 1,
    });

    const region = Stack.of(this).region;
    for (const { rule, metricName } of props.webAcl.ruleMetrics) {
      add(`WafBlocked${rule}`, `waf-${rule}`, `WAF rule ${rule} blocked ${thresholds.wafBlockedRequests} or more requests in 5 minutes: a client sending bodies the API refuses, or an attack.`, {
        // WebACL and Rule are the metric names of the visibility configs
        // (https://docs.aws.amazon.com/waf/latest/developerguide/waf-metrics.html)
        metric: new cloudwatch.Metric({
          namespace: 'AWS/WAFV2',
          metricName: 'BlockedRequests',
          dimensionsMap: { WebACL: props.webAcl.metricName, Rule: metricName, Region: region },
          statistic: 'Sum',
          period: minutes(5),
        }),
        threshold: thresholds.wafBlockedRequests,
        evaluationPeriods: 1,
      });
    }

    for (const tableName of props.tableNames) {
      const metric = (metricName: string, operation?: string) =>
        new cloudwatch.Metric({ namespace: 'AWS/DynamoDB', metricName, dimensionsMap: { TableName: tableName, ...(operation ? { Operation: operation } : {}) }, statistic: 'Sum', period: minutes(5) });
      // metric math takes at most 10 metrics: 2 throttle counts and 8 operations' system errors
      const usingMetrics: Record<string, cloudwatch.IMetric> = { readThrottles: metric('ReadThrottleEvents'), writeThrottles: metric('WriteThrottleEvents') };
      TABLE_OPERATIONS.forEach((operation, index) => (usingMetrics[`systemErrors${index}`] = metric('SystemErrors', operation)));
      add(`Table${tableName.replace(/[^A-Za-z0-9]/g, '')}`, `dynamodb-${tableName}`, `DynamoDB table ${tableName} throttled requests or answered system errors ${thresholds.dynamoDbFailures} or more times in 5 minutes; requests touching it answered 503.`, {
        metric: new cloudwatch.MathExpression({ expression: `SUM([${Object.keys(usingMetrics).map((key) => `FILL(${key}, 0)`).join(', ')}])`, usingMetrics, label: `${tableName} throttles + system errors`, period: minutes(5) }),
        threshold: thresholds.dynamoDbFailures,
        evaluationPeriods: 1,
      });
    }
  }
}
