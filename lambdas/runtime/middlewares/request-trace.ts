import type { RequestTrace } from '../trace';
import { TraceRecorder } from '../trace';
import type { RuntimeMiddleware } from './types';

/**
 * Records each request's trace (steps, DynamoDB calls) and hands it over once answered, with the
 * status the caller got (a problem included). The recorder reaches the handler on the context.
 * `recording` decides per request; a request it declines runs exactly as without this middleware.
 */
export function requestTrace(route: string, onTrace: (trace: RequestTrace) => void, recording: () => boolean = () => true): RuntimeMiddleware {
  const report: NonNullable<RuntimeMiddleware['after']> = (request) => {
    const recorder = request.context.trace;
    if (!recorder || !request.response) return;
    const requestId = request.event.requestContext?.requestId ?? 'unknown';
    onTrace({ requestId, route, status: request.response.statusCode, ms: recorder.elapsed(), attempts: recorder.attempts, steps: recorder.steps, dynamo: recorder.dynamo });
  };
  return {
    before: (request) => {
      if (recording()) request.context.trace = new TraceRecorder();
    },
    after: report,
    onError: report,
  };
}
