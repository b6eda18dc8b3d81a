import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { CloudWatchLogsClient, FilterLogEventsCommand, StartLiveTailCommand } from '@aws-sdk/client-cloudwatch-logs';
import { LOG_OUTPUTS } from '../constructs/environment-outputs';

/** A failure of `appapi logs` the message explains. */
export class LogsError extends Error {}

export interface LogEvent {
  readonly logGroupName: string;
  readonly message: string;
  readonly timestamp: number;
}

export interface DeployedLogs {
  readonly accessLogGroupName: string;
  /** From the stack id: where the log groups live, for their ARNs. */
  readonly partition: string;
  readonly region: string;
  readonly account: string;
}

/** The access log group and the stack's account and region, from DescribeStacks. */
export async function readDeployedLogs(cloudFormation: CloudFormationClient, stackName: string): Promise<DeployedLogs> {
  const region = await cloudFormation.config.region().catch(() => 'the default region');
  try {
    const { Stacks } = await cloudFormation.send(new DescribeStacksCommand({ StackName: stackName }));
    const stack = Stacks?.[0];
    const accessLogGroupName = stack?.Outputs?.find((output) => output.OutputKey === LOG_OUTPUTS.accessLogGroupName)?.OutputValue;
    if (!accessLogGroupName) {
      throw new LogsError(`Stack ${stackName} in ${region} has no output ${LOG_OUTPUTS.accessLogGroupName}: it was deployed by an earlier version. Run appapi deploy --env <env> once, then appapi logs again.`);
    }
    // arn:aws:cloudformation:eu-west-1:111111111111:stack/AppApi-dev/…
    const [, partition, , stackRegion, account] = (stack?.StackId ?? '').split(':');
    return { accessLogGroupName, partition: partition || 'aws', region: stackRegion || String(region), account: account ?? '' };
  } catch (error) {
    if ((error as Error).name === 'ValidationError') {
      throw new LogsError(`Stack ${stackName} does not exist in ${region}: ${(error as Error).message}. If it is deployed elsewhere, give the environment its "region" (and "account") in cdk.json's appapi:environments.`);
    }
    throw error;
  }
}

export interface FilterOptions {
  readonly startTime: number;
  readonly endTime: number;
  /** @default - every event */
  readonly filterPattern?: string;
  /** Stop after this many events. */
  readonly maxEvents: number;
}

/**
 * Events of one log group in a time window, oldest first, following nextToken until `maxEvents`.
 * A log group that does not exist (yet) has no events.
 * @see https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_FilterLogEvents.html
 */
export async function filterEvents(logs: CloudWatchLogsClient, logGroupName: string, options: FilterOptions): Promise<LogEvent[]> {
  const events: LogEvent[] = [];
  let nextToken: string | undefined;
  do {
    let page;
    try {
      page = await logs.send(
        new FilterLogEventsCommand({
          logGroupName,
          startTime: options.startTime,
          endTime: options.endTime,
          ...(options.filterPattern ? { filterPattern: options.filterPattern } : {}),
          ...(nextToken ? { nextToken } : {}),
          limit: Math.min(10_000, options.maxEvents - events.length),
        }),
      );
    } catch (error) {
      if ((error as Error).name === 'ResourceNotFoundException') return events;
      throw error;
    }
    for (const event of page.events ?? []) events.push({ logGroupName, message: event.message ?? '', timestamp: event.timestamp ?? 0 });
    nextToken = page.nextToken;
  } while (nextToken && events.length < options.maxEvents);
  return events;
}

/**
 * Follows log groups as events arrive (CloudWatch Logs Live Tail: at most 10 groups, by ARN) until
 * the session ends or `signal` aborts.
 * @see https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_StartLiveTail.html
 */
export async function* liveTail(logs: CloudWatchLogsClient, logGroupArns: readonly string[], signal?: AbortSignal): AsyncGenerator<LogEvent> {
  const { responseStream } = await logs.send(new StartLiveTailCommand({ logGroupIdentifiers: [...logGroupArns] }), signal ? { abortSignal: signal } : {});
  if (!responseStream) return;
  for await (const event of responseStream) {
    if (event.SessionTimeoutException) throw new LogsError(`Live Tail ended: ${event.SessionTimeoutException.message}. Run appapi logs --follow again.`);
    if (event.SessionStreamingException) throw new LogsError(`Live Tail failed: ${event.SessionStreamingException.message}`);
    for (const result of event.sessionUpdate?.sessionResults ?? []) {
      // results name the group by the identifier given (its ARN); keep its name
      const logGroupName = (result.logGroupIdentifier ?? '').replace(/^arn:[^:]+:logs:[^:]+:[^:]*:log-group:/, '').replace(/:\*$/, '');
      yield { logGroupName, message: result.message ?? '', timestamp: result.timestamp ?? 0 };
    }
  }
}
