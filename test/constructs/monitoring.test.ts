// Shares a process: cdk-stacks (it only builds and synthesizes CDK apps; see scripts/run-tests.ts)
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Duration } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { ApiApp, ApiAuth, AppApi, op, type AppDeclaration } from '../../lib';
import { allTemplates, environmentStack } from '../support/cdk';
import { generatedApp } from '../support/generated-app';

// CloudWatch, SNS and X-Ray have no local emulator: what is deployed is checked as synthesized templates.
const tiny: AppDeclaration = (environment) => {
  const app = new ApiApp(environment, 'Tiny');
  new AppApi(app, 'Health', { method: 'GET', path: '/health', auth: ApiAuth.public(), chain: [op.respond({ body: { status: 'ok' } })] });
};

type Resources = Record<string, { Type: string; Properties: Record<string, unknown> }>;
const alarmsOf = (template: Template) => Object.values(template.findResources('AWS::CloudWatch::Alarm') as Resources).map((alarm) => alarm.Properties);
const alarmNamed = (template: Template, name: string) => {
  const alarm = alarmsOf(template).find((properties) => properties.AlarmName === name);
  assert.ok(alarm, `no alarm ${name}; have ${alarmsOf(template).map((p) => p.AlarmName).join(', ')}`);
  return alarm;
};
/** The alarms that are not per DynamoDB table: the part that must not grow with App APIs. */
const FIXED_ALARMS = ['api-5xx-rate', 'api-p99-latency', 'client-error-burst', 'unavailable-503', 'authorizer-failures', 'handler-errors', 'handler-throttles'];
const WAF_RULES = ['ContentLengthOverLimit', 'ContentLengthNotANumber', 'ChunkedBody', 'BodyWithoutContentLength', 'CompressedBody'];

describe('environment monitoring', () => {
  it('is on by default in prod and off elsewhere: dev has no alarm, topic, dashboard or metric filter', () => {
    const dev = Template.fromStack(environmentStack([tiny]));
    for (const type of ['AWS::CloudWatch::Alarm', 'AWS::SNS::Topic', 'AWS::CloudWatch::Dashboard', 'AWS::Logs::MetricFilter', 'AWS::KMS::Key']) dev.resourceCountIs(type, 0);
    const prod = environmentStack([tiny], { environment: 'prod' });
    assert.ok(prod.monitoring);
    Template.fromStack(prod).resourceCountIs('AWS::CloudWatch::Dashboard', 1);
    const optedIn = Template.fromStack(environmentStack([tiny], { environment: 'staging', monitoring: true }));
    optedIn.hasResourceProperties('AWS::CloudWatch::Dashboard', { DashboardName: 'appapi-staging' });
    const optedOut = Template.fromStack(environmentStack([tiny], { environment: 'prod', monitoring: false }));
    optedOut.resourceCountIs('AWS::CloudWatch::Alarm', 0);
  });

  describe('in prod', () => {
    const stack = environmentStack([tiny], { environment: 'prod', alarmEmail: 'oncall@example.com' });
    const template = Template.fromStack(stack);
    const topicRef = { Ref: stack.getLogicalId(stack.monitoring!.topic.topic.node.defaultChild as never) };

    it('sends alarms to an SNS topic encrypted with a rotated key CloudWatch may use, TLS only, with the e-mail subscribed', () => {
      template.hasResourceProperties('AWS::SNS::Topic', { TopicName: 'appapi-prod-alarms', KmsMasterKeyId: Match.anyValue() });
      template.hasResourceProperties('AWS::KMS::Key', {
        EnableKeyRotation: true,
        KeyPolicy: {
          Statement: Match.arrayWith([
            Match.objectLike({ Principal: { Service: 'cloudwatch.amazonaws.com' }, Action: ['kms:Decrypt', 'kms:GenerateDataKey*'], Effect: 'Allow' }),
          ]),
        },
      });
      template.hasResourceProperties('AWS::SNS::TopicPolicy', {
        PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
      });
      template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'oncall@example.com', TopicArn: topicRef });
    });

    it('has the fixed alarms, one per WAF rule and one per table, each notifying the topic on alarm and on recovery', () => {
      const names = alarmsOf(template).map((properties) => properties.AlarmName).sort();
      const tables = ['journeys', 'api-keys', 'idempotency'].map((table) => `appapi-prod-dynamodb-appapi-prod-${table}`);
      assert.deepEqual(names, [...FIXED_ALARMS.map((name) => `appapi-prod-${name}`), ...WAF_RULES.map((rule) => `appapi-prod-waf-${rule}`), ...tables].sort());
      for (const alarm of alarmsOf(template)) {
        assert.deepEqual(alarm.AlarmActions, [topicRef], `${alarm.AlarmName} notifies the topic`);
        assert.deepEqual(alarm.OKActions, [topicRef], `${alarm.AlarmName} says when it recovers`);
        assert.equal(alarm.TreatMissingData, 'notBreaching');
        assert.match(String(alarm.AlarmDescription), /Operating in production/);
      }
    });

    it('5xx rate: share of the stage\'s requests, only for minutes with enough of them, 3 of 5 minutes', () => {
      const alarm = alarmNamed(template, 'appapi-prod-api-5xx-rate');
      assert.equal(alarm.Threshold, 1);
      assert.equal(alarm.EvaluationPeriods, 5);
      assert.equal(alarm.DatapointsToAlarm, 3);
      const metrics = alarm.Metrics as Array<{ Id: string; Expression?: string; MetricStat?: { Metric: { MetricName: string; Dimensions: Array<{ Name: string; Value: unknown }> } } }>;
      assert.equal(metrics.find((m) => m.Expression)?.Expression, 'IF(requests >= 20, 100 * errors / requests, 0)');
      const errors = metrics.find((m) => m.Id === 'errors')!.MetricStat!.Metric;
      assert.equal(errors.MetricName, '5XXError');
      assert.deepEqual(errors.Dimensions.map((d) => d.Name).sort(), ['ApiName', 'Stage']);
    });

    it('p99 latency of the stage, in milliseconds', () => {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', { AlarmName: 'appapi-prod-api-p99-latency', MetricName: 'Latency', Namespace: 'AWS/ApiGateway', ExtendedStatistic: 'p99', Threshold: 3000, EvaluationPeriods: 3 });
    });

    it('counts 401, 403, 413 and 503 from the access log, and handler failures and throttles per App API (Method, Route)', () => {
      const filters = Object.values(template.findResources('AWS::Logs::MetricFilter') as Resources).map((f) => f.Properties as { FilterPattern: string; MetricTransformations: Array<Record<string, unknown>> });
      const byMetric = new Map(filters.map((f) => [f.MetricTransformations[0]!.MetricName as string, f]));
      assert.deepEqual([...byMetric.keys()].sort(), ['Forbidden', 'HandlerErrors', 'HandlerThrottles', 'PayloadTooLarge', 'ServiceUnavailable', 'Unauthorized']);
      assert.equal(byMetric.get('Unauthorized')!.FilterPattern, '{ $.status = "401" }');
      assert.equal(byMetric.get('HandlerThrottles')!.FilterPattern, '{ $.integrationStatus = "429" }');
      assert.match(byMetric.get('HandlerErrors')!.FilterPattern, /\$\.status = "502" \|\| \$\.status = "504" \|\| \(\$\.status = "500" && \$\.integrationStatus = "200"\)/);
      for (const name of ['HandlerErrors', 'HandlerThrottles']) {
        const transformation = byMetric.get(name)!.MetricTransformations[0]!;
        assert.deepEqual(transformation.Dimensions, [{ Key: 'Method', Value: '$.method' }, { Key: 'Route', Value: '$.route' }]);
        assert.equal(transformation.DefaultValue, undefined, 'CloudWatch refuses a default value with dimensions');
        assert.equal(transformation.MetricNamespace, 'AppApi/appapi-prod');
      }
      // the access log carries the fields the filters read
      template.hasResourceProperties('AWS::ApiGateway::Stage', { AccessLogSetting: { Format: Match.stringLikeRegexp('"integrationStatus":"\\$context.integrationStatus"') } });
    });

    it('handler failures and throttles are one alarm each over every App API: a Metrics Insights query grouped by route', () => {
      for (const [name, metric] of [['handler-errors', 'HandlerErrors'], ['handler-throttles', 'HandlerThrottles']]) {
        const alarm = alarmNamed(template, `appapi-prod-${name}`);
        const [query] = alarm.Metrics as Array<{ Expression: string; Period: number; ReturnData: boolean }>;
        assert.equal(query!.Expression, `SELECT SUM(${metric}) FROM SCHEMA("AppApi/appapi-prod", Method, Route) GROUP BY Method, Route`);
        assert.equal(query!.Period, 300);
        assert.equal((alarm.Metrics as unknown[]).length, 1);
      }
    });

    it('authorizer failures: its function\'s errors plus throttles', () => {
      const alarm = alarmNamed(template, 'appapi-prod-authorizer-failures');
      const metrics = alarm.Metrics as Array<{ Expression?: string; MetricStat?: { Metric: { MetricName: string; Dimensions: Array<{ Name: string; Value: { Ref: string } }> } } }>;
      assert.equal(metrics.find((m) => m.Expression)?.Expression, 'errors + throttles');
      const authorizerRef = { Ref: stack.getLogicalId(stack.authorizer.function.node.defaultChild as never) };
      for (const metric of metrics.filter((m) => m.MetricStat)) assert.deepEqual(metric.MetricStat!.Metric.Dimensions, [{ Name: 'FunctionName', Value: authorizerRef }]);
    });

    it('WAF: one alarm per rule on BlockedRequests, by the visibility configs\' metric names', () => {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        AlarmName: 'appapi-prod-waf-ContentLengthOverLimit',
        Namespace: 'AWS/WAFV2',
        MetricName: 'BlockedRequests',
        Threshold: 100,
      });
      const dimensions = alarmNamed(template, 'appapi-prod-waf-ContentLengthOverLimit').Dimensions as Array<{ Name: string; Value: unknown }>;
      assert.deepEqual(dimensions.find((d) => d.Name === 'WebACL')?.Value, 'appapi-prod-acl');
      assert.deepEqual(dimensions.find((d) => d.Name === 'Rule')?.Value, 'appapi-prod-ContentLengthOverLimit');
      assert.deepEqual(dimensions.find((d) => d.Name === 'Region')?.Value, { Ref: 'AWS::Region' });
      template.hasResourceProperties('AWS::WAFv2::WebACL', { VisibilityConfig: Match.objectLike({ MetricName: 'appapi-prod-acl' }) });
    });

    it('DynamoDB: per table, throttle events and system errors in one expression of at most 10 metrics', () => {
      const alarm = alarmNamed(template, 'appapi-prod-dynamodb-appapi-prod-journeys');
      const metrics = alarm.Metrics as Array<{ Expression?: string; MetricStat?: { Metric: { MetricName: string; Dimensions: Array<{ Name: string; Value: string }> } } }>;
      const stats = metrics.filter((m) => m.MetricStat).map((m) => m.MetricStat!.Metric);
      assert.equal(stats.length, 10);
      assert.deepEqual([...new Set(stats.map((m) => m.MetricName))].sort(), ['ReadThrottleEvents', 'SystemErrors', 'WriteThrottleEvents']);
      for (const metric of stats) assert.deepEqual(metric.Dimensions.find((d) => d.Name === 'TableName'), { Name: 'TableName', Value: 'appapi-prod-journeys' });
      assert.match(metrics.find((m) => m.Expression)!.Expression!, /^SUM\(\[FILL\(readThrottles, 0\), FILL\(writeThrottles, 0\), FILL\(systemErrors0, 0\)/);
    });

    it('one dashboard: alarms, requests by status class, latency percentiles, top App APIs from the access log, authorizer decisions, WAF blocks, DynamoDB capacity', () => {
      const [dashboard] = Object.values(template.findResources('AWS::CloudWatch::Dashboard') as Resources);
      const body = JSON.stringify(stack.resolve(dashboard!.Properties.DashboardBody));
      for (const title of [
        'Alarms',
        'Requests and answers by status class',
        'Latency (ms)',
        'Top App APIs by p99 latency (access log)',
        'Top App APIs by errors (access log)',
        'Handler failures and throttles per App API (top 10)',
        'Authorizer decisions',
        'WAF blocked requests per rule',
        'DynamoDB consumed read capacity',
        'DynamoDB consumed write capacity',
      ]) {
        assert.ok(body.includes(title), `dashboard lacks "${title}"`);
      }
      assert.ok(body.includes('pct(latencyMs, 99)'));
      assert.ok(body.includes('ORDER BY SUM() DESC LIMIT 10'));
    });

    it('outputs the access log group, which `appapi logs` reads', () => {
      const [stageLogs] = Object.keys(template.findResources('AWS::Logs::LogGroup')).filter((id) => id.startsWith('StageAccessLogs'));
      template.hasOutput('AccessLogGroupName', { Value: { Ref: stageLogs } });
    });
  });

  it('thresholds are configurable; an impossible one is refused with the fix', () => {
    const template = Template.fromStack(environmentStack([tiny], { environment: 'prod', alarmThresholds: { latencyP99: Duration.millis(1500), handlerErrors: 1 } }));
    assert.equal(alarmNamed(template, 'appapi-prod-api-p99-latency').Threshold, 1500);
    assert.equal(alarmNamed(template, 'appapi-prod-handler-errors').Threshold, 1);
    assert.throws(() => environmentStack([tiny], { environment: 'prod', alarmThresholds: { serverErrorRatePercent: 150 } }), /serverErrorRatePercent is 150; it is a percentage of requests, at most 100/);
    assert.throws(() => environmentStack([tiny], { environment: 'prod', alarmThresholds: { clientErrorBurst: -1 } }), /clientErrorBurst is -1; give a number of 0 or more, e\.g\. clientErrorBurst: 200/);
  });

  it('error flow: an alarm e-mail without monitoring is refused, saying how to fix it', () => {
    assert.throws(() => environmentStack([tiny], { environment: 'dev', alarmEmail: 'a@example.com' }), /alarmEmail is set but monitoring is off in dev.*set monitoring: true .*or remove alarmEmail/);
  });

  it('300 App APIs add no alarm: the count is the fixed set, 5 WAF rules and one per table, all in the parent stack', () => {
    const small = environmentStack([generatedApp(30)], { environment: 'prod' });
    const large = environmentStack([generatedApp(300)], { environment: 'prod' });
    const routeAlarms = (stack: typeof large) => alarmsOf(Template.fromStack(stack)).filter((a) => !String(a.AlarmName).includes('-dynamodb-')).length;
    assert.equal(routeAlarms(small), FIXED_ALARMS.length + WAF_RULES.length);
    assert.equal(routeAlarms(large), FIXED_ALARMS.length + WAF_RULES.length);
    const tables = 3 + Object.keys(large.manifest.models).length;
    assert.equal(tables, 33);
    let total = 0;
    for (const { template } of allTemplates(large)) total += Object.keys(template.findResources('AWS::CloudWatch::Alarm')).length;
    assert.equal(total, FIXED_ALARMS.length + WAF_RULES.length + tables, '300 App APIs: 45 alarms, not 900');
    assert.equal(Object.keys(Template.fromStack(large).findResources('AWS::Logs::MetricFilter')).length, 6);
  });
});
