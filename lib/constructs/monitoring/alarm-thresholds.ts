import { Duration } from 'aws-cdk-lib';

/** When an environment's alarms go off. Counts are per 5 minutes unless said otherwise. */
export interface AlarmThresholds {
  /**
   * Share of requests answered 5xx by the stage, in percent, in 3 of 5 one-minute periods
   * (only minutes with at least 20 requests count).
   * @default 1
   */
  readonly serverErrorRatePercent?: number;
  /**
   * The stage's p99 latency, over 3 consecutive 5-minute periods.
   * @default Duration.seconds(3)
   */
  readonly latencyP99?: Duration;
  /**
   * 401, 403 and 413 answers together: a burst means an attack, a leaked or revoked key in use, or a broken client.
   * @default 200
   */
  readonly clientErrorBurst?: number;
  /**
   * 503 answers (DynamoDB throttling or unreachable, a chain over its deadline).
   * @default 10
   */
  readonly unavailableResponses?: number;
  /**
   * Failed invocations (errors, timeouts, malformed answers) of any one App API's handler.
   * @default 5
   */
  readonly handlerErrors?: number;
  /**
   * Throttled invocations of any one App API's handler.
   * @default 1
   */
  readonly handlerThrottles?: number;
  /**
   * Errors plus throttles of the authorizer function: each fails a call with a key.
   * @default 3
   */
  readonly authorizerFailures?: number;
  /**
   * Requests one WAF rule blocked.
   * @default 100
   */
  readonly wafBlockedRequests?: number;
  /**
   * Throttle events plus system errors of one DynamoDB table.
   * @default 1
   */
  readonly dynamoDbFailures?: number;
}

export const DEFAULT_THRESHOLDS: Required<AlarmThresholds> = {
  serverErrorRatePercent: 1,
  latencyP99: Duration.seconds(3),
  clientErrorBurst: 200,
  unavailableResponses: 10,
  handlerErrors: 5,
  handlerThrottles: 1,
  authorizerFailures: 3,
  wafBlockedRequests: 100,
  dynamoDbFailures: 1,
};

/** The thresholds with defaults filled in; a negative or non-finite number is refused with the fix. */
export function resolveThresholds(thresholds: AlarmThresholds = {}): Required<AlarmThresholds> {
  const resolved = { ...DEFAULT_THRESHOLDS, ...thresholds };
  for (const [name, value] of Object.entries(resolved)) {
    if (typeof value === 'number' && !(Number.isFinite(value) && value >= 0)) {
      throw new Error(`Alarm threshold ${name} is ${value}; give a number of 0 or more, e.g. ${name}: ${(DEFAULT_THRESHOLDS as Record<string, unknown>)[name]}.`);
    }
  }
  if (resolved.serverErrorRatePercent > 100) {
    throw new Error(`Alarm threshold serverErrorRatePercent is ${resolved.serverErrorRatePercent}; it is a percentage of requests, at most 100.`);
  }
  return resolved;
}
