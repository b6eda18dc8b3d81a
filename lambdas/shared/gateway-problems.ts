import { PROBLEM_CATALOGUE, type ProblemCode } from './problem-catalogue';
import { problemType, type Problem } from './problem';

/** An error the gateway itself answers (in AWS as a gateway response, locally the same body). */
export interface GatewayProblem {
  readonly status: number;
  readonly code: ProblemCode;
  readonly title: string;
  readonly detail: string;
  readonly headers?: Readonly<Record<string, string>>;
}

/** A gateway answer: status and title from the problem catalogue, a fixed detail (gateway responses cannot compute one). */
function gatewayProblem(code: ProblemCode, detail: string, headers?: Readonly<Record<string, string>>): GatewayProblem {
  return { ...PROBLEM_CATALOGUE[code], code, detail, ...(headers ? { headers } : {}) };
}

export const GATEWAY_PROBLEMS = {
  unauthorized: gatewayProblem('unauthorized', 'A valid API token of this environment is required: send "Authorization: Bearer <token>".', { 'WWW-Authenticate': 'Bearer' }),
  forbidden: gatewayProblem('forbidden', 'This API key may not call this route.'),
  authUnavailable: gatewayProblem('auth_unavailable', 'The request could not be authorized right now. Retry shortly.', { 'Retry-After': '1' }),
  notFound: gatewayProblem('not_found', 'No App API is declared at this path.'),
  methodNotAllowed: gatewayProblem('method_not_allowed', 'This path does not accept this method; see the Allow header.'),
  payloadTooLarge: gatewayProblem('payload_too_large', 'The request body exceeds 5,242,880 bytes (5 MiB).'),
  lengthRequired: gatewayProblem('length_required', 'A request with a body must declare its size in Content-Length.'),
  contentEncodingUnsupported: gatewayProblem('unsupported_content_encoding', 'Request bodies are accepted without Content-Encoding only.'),
  throttled: gatewayProblem('too_many_requests', 'This App API receives more requests than it is declared to take. Retry later.', { 'Retry-After': '1' }),
  requestValidation: gatewayProblem('validation_failed', 'The request does not match the declared body schema or required query parameters.'),
  integrationTimeout: gatewayProblem('upstream_timeout', 'The App API did not answer in time. Quote the requestId when reporting this.'),
  integrationFailure: gatewayProblem('integration_failure', 'The request could not be completed. Quote the requestId when reporting this.'),
  headersTooLarge: gatewayProblem('headers_too_large', 'The request line and headers are too large.'),
  badRequest: gatewayProblem('bad_request', 'The request could not be read: check the path encoding and the headers.'),
  internal: gatewayProblem('internal_error', 'The request could not be completed. Quote the requestId when reporting this.'),
} as const satisfies Record<string, GatewayProblem>;

/** The problem+json body; in AWS templates `requestId` is `$context.requestId`. */
export function gatewayProblemBody(problem: GatewayProblem, requestId: string): Problem {
  return { type: problemType(problem.code), title: problem.title, status: problem.status, detail: problem.detail, code: problem.code, requestId };
}

export { MAX_BODY_BYTES } from './limits';
