/**
 * Every error `code` an App API can answer — from the gateway (API Gateway, WAF, the local
 * gateway, the fallback function), the authorizer or the handler — with its status and title.
 * A code means one thing and always comes with the same status; the detail says what happened.
 *
 * Two catch-alls keep their code whatever their status: API Gateway answers a 4xx it has no
 * specific gateway response for as `bad_request`, and a 5xx as `internal_error`.
 */
export const PROBLEM_CATALOGUE = {
  // 400: the request cannot be read or does not match what the App API declares
  bad_request: { status: 400, title: 'Bad Request' },
  malformed_json: { status: 400, title: 'Bad Request' },
  body_too_deep: { status: 400, title: 'Bad Request' },
  validation_failed: { status: 400, title: 'Bad Request' },
  invalid_query: { status: 400, title: 'Bad Request' },
  missing_path_parameter: { status: 400, title: 'Bad Request' },
  invalid_idempotency_key: { status: 400, title: 'Bad Request' },
  expression_failed: { status: 400, title: 'Bad Request' },
  invalid_id: { status: 400, title: 'Bad Request' },
  invalid_record: { status: 400, title: 'Bad Request' },
  invalid_filter: { status: 400, title: 'Bad Request' },
  invalid_limit: { status: 400, title: 'Bad Request' },
  invalid_cursor: { status: 400, title: 'Bad Request' },
  invalid_journey: { status: 400, title: 'Bad Request' },
  invalid_http_request: { status: 400, title: 'Bad Request' },
  http_host_not_allowed: { status: 400, title: 'Bad Request' },
  http_address_not_allowed: { status: 400, title: 'Bad Request' },
  // 401, 403: the API token
  unauthorized: { status: 401, title: 'Unauthorized' },
  forbidden: { status: 403, title: 'Forbidden' },
  // 404, 405: what is (not) there
  not_found: { status: 404, title: 'Not Found' },
  record_not_found: { status: 404, title: 'Not Found' },
  journey_not_found: { status: 404, title: 'Not Found' },
  method_not_allowed: { status: 405, title: 'Method Not Allowed' },
  // 409: the current data
  unique_conflict: { status: 409, title: 'Conflict' },
  journey_identifier_in_use: { status: 409, title: 'Conflict' },
  journey_not_active: { status: 409, title: 'Conflict' },
  write_conflict: { status: 409, title: 'Conflict' },
  idempotent_answer_unavailable: { status: 409, title: 'Conflict' },
  // 411, 413, 415, 431: the size and form of the request
  length_required: { status: 411, title: 'Length Required' },
  payload_too_large: { status: 413, title: 'Content Too Large' },
  item_too_large: { status: 413, title: 'Content Too Large' },
  transaction_too_large: { status: 413, title: 'Content Too Large' },
  unsupported_media_type: { status: 415, title: 'Unsupported Media Type' },
  unsupported_content_encoding: { status: 415, title: 'Unsupported Media Type' },
  headers_too_large: { status: 431, title: 'Request Header Fields Too Large' },
  // 422: understood, but not done
  too_many_writes: { status: 422, title: 'Unprocessable Content' },
  too_many_data_keys: { status: 422, title: 'Unprocessable Content' },
  idempotency_key_reused: { status: 422, title: 'Unprocessable Content' },
  too_many_requests: { status: 429, title: 'Too Many Requests' },
  // 5xx: never the caller's fault; their details never reach the caller
  internal_error: { status: 500, title: 'Internal Server Error' },
  answer_mismatch: { status: 500, title: 'Internal Server Error' },
  chain_without_answer: { status: 500, title: 'Internal Server Error' },
  redirect_without_location: { status: 500, title: 'Internal Server Error' },
  write_failed: { status: 500, title: 'Internal Server Error' },
  integration_failure: { status: 502, title: 'Bad Gateway' },
  upstream_unavailable: { status: 502, title: 'Bad Gateway' },
  upstream_too_many_redirects: { status: 502, title: 'Bad Gateway' },
  upstream_redirect_blocked: { status: 502, title: 'Bad Gateway' },
  upstream_response_too_large: { status: 502, title: 'Bad Gateway' },
  storage_unavailable: { status: 503, title: 'Service Unavailable' },
  auth_unavailable: { status: 503, title: 'Service Unavailable' },
  deadline_exceeded: { status: 503, title: 'Service Unavailable' },
  upstream_timeout: { status: 504, title: 'Gateway Timeout' },
} as const satisfies Record<string, { readonly status: number; readonly title: string }>;

export type ProblemCode = keyof typeof PROBLEM_CATALOGUE;

/** The codes answered with one status, e.g. `ProblemCodeOf<400>`. */
export type ProblemCodeOf<Status extends number> = { [Code in ProblemCode]: (typeof PROBLEM_CATALOGUE)[Code]['status'] extends Status ? Code : never }[ProblemCode];
