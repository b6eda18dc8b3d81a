// Shares a process: cli (its commands get the file's own tables and data folder; its AWS mocks are restored in after; see scripts/run-tests.ts)
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { CloudWatchLogsClient, FilterLogEventsCommand, StartLiveTailCommand, type StartLiveTailResponseStream } from '@aws-sdk/client-cloudwatch-logs';
import { mockClient, type AwsClientStub } from 'aws-sdk-client-mock';
import { ApiApp, ApiAuth, AppApi, op, type AppDeclaration } from '../../lib';
import { parseSince, type LogsDeps } from '../../lib/cli/logs-command';
import { runCli } from '../../lib/cli/main';
import { environmentStack } from '../support/cdk';

// CloudWatch Logs (FilterLogEvents, Live Tail) and CloudFormation have no local emulator, so the SDK
// calls are checked against aws-sdk-client-mock, answering with lines shaped as AWS writes them.
const shop: AppDeclaration = (environment) => {
  const app = new ApiApp(environment, 'Shop');
  new AppApi(app, 'GetOrder', { method: 'GET', path: '/orders/{orderId}', auth: ApiAuth.keyGroups('partners'), chain: [op.respond({ body: '{% $params %}' })] });
  new AppApi(app, 'Health', { method: 'GET', path: '/health', auth: ApiAuth.public(), chain: [op.respond({ body: { ok: true } })] });
  new AppApi(app, 'Unused', { method: 'DELETE', path: '/orders/{orderId}', auth: ApiAuth.keyGroups('ops'), chain: [op.respond({ status: 204 })] });
};
const manifest = environmentStack([shop]).manifest;
const NOW = Date.parse('2030-01-02T03:04:05.000Z');
const ACCESS = 'AppApi-dev-StageAccessLogs1234-abcd';
const group = (routeId: string) => `/appapi/appapi-dev/shop/${routeId}`;

const accessLine = (requestId: string, method: string, route: string, status: number, extra: Record<string, string> = {}) =>
  JSON.stringify({ requestId, time: '02/Jan/2030:03:00:00 +0000', method, route, path: route, status: String(status), latencyMs: '42', keyId: 'key-1', responseLength: '10', error: '-', integrationStatus: '200', waf: 'WAF_ALLOW', traceId: '-', ...extra });
/** As Lambda's Node.js runtime writes console output: time, request id, level, message. */
const lambdaLine = (fields: Record<string, unknown>) => `2030-01-02T03:00:00.000Z\t6f1c3e2a-aaaa-bbbb-cccc-000000000000\tINFO\t${JSON.stringify(fields)}`;
const trace = (requestId: string) =>
  lambdaLine({
    level: 'debug',
    msg: 'trace',
    requestId,
    route: 'GetOrder',
    status: 200,
    ms: 12.5,
    attempts: 1,
    steps: [{ step: 'respond', op: 'respond', startMs: 1, ms: 0.4, output: '{"orderId":"o-1"}' }],
    dynamo: [{ command: 'Get', tables: ['appapi-dev-orders'], startMs: 2, ms: 3.2, consumedCapacity: 0.5 }],
  });

describe('appapi logs', () => {
  // no AWS account: the AWS calls are mocked, for this suite only (installed in before, restored in
  // after), since other files of the same process (`// Shares a process:`) may mock the same clients
  let cloudFormation: AwsClientStub<CloudFormationClient>;
  let logs: AwsClientStub<CloudWatchLogsClient>;
  before(() => {
    cloudFormation = mockClient(CloudFormationClient);
    logs = mockClient(CloudWatchLogsClient);
  });
  after(() => {
    cloudFormation.restore();
    logs.restore();
  });
  let lines: { out: string[]; err: string[] };
  let regions: Array<string | undefined>;
  let groups: Record<string, Array<{ message: string; timestamp: number }>>;

  const deps: LogsDeps = {
    context: { 'appapi:environments': [{ name: 'dev', account: '111111111111', region: 'eu-west-1' }] },
    now: () => new Date(NOW),
    loadManifest: () => manifest,
    openClients: (region) => {
      regions.push(region);
      return { cloudFormation: new CloudFormationClient({ region: region ?? 'us-east-1' }), logs: new CloudWatchLogsClient({ region: region ?? 'us-east-1' }) };
    },
  };
  const run = (...argv: string[]) => runCli(['logs', ...argv], { out: (line) => lines.out.push(line), err: (line) => lines.err.push(line) }, { logs: deps });
  const filterCalls = () => logs.commandCalls(FilterLogEventsCommand).map((call) => call.args[0].input);

  beforeEach(() => {
    cloudFormation.reset();
    logs.reset();
    lines = { out: [], err: [] };
    regions = [];
    groups = {
      [ACCESS]: [
        { message: accessLine('req-1', 'GET', '/orders/{orderId}', 200), timestamp: NOW - 60_000 },
        { message: accessLine('req-2', 'GET', '/health', 200), timestamp: NOW - 50_000 },
        { message: accessLine('req-3', 'GET', '/orders/{orderId}', 401, { keyId: '-', error: 'Unauthorized', integrationStatus: '-' }), timestamp: NOW - 40_000 },
        { message: accessLine('req-4', 'GET', '/orders/{orderId}', 503), timestamp: NOW - 30_000 },
      ],
      [group('GetOrder')]: [
        { message: 'START RequestId: 6f1c3e2a Version: $LATEST', timestamp: NOW - 60_010 },
        { message: trace('req-1'), timestamp: NOW - 60_005 },
        { message: lambdaLine({ level: 'info', msg: 'request', requestId: 'req-1', route: 'GetOrder', method: 'GET', status: 200, latencyMs: 13, keyId: 'key-1' }), timestamp: NOW - 60_004 },
        { message: lambdaLine({ level: 'error', requestId: 'req-4', route: 'GetOrder', code: 'storage_unavailable', detail: 'DynamoDB is unavailable: ThrottlingException.' }), timestamp: NOW - 30_002 },
        { message: lambdaLine({ level: 'info', msg: 'request', requestId: 'req-4', route: 'GetOrder', method: 'GET', status: 503, latencyMs: 900 }), timestamp: NOW - 30_001 },
        { message: lambdaLine({ level: 'info', msg: 'request', requestId: 'req-9', route: 'GetOrder', method: 'GET', status: 200, latencyMs: 5 }), timestamp: NOW - 20_000 },
      ],
      [group('Health')]: [{ message: lambdaLine({ level: 'info', msg: 'request', requestId: 'req-2', route: 'Health', method: 'GET', status: 200, latencyMs: 2 }), timestamp: NOW - 50_001 }],
    };
    cloudFormation.on(DescribeStacksCommand).resolves({
      Stacks: [
        {
          StackName: 'AppApi-dev',
          StackId: 'arn:aws:cloudformation:eu-west-1:111111111111:stack/AppApi-dev/0f0f0f0f',
          StackStatus: 'UPDATE_COMPLETE',
          CreationTime: new Date(),
          Outputs: [{ OutputKey: 'RestApiId', OutputValue: 'a1b2c3' }, { OutputKey: 'AccessLogGroupName', OutputValue: ACCESS }],
        },
      ],
    });
    // pages of two events, to prove nextToken is followed; JSON filter patterns on requestId are applied like CloudWatch would
    logs.on(FilterLogEventsCommand).callsFake((input: { logGroupName: string; nextToken?: string; filterPattern?: string; startTime: number; endTime: number }) => {
      const wantedId = /\$\.requestId = "([^"]+)"/.exec(input.filterPattern ?? '')?.[1];
      const wantedRoute = /\$\.method = "([^"]+)" && \$\.route = "([^"]+)"/.exec(input.filterPattern ?? '');
      const matching = (groups[input.logGroupName] ?? [])
        .filter((event) => event.timestamp >= input.startTime && event.timestamp <= input.endTime)
        .filter((event) => !wantedId || event.message.includes(`"requestId":"${wantedId}"`))
        .filter((event) => !wantedRoute || (event.message.includes(`"method":"${wantedRoute[1]}"`) && event.message.includes(`"route":"${wantedRoute[2]}"`)));
      const start = Number(input.nextToken ?? 0);
      const page = matching.slice(start, start + 2);
      return { events: page, ...(start + 2 < matching.length ? { nextToken: String(start + 2) } : {}) };
    });
  });

  it('happy flow: one line per request from the access log, joined with its handler\'s errors and chain trace', async () => {
    assert.equal(await run('--env', 'dev', '--since', '5m'), 0);
    assert.deepEqual(regions, ['eu-west-1']);
    assert.deepEqual(cloudFormation.commandCalls(DescribeStacksCommand).map((call) => call.args[0].input), [{ StackName: 'AppApi-dev' }]);
    const output = lines.out.join('\n');
    assert.deepEqual(
      lines.out.filter((line) => !line.startsWith(' ')),
      [
        '2030-01-02T03:03:04.995Z  GET  /orders/{orderId}  200  42 ms  GetOrder  key=key-1  request=req-1',
        '2030-01-02T03:03:14.999Z  GET  /health  200  42 ms  Health  key=key-1  request=req-2',
        '2030-01-02T03:03:25.000Z  GET  /orders/{orderId}  401  42 ms  GetOrder  request=req-3',
        '2030-01-02T03:03:34.998Z  GET  /orders/{orderId}  503  42 ms  GetOrder  key=key-1  request=req-4',
      ],
      'the time is the earliest line of the request: the handler logs before the gateway',
    );
    assert.match(output, /request=req-1\n  trace: 1 steps, 1 DynamoDB calls, 12\.5 ms\n    1\. respond \(respond\) 0\.4 ms → \{"orderId":"o-1"\}\n    · Get appapi-dev-orders 3\.2 ms 0\.5 capacity units/);
    assert.match(output, /request=req-3\n  gateway: Unauthorized/);
    assert.match(output, /request=req-4\n  error: storage_unavailable — DynamoDB is unavailable: ThrottlingException\./);
    assert.doesNotMatch(output, /req-9/, 'a handler line of a request not shown is left out');
    const calls = filterCalls();
    assert.deepEqual(calls[0], { logGroupName: ACCESS, startTime: NOW - 300_000, endTime: NOW, limit: 10_000 });
    assert.equal(calls.filter((call) => call.logGroupName === ACCESS).length, 2, 'the second page is read with nextToken');
    assert.deepEqual([...new Set(calls.map((call) => call.logGroupName))].sort(), [ACCESS, group('GetOrder'), group('Health')].sort(), 'only handlers the requests went to are read');
  });

  it('--route reads that App API\'s access lines (by method and path) and its handler log only', async () => {
    assert.equal(await run('--env', 'dev', '--route', 'getorder', '--json'), 0);
    const calls = filterCalls();
    assert.equal(calls[0]!.filterPattern, '{ $.method = "GET" && $.route = "/orders/{orderId}" }');
    assert.deepEqual([...new Set(calls.map((call) => call.logGroupName))], [ACCESS, group('GetOrder')]);
    const records = lines.out.map((line) => JSON.parse(line) as { requestId: string; trace?: unknown; access?: unknown });
    assert.deepEqual(records.map((record) => record.requestId), ['req-1', 'req-3', 'req-4', 'req-9']);
    assert.ok(records[0]!.trace);
    assert.equal(records[3]!.access, undefined, 'a handler line without its access line (not delivered yet) still shows with --route');
  });

  it('--request-id finds one request in both logs; one that is not there exits 1 and says to widen --since', async () => {
    assert.equal(await run('--env', 'dev', '--request-id', 'req-4'), 0);
    assert.ok(filterCalls().every((call) => call.filterPattern === '{ $.requestId = "req-4" }'));
    assert.equal(lines.out.filter((line) => !line.startsWith(' ')).length, 1);
    assert.match(lines.out.join('\n'), /503 .*request=req-4\n  error: storage_unavailable/);
    lines = { out: [], err: [] };
    assert.equal(await run('--env', 'dev', '--request-id', 'req-404', '--since', '1h'), 1);
    assert.match(lines.err.join('\n'), /No request req-404 in the logs of AppApi-dev between 2030-01-02T02:04:05\.000Z and 2030-01-02T03:04:05\.000Z; try a longer --since/);
  });

  it('--limit shows the newest requests and says how many were left out', async () => {
    assert.equal(await run('--env', 'dev', '--limit', '2'), 0);
    assert.deepEqual(lines.out.filter((line) => !line.startsWith(' ')).map((line) => line.split('request=')[1]), ['req-3', 'req-4']);
    assert.match(lines.err.join('\n'), /Showing the newest 2 of 4 requests/);
  });

  it('--follow tails the access log and the handlers with Live Tail, printing a request once its handler\'s lines are in', async () => {
    const arn = (name: string) => `arn:aws:logs:eu-west-1:111111111111:log-group:${name}`;
    const update = (name: string, message: string): StartLiveTailResponseStream => ({ sessionUpdate: { sessionResults: [{ logGroupIdentifier: arn(name), message, timestamp: NOW }] } });
    async function* stream(): AsyncGenerator<StartLiveTailResponseStream> {
      yield { sessionStart: { sessionId: 's-1' } };
      yield update(group('GetOrder'), trace('req-1'));
      yield update(ACCESS, accessLine('req-3', 'GET', '/orders/{orderId}', 401, { keyId: '-', error: 'Unauthorized', integrationStatus: '-' }));
      yield update(ACCESS, accessLine('req-1', 'GET', '/orders/{orderId}', 200));
      yield update(group('GetOrder'), lambdaLine({ level: 'info', msg: 'request', requestId: 'req-1', route: 'GetOrder', method: 'GET', status: 200, latencyMs: 13 }));
      yield update(ACCESS, accessLine('req-5', 'GET', '/health', 200));
    }
    logs.on(StartLiveTailCommand).resolves({ responseStream: stream() });
    assert.equal(await run('--env', 'dev', '--follow'), 0);
    assert.deepEqual(logs.commandCalls(StartLiveTailCommand)[0]!.args[0].input.logGroupIdentifiers, [arn(ACCESS), ...['GetOrder', 'Health', 'Unused'].map((id) => arn(group(id)))]);
    const summaries = lines.out.filter((line) => !line.startsWith(' ')).map((line) => line.split('request=')[1]);
    // req-3 never reached a handler: printed at once; req-1 waited for its handler's request line; req-5's came never: printed at the end
    assert.deepEqual(summaries, ['req-3', 'req-1', 'req-5']);
    assert.match(lines.out.join('\n'), /request=req-1\n  trace: 1 steps/);
    assert.equal(filterCalls().length, 0);
  });

  it('error flow: a stack deployed before the access log output exists says to redeploy', async () => {
    cloudFormation.on(DescribeStacksCommand).resolves({ Stacks: [{ StackName: 'AppApi-dev', StackStatus: 'UPDATE_COMPLETE', CreationTime: new Date(), Outputs: [] }] });
    assert.equal(await run('--env', 'dev'), 1);
    assert.match(lines.err.join('\n'), /Stack AppApi-dev in eu-west-1 has no output AccessLogGroupName: it was deployed by an earlier version\. Run appapi deploy --env <env> once/);
    assert.equal(logs.calls().length, 0);
  });

  it('error flow: usage mistakes exit 2, an unknown App API exits 1 naming the ones there are; no AWS call is made', async () => {
    assert.equal(await run(), 2);
    assert.match(lines.err.join('\n'), /logs needs --env/);
    assert.equal(await run('--env', 'dev', '--since', 'yesterday'), 2);
    assert.match(lines.err.join('\n'), /--since "yesterday" is not a duration \(30s, 15m, 2h, 1d\) or an ISO time in the past/);
    assert.equal(await run('--env', 'dev', '--request-id', 'x" || $.a = "b'), 2);
    assert.match(lines.err.join('\n'), /is not an API Gateway request id/);
    assert.equal(await run('--env', 'dev', '--route', 'Nope'), 1);
    assert.match(lines.err.join('\n'), /No App API "Nope" in dev\. It has: GetOrder, Health, Unused\./);
    assert.equal(cloudFormation.calls().length + logs.calls().length, 0);
  });
});

describe('--since', () => {
  it('takes seconds, minutes, hours, days and ISO times in the past', () => {
    const now = new Date(NOW);
    assert.equal(parseSince('30s', now), 30_000);
    assert.equal(parseSince('15m', now), 900_000);
    assert.equal(parseSince('2h', now), 7_200_000);
    assert.equal(parseSince('1d', now), 86_400_000);
    assert.equal(parseSince('2030-01-02T03:00:00Z', now), 245_000);
    assert.throws(() => parseSince('2031-01-01T00:00:00Z', now), /ISO time in the past/);
    assert.throws(() => parseSince('15', now), /is not a duration/);
  });
});
