import { PROBLEM_CATALOGUE, type ProblemCode } from '../lambdas/shared/problem-catalogue';
import { HTTP_METHODS, type Chain, type EnvironmentManifest, type Operation, type OperationName, type RouteManifest } from '../lambdas/shared/manifest';

/** What decides which problems a request of one operation can meet. */
export interface OperationFacts {
  readonly route: RouteManifest;
  /** The chain's operations, branches of `when` included. */
  readonly ops: readonly Operation[];
  /** Methods of the route's path that no App API declares (answered 405 with Allow). */
  readonly undeclaredMethods: readonly string[];
  readonly uniqueFields: (model: string) => boolean;
}

interface Occurrence {
  readonly when: (facts: OperationFacts) => boolean;
  /** Where the problem comes from, for a reader of this table. */
  readonly because: string;
}

const always = (because: string): Occurrence => ({ when: () => true, because });
const never = (because: string): Occurrence => ({ when: () => false, because });
const uses = (names: readonly OperationName[], because: string): Occurrence => ({ when: (facts) => facts.ops.some((op) => names.includes(op.op)), because });
const keyProtected = (because: string): Occurrence => ({ when: (facts) => facts.route.auth.type === 'keyGroups', because });
const post = (because: string): Occurrence => ({ when: (facts) => facts.route.method === 'POST', because });

const WRITES: readonly OperationName[] = ['airdata.insert', 'airdata.put', 'airdata.patch', 'airdata.delete', 'journey.start', 'journey.update', 'journey.end'];
const writes = (because: string): Occurrence => ({ when: (facts) => facts.route.method === 'POST' || facts.ops.some((op) => WRITES.includes(op.op)), because });

/**
 * For every code of the problem catalogue, the operations that can answer it: the gateway's
 * problems (API Gateway, WAF, the local gateway) and the handler's. The OpenAPI document lists,
 * per operation, the statuses of the codes that occur there; a new code does not compile until
 * it is placed here.
 */
export const PROBLEM_OCCURRENCES: Record<ProblemCode, Occurrence> = {
  bad_request: always('WAF: a Content-Length that is not a number; any request API Gateway cannot read'),
  malformed_json: always('a body is parsed whatever the method; where a body model is declared for application/json, API Gateway validates only that type, so other JSON types (application/*+json) reach the handler'),
  body_too_deep: always('a body is parsed whatever the method'),
  validation_failed: {
    when: (facts) => facts.route.body !== undefined || facts.route.query.some((parameter) => parameter.required) || facts.ops.some((op) => op.op === 'validate'),
    because: 'the gateway\'s request validator, and the validate operation',
  },
  invalid_query: { when: (facts) => facts.route.query.length > 0, because: 'a declared query parameter of the wrong type' },
  missing_path_parameter: { when: (facts) => facts.route.pathParameters.length > 0, because: 'an empty path parameter' },
  invalid_idempotency_key: post('POST reads Idempotency-Key'),
  expression_failed: { when: (facts) => JSON.stringify(facts.route.chain).includes('{%'), because: 'an expression that fails on this request' },
  invalid_id: uses(['airdata.get', 'airdata.put', 'airdata.patch', 'airdata.delete'], 'a record id from the request'),
  invalid_record: uses(['airdata.insert', 'airdata.put', 'airdata.patch'], 'a record that does not match its model'),
  invalid_filter: uses(['airdata.query'], 'a filter value of the wrong type'),
  invalid_limit: uses(['airdata.query'], 'a limit out of range'),
  invalid_cursor: uses(['airdata.query'], 'a cursor this query did not return'),
  invalid_journey: uses(['journey.start', 'journey.update'], 'an identifier, step, data or event of the wrong form'),
  invalid_http_request: uses(['http'], 'an outbound call that cannot be made'),
  http_host_not_allowed: uses(['http'], 'an outbound call to an undeclared host'),
  http_address_not_allowed: uses(['http'], 'an outbound call to a refused address'),
  unauthorized: keyProtected('the authorizer'),
  forbidden: keyProtected('the authorizer\'s policy, and the handler\'s own group check'),
  not_found: never('a path without App APIs: no operation'),
  record_not_found: {
    when: (facts) => facts.ops.some((op) => ((op.op === 'airdata.get' || op.op === 'airdata.delete') && op.notFound === 404) || op.op === 'airdata.patch'),
    because: 'airdata.get / airdata.delete with notFound 404, airdata.patch',
  },
  journey_not_found: {
    when: (facts) => facts.ops.some((op) => (op.op === 'journey.get' && op.notFound === 404) || op.op === 'journey.update' || op.op === 'journey.end'),
    because: 'journey.get with notFound 404, journey.update, journey.end',
  },
  method_not_allowed: { when: (facts) => facts.undeclaredMethods.length > 0, because: 'another method on this path that no App API declares' },
  unique_conflict: {
    when: (facts) => facts.ops.some((op) => (op.op === 'airdata.put' || op.op === 'airdata.patch' || (op.op === 'airdata.insert' && op.onConflict === 'error')) && facts.uniqueFields(op.model)),
    because: 'a write of a model with unique fields',
  },
  journey_identifier_in_use: { when: (facts) => facts.ops.some((op) => op.op === 'journey.start' && op.onConflict === 'reject'), because: 'journey.start with onConflict reject' },
  journey_not_active: uses(['journey.update', 'journey.end'], 'a journey that has ended'),
  write_conflict: writes('concurrent requests kept changing what this one writes'),
  idempotent_answer_unavailable: post('an Idempotency-Key whose answer was too large to keep'),
  length_required: always('WAF: a chunked body on any method, a POST, PUT or PATCH without Content-Length'),
  payload_too_large: always('WAF and the handler: a body over 5 MiB on any method'),
  item_too_large: uses(WRITES, 'a record or journey over 400 KB'),
  transaction_too_large: uses(WRITES, 'writes over 4 MB'),
  unsupported_media_type: always('a body that is not JSON, on any method'),
  unsupported_content_encoding: always('WAF: a Content-Encoding on any method'),
  headers_too_large: always('request line and headers over API Gateway\'s limit'),
  too_many_writes: uses(WRITES, 'more than 100 writes'),
  too_many_data_keys: uses(['journey.update'], 'more than 100 data keys changed at once'),
  idempotency_key_reused: post('an Idempotency-Key reused with another body'),
  too_many_requests: always('the App API\'s declared throttling, and the account\'s API Gateway throttling on every route'),
  internal_error: always('anything unexpected'),
  answer_mismatch: never('local mode only, with APPAPI_RESPONSE_CHECK=fatal: an answer off its published schema'),
  chain_without_answer: never('synth refuses a chain that can finish without answering'),
  redirect_without_location: uses(['redirect'], 'a location expression that is not a string'),
  write_failed: uses(WRITES, 'a transaction DynamoDB cancels for another reason'),
  integration_failure: always('the handler Lambda failed (API Gateway)'),
  upstream_unavailable: uses(['http'], 'the called host cannot be reached'),
  upstream_too_many_redirects: uses(['http'], 'the called host redirects too often'),
  upstream_redirect_blocked: uses(['http'], 'the called host redirects to an undeclared host'),
  upstream_response_too_large: uses(['http'], 'the called host answers over 1 MiB'),
  storage_unavailable: {
    when: (facts) => facts.route.method === 'POST' || facts.ops.some((op) => op.op.startsWith('airdata.') || op.op.startsWith('journey.')),
    because: 'DynamoDB unreachable or throttling',
  },
  auth_unavailable: keyProtected('the authorizer cannot read the keys'),
  deadline_exceeded: always('the request outlives its deadline'),
  upstream_timeout: always('API Gateway\'s integration timeout; an outbound call\'s timeout'),
};

export function operationFacts(manifest: EnvironmentManifest, route: RouteManifest): OperationFacts {
  const declared = new Set(manifest.routes.filter((candidate) => candidate.path === route.path).map((candidate) => candidate.method));
  return {
    route,
    ops: flatten(route.chain),
    undeclaredMethods: HTTP_METHODS.filter((method) => !declared.has(method)),
    uniqueFields: (model) => Object.values(manifest.models[model]?.fields ?? {}).some((field) => field.unique),
  };
}

/** The problem codes a request of this operation can be answered with. */
export function operationProblemCodes(facts: OperationFacts): ProblemCode[] {
  return (Object.keys(PROBLEM_OCCURRENCES) as ProblemCode[]).filter((code) => PROBLEM_OCCURRENCES[code].when(facts));
}

/** The error statuses a request of this operation can be answered with, ascending. */
export function operationErrorStatuses(manifest: EnvironmentManifest, route: RouteManifest): number[] {
  return [...new Set(operationProblemCodes(operationFacts(manifest, route)).map((code) => PROBLEM_CATALOGUE[code].status))].sort((a, b) => a - b);
}

const STATUS_SUMMARIES: Record<number, string> = {
  400: 'The request is malformed or does not match what the App API declares.',
  401: 'No valid API token of this environment.',
  403: 'The API key\'s groups do not allow this route.',
  404: 'Not found.',
  405: 'Another method on this path: not declared (see Allow).',
  409: 'Conflicts with the current data.',
  411: 'A body without Content-Length, or chunked (AWS).',
  413: 'The body is over 5 MiB, or a write over DynamoDB\'s limits.',
  415: 'The body is not JSON, or is compressed.',
  422: 'Understood, but not done.',
  429: 'Throttled: retry after Retry-After.',
  431: 'The request line and headers are too large.',
  500: 'Internal error; quote the requestId.',
  502: 'The handler or a called host failed.',
  503: 'Storage or authorization temporarily unavailable, or the deadline passed: retry after Retry-After.',
  504: 'No answer in time.',
};

/** Per error status, the description of its problem+json answer: what it means and its codes. */
export function errorStatusDescriptions(): Record<string, string> {
  const codes = new Map<number, string[]>();
  for (const [code, { status }] of Object.entries(PROBLEM_CATALOGUE)) codes.set(status, [...(codes.get(status) ?? []), code]);
  return Object.fromEntries(
    [...codes].sort(([a], [b]) => a - b).map(([status, list]) => [String(status), `${STATUS_SUMMARIES[status] ?? ''} Codes: ${list.map((code) => `\`${code}\``).join(', ')}.`.trim()]),
  );
}

function flatten(chain: Chain): Operation[] {
  return chain.flatMap((op) => (op.op === 'when' ? [op, ...flatten(op.then), ...flatten(op.otherwise)] : [op]));
}
