/**
 * Every limit an App API request meets, in one place: its value, its unit, where it is enforced
 * and whether AWS imposes it or we chose it. Code that enforces a limit reads it from here, and
 * the README's limits table is rendered from this list (test/limits.test.ts keeps them in sync).
 */
export interface Limit {
  /** What is limited, as the README's table names it. */
  readonly name: string;
  readonly value: number;
  readonly unit: 'bytes' | 'ms' | 'seconds' | 'items' | 'records' | 'levels' | 'attempts' | 'redirects' | 'characters';
  /** Where the limit is checked: the gateway, the handler, the authorizer… */
  readonly enforcedIn: string;
  /** An AWS quota (with its documentation) or a choice of ours (with the reason). */
  readonly source: { readonly aws: string } | { readonly own: string };
}

const KIB = 1024;
const MIB = 1024 * KIB;

export const LIMITS = {
  requestBody: {
    name: 'request body',
    value: 5 * MIB,
    unit: 'bytes',
    enforcedIn: 'gateway (WAF rule on Content-Length; locally the streamed bytes), handler backstop',
    source: { own: 'under Lambda\'s 6 MB invocation payload once the body is escaped into the event' },
  },
  invocationPayload: {
    name: 'REST proxy event (body escaped inside it)',
    value: 6_291_556,
    unit: 'bytes',
    enforcedIn: 'Lambda (locally the gateway, with the same 500)',
    source: { aws: 'https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html' },
  },
  itemSize: {
    name: 'DynamoDB item (record, journey, stored answer)',
    value: 400 * KIB,
    unit: 'bytes',
    enforcedIn: 'handler, before the transaction is sent',
    source: { aws: 'https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ServiceQuotas.html' },
  },
  transactionItems: {
    name: 'writes of one request (one transaction)',
    value: 100,
    unit: 'items',
    enforcedIn: 'handler, before the transaction is sent',
    source: { aws: 'https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/transaction-apis.html' },
  },
  transactionBytes: {
    name: 'bytes written by one request (one transaction)',
    value: 4 * MIB,
    unit: 'bytes',
    enforcedIn: 'handler, before the transaction is sent',
    source: { aws: 'https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/transaction-apis.html' },
  },
  partitionKeyBytes: {
    name: 'index partition key value',
    value: 2_048,
    unit: 'bytes',
    enforcedIn: 'handler (a longer value matches no record)',
    source: { aws: 'https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ServiceQuotas.html' },
  },
  sortKeyBytes: {
    name: 'index sort key value',
    value: 1_024,
    unit: 'bytes',
    enforcedIn: 'handler (a longer value is filtered on after the read)',
    source: { aws: 'https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ServiceQuotas.html' },
  },
  integrationTimeout: {
    name: 'longest request of a route',
    value: 29_000,
    unit: 'ms',
    enforcedIn: 'API Gateway; synth (route and http timeouts), handler Lambda timeout',
    source: { aws: 'https://docs.aws.amazon.com/apigateway/latest/developerguide/limits.html' },
  },
  baseRouteTimeout: {
    name: 'request of a route without http calls',
    value: 10_000,
    unit: 'ms',
    enforcedIn: 'handler Lambda timeout and runtime deadline (http calls add their timeouts)',
    source: { own: 'room for the bounded DynamoDB retries of a chain' },
  },
  deadlineMargin: {
    name: 'kept back from the deadline to answer 503',
    value: 750,
    unit: 'ms',
    enforcedIn: 'handler (middy timeoutEarlyInMillis)',
    source: { own: 'time to write the answer before the platform cuts the request off' },
  },
  dynamoConnectionTimeout: {
    name: 'DynamoDB connection timeout',
    value: 1_000,
    unit: 'ms',
    enforcedIn: 'handler and authorizer DynamoDB client',
    source: { own: 'an unreachable DynamoDB becomes a 503, never a hang' },
  },
  dynamoRequestTimeout: {
    name: 'DynamoDB request timeout',
    value: 3_000,
    unit: 'ms',
    enforcedIn: 'handler and authorizer DynamoDB client',
    source: { own: 'an unreachable DynamoDB becomes a 503, never a hang' },
  },
  dynamoAttempts: {
    name: 'attempts of one DynamoDB call',
    value: 2,
    unit: 'attempts',
    enforcedIn: 'handler and authorizer DynamoDB client',
    source: { own: 'two attempts fit the base route timeout' },
  },
  chainAttempts: {
    name: 'runs of a chain whose transaction met a concurrent write',
    value: 4,
    unit: 'attempts',
    enforcedIn: 'handler (then 409 write_conflict)',
    source: { own: 'concurrent writers make progress without unbounded retries' },
  },
  jsonDepth: {
    name: 'nesting of a JSON body',
    value: 64,
    unit: 'levels',
    enforcedIn: 'handler, before parsing (400 body_too_deep)',
    source: { own: 'schemas, expressions and DynamoDB all recurse' },
  },
  defaultQueryLimit: {
    name: 'records per airdata.query page, by default',
    value: 100,
    unit: 'records',
    enforcedIn: 'handler',
    source: { own: 'a page that fits an answer' },
  },
  maxQueryLimit: {
    name: 'records per airdata.query page, at most',
    value: 1_000,
    unit: 'records',
    enforcedIn: 'synth (a literal limit), handler (400 invalid_limit)',
    source: { own: 'a page stays far below the 6 MB answer payload' },
  },
  httpResponseBytes: {
    name: 'response body of an http operation',
    value: 1 * MIB,
    unit: 'bytes',
    enforcedIn: 'handler (502 upstream_response_too_large)',
    source: { own: 'bound to an expression, it must fit in memory and in the answer' },
  },
  httpRedirects: {
    name: 'redirects followed by an http operation',
    value: 3,
    unit: 'redirects',
    enforcedIn: 'handler (502 upstream_too_many_redirects)',
    source: { own: 'each hop is checked against httpHosts and costs time' },
  },
  authorizerCacheTtl: {
    name: 'authorizer result cache (default)',
    value: 30,
    unit: 'seconds',
    enforcedIn: 'API Gateway (locally the gateway\'s authorizer cache)',
    source: { own: 'with the authorizer\'s key cache (at most 30 s stale), a deleted key stops working within 60 s (API Gateway allows up to 3,600 s)' },
  },
  idempotencyRetention: {
    name: 'an Idempotency-Key\'s first answer is replayed for',
    value: 24 * 60 * 60,
    unit: 'seconds',
    enforcedIn: 'handler (DynamoDB TTL removes the answer later)',
    source: { own: 'a day covers client retries' },
  },
  idempotencyKeyLength: {
    name: 'Idempotency-Key header',
    value: 255,
    unit: 'characters',
    enforcedIn: 'handler (400 invalid_idempotency_key)',
    source: { own: 'a UUID fits many times over' },
  },
} as const satisfies Record<string, Limit>;

export type LimitName = keyof typeof LIMITS;

/** 5 MiB: the largest request body an App API accepts, at the gateway (AWS and local) and in the handler. */
export const MAX_BODY_BYTES = LIMITS.requestBody.value;

/**
 * Lambda's synchronous invocation payload: the REST proxy event as JSON, the body escaped inside it.
 * A JSON body grows by its escaping (every `"` and `\` doubles), so a body under 5 MiB can still
 * exceed it; Lambda then refuses the invocation and API Gateway answers 500.
 * @see https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html
 * @see https://docs.aws.amazon.com/lambda/latest/dg/services-apigateway-errors.html
 */
export const MAX_INVOCATION_PAYLOAD_BYTES = LIMITS.invocationPayload.value;
