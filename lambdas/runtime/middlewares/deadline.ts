import type { Context } from 'aws-lambda';
import { LIMITS } from '../../shared/limits';
import { HttpProblem } from '../problem-error';

/** Kept back from the Lambda's remaining time to write the 503 before the platform cuts the request off. */
export const DEADLINE_MARGIN_MS = LIMITS.deadlineMargin.value;

/** What middy's timeoutEarly answers once the margin is reached: 503 with Retry-After. */
export function deadlineExceeded(): never {
  throw new HttpProblem('deadline_exceeded', 'The request did not finish before its deadline.', {}, { 'Retry-After': '1' });
}

/**
 * The context of an invocation that has none (the local gateway, tests): a Lambda context whose
 * remaining time counts down from the route's timeout, as the route's function is configured.
 */
export function invocationContext(timeoutMs: number): Pick<Context, 'getRemainingTimeInMillis' | 'awsRequestId'> {
  const end = performance.now() + timeoutMs;
  return { awsRequestId: 'local', getRemainingTimeInMillis: () => Math.max(0, Math.round(end - performance.now())) };
}

/** Whether this request's deadline has passed: no work of it may start any more, its commit above all. */
export interface Deadline {
  passed(): boolean;
}

/**
 * The deadline of one request, from middy's abort signal. Middy shares one AbortController among
 * the requests of a process (one at a time in Lambda); in the local gateway, where requests run
 * side by side, another request's timeout aborts it too, so the signal counts only once this
 * request's own budget is spent.
 */
export function requestDeadline(signal: AbortSignal, context: Pick<Context, 'getRemainingTimeInMillis'>): Deadline {
  return new RequestDeadline(signal, performance.now() + context.getRemainingTimeInMillis() - DEADLINE_MARGIN_MS);
}

/** A timer may fire a little early against performance.now(); another request's timeout is far earlier. */
const DEADLINE_TOLERANCE_MS = 20;

/** A class, so that a request creates no function of its own for its deadline. */
class RequestDeadline implements Deadline {
  constructor(
    private readonly signal: AbortSignal,
    private readonly budgetEnd: number,
  ) {}

  passed(): boolean {
    return this.signal.aborted && performance.now() >= this.budgetEnd - DEADLINE_TOLERANCE_MS;
  }
}

