import { problemType, type Problem } from './problem';

/** An error the gateway itself answers (in AWS as a gateway response, locally the same body). */
export interface GatewayProblem {
  readonly status: number;
  readonly code: string;
  readonly title: string;
  readonly detail: string;
  readonly headers?: Readonly<Record<string, string>>;
}

export const GATEWAY_PROBLEMS = {
  unauthorized: {
    status: 401,
    code: 'unauthorized',
    title: 'Unauthorized',
    detail: 'A valid API token of this environment is required: send "Authorization: Bearer <token>".',
    headers: { 'WWW-Authenticate': 'Bearer' },
  },
  forbidden: { status: 403, code: 'forbidden', title: 'Forbidden', detail: 'This API key may not call this route.' },
  authUnavailable: {
    status: 503,
    code: 'auth_unavailable',
    title: 'Service Unavailable',
    detail: 'The request could not be authorized right now. Retry shortly.',
    headers: { 'Retry-After': '1' },
  },
  notFound: { status: 404, code: 'not_found', title: 'Not Found', detail: 'No App API is declared at this path.' },
  methodNotAllowed: { status: 405, code: 'method_not_allowed', title: 'Method Not Allowed', detail: 'This path does not accept this method; see the Allow header.' },
  payloadTooLarge: { status: 413, code: 'payload_too_large', title: 'Content Too Large', detail: 'The request body exceeds 5,242,880 bytes (5 MiB).' },
  lengthRequired: {
    status: 411,
    code: 'length_required',
    title: 'Length Required',
    detail: 'A request with a body must declare its size in Content-Length.',
  },
  contentEncodingUnsupported: {
    status: 415,
    code: 'unsupported_content_encoding',
    title: 'Unsupported Media Type',
    detail: 'Request bodies are accepted without Content-Encoding only.',
  },
  throttled: { status: 429, code: 'too_many_requests', title: 'Too Many Requests', detail: 'This App API receives more requests than it is declared to take. Retry later.', headers: { 'Retry-After': '1' } },
  requestValidation: { status: 400, code: 'validation_failed', title: 'Bad Request', detail: 'The request does not match the declared body schema or required query parameters.' },
  integrationTimeout: { status: 504, code: 'upstream_timeout', title: 'Gateway Timeout', detail: 'The App API did not answer in time. Quote the requestId when reporting this.' },
  integrationFailure: { status: 502, code: 'internal_error', title: 'Bad Gateway', detail: 'The request could not be completed. Quote the requestId when reporting this.' },
  headersTooLarge: { status: 431, code: 'headers_too_large', title: 'Request Header Fields Too Large', detail: 'The request line and headers are too large.' },
  badRequest: { status: 400, code: 'bad_request', title: 'Bad Request', detail: 'The request could not be read: check the path encoding and the headers.' },
  internal: { status: 500, code: 'internal_error', title: 'Internal Server Error', detail: 'The request could not be completed. Quote the requestId when reporting this.' },
} as const satisfies Record<string, GatewayProblem>;

/** The problem+json body; in AWS templates `requestId` is `$context.requestId`. */
export function gatewayProblemBody(problem: GatewayProblem, requestId: string): Problem {
  return { type: problemType(problem.code), title: problem.title, status: problem.status, detail: problem.detail, code: problem.code, requestId };
}

export { MAX_BODY_BYTES } from './limits';
