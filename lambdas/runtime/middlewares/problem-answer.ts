import type { Logger } from '../../shared/logger';
import { problemResponse } from '../../shared/problem';
import { HttpProblem } from '../problem-error';
import type { RuntimeMiddleware } from './types';

/**
 * Every error as RFC 9457 problem+json: an HttpProblem with its status, code and (4xx only) detail;
 * anything else as a 500 `internal_error` that says nothing internal. 5xx are logged with the
 * error and its stack. The project's own rather than @middy/http-error-handler, whose bodies are
 * plain text.
 */
export function problemAnswer(logger: Pick<Logger, 'error'>): RuntimeMiddleware {
  return {
    onError: (request) => {
      const requestId = request.event.requestContext?.requestId ?? 'unknown';
      const error = request.error;
      const problem = error instanceof HttpProblem ? error : new HttpProblem('internal_error', 'unhandled');
      if (problem.status >= 500) logger.error(error instanceof HttpProblem ? problem.detail : 'unhandled error', { requestId, code: problem.code, error });
      request.response = problemResponse(problem.toProblem(requestId), problem.headers);
    },
  };
}
