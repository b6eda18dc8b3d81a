import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createHandler, type Handler } from '../../lambdas/runtime/create-handler';
import type { DynamoCallTrace, RequestTrace } from '../../lambdas/runtime/trace';
import { createLogger } from '../../lambdas/shared/logger';
import type { EnvironmentManifest } from '../../lambdas/shared/manifest';
import { parseAnswer, proxyEventFor } from './proxy-events';
import type { Answer, RequestOptions } from './runtime';

/** One request to a route of the reference app, with the answer it must get. */
export interface BookingRequest {
  readonly name: string;
  readonly route: string;
  readonly options: (state: Map<string, string>) => RequestOptions;
  readonly status: number;
  /** The problem's `code`, for an error answer. */
  readonly problem?: string;
  /** Keeps what later requests need (ids). */
  readonly keep?: (answer: Answer, state: Map<string, string>) => void;
}

const partner = { keyId: 'partner', groups: ['partners'] };
const ops = { keyId: 'ops', groups: ['ops'] };

/**
 * Every route of the reference app (lib/apps/booking.ts) through its branches, in order: what the
 * round-trips benchmark prints and the round-trips test holds to its DynamoDB calls. `run` makes
 * the emails and slots unique, so the sequence can run again on the same tables.
 */
export function bookingRequests(run: string): BookingRequest[] {
  const email = `ada-${run}@example.com`;
  const slot = `2027-01-01T10:00:00Z`;
  return [
    { name: 'public, no table', route: 'Health', options: () => ({}), status: 200 },
    {
      name: 'insert (unique email)',
      route: 'CreateCustomer',
      options: () => ({ ...partner, body: { name: 'Ada', email } }),
      status: 201,
      keep: (answer, state) => state.set('customer', answer.body.id),
    },
    { name: 'insert, email taken', route: 'CreateCustomer', options: () => ({ ...partner, body: { name: 'Ada', email: email.toUpperCase() } }), status: 409, problem: 'unique_conflict' },
    {
      name: 'insert with Idempotency-Key',
      route: 'CreateCustomer',
      options: () => ({ ...partner, body: { name: 'Grace', email: `grace-${run}@example.com` }, headers: { 'Idempotency-Key': `customer-${run}` } }),
      status: 201,
    },
    {
      name: 'same Idempotency-Key, replayed',
      route: 'CreateCustomer',
      options: () => ({ ...partner, body: { name: 'Grace', email: `grace-${run}@example.com` }, headers: { 'Idempotency-Key': `customer-${run}` } }),
      status: 201,
    },
    { name: 'get', route: 'GetCustomer', options: (state) => ({ ...partner, params: { customerId: state.get('customer')! } }), status: 200 },
    { name: 'get, missing', route: 'GetCustomer', options: () => ({ ...partner, params: { customerId: `missing-${run}` } }), status: 404, problem: 'record_not_found' },
    { name: 'query by email (index)', route: 'ListCustomers', options: () => ({ ...partner, query: { email } }), status: 200 },
    { name: 'first page, no filter (scan)', route: 'ListCustomers', options: () => ({ ...partner, query: { limit: '5' } }), status: 200 },
    {
      name: 'start journey (identifier)',
      route: 'CreateBooking',
      options: (state) => ({ ...partner, body: { customerId: state.get('customer')!, service: 'cut', slot } }),
      status: 201,
      keep: (answer, state) => state.set('journey', answer.body.journeyId),
    },
    {
      name: 'identifier in use',
      route: 'CreateBooking',
      options: (state) => ({ ...partner, body: { customerId: state.get('customer')!, service: 'cut', slot } }),
      status: 409,
      problem: 'journey_identifier_in_use',
    },
    { name: 'journey with events', route: 'GetBooking', options: (state) => ({ ...partner, params: { journeyId: state.get('journey')! } }), status: 200 },
    { name: 'journey, missing', route: 'GetBooking', options: () => ({ ...partner, params: { journeyId: `missing-${run}` } }), status: 404, problem: 'journey_not_found' },
    { name: 'redirect to the journey', route: 'FollowBookingLink', options: (state) => ({ params: { journeyId: state.get('journey')! } }), status: 302 },
    {
      name: 'update + event',
      route: 'AddBookingEvent',
      options: (state) => ({ ...partner, params: { journeyId: state.get('journey')! }, body: { type: 'note', data: { room: 1 } } }),
      status: 200,
    },
    {
      name: 'update, missing journey',
      route: 'AddBookingEvent',
      options: () => ({ ...partner, params: { journeyId: `missing-${run}` }, body: { type: 'note' } }),
      status: 404,
      problem: 'journey_not_found',
    },
    { name: 'update + end', route: 'AddBookingEvent', options: (state) => ({ ...partner, params: { journeyId: state.get('journey')! }, body: { type: 'confirm' } }), status: 200 },
    {
      name: 'update, journey ended',
      route: 'AddBookingEvent',
      options: (state) => ({ ...partner, params: { journeyId: state.get('journey')! }, body: { type: 'note' } }),
      status: 409,
      problem: 'journey_not_active',
    },
    { name: 'delete (releases email)', route: 'DeleteCustomer', options: (state) => ({ ...ops, params: { customerId: state.get('customer')! } }), status: 204 },
    { name: 'delete, missing', route: 'DeleteCustomer', options: (state) => ({ ...ops, params: { customerId: state.get('customer')! } }), status: 404, problem: 'record_not_found' },
  ];
}

const silentLogger = createLogger({ function: 'handler', sink: () => {} });

export interface TracedRequest {
  readonly request: BookingRequest;
  readonly answer: Answer;
  /** The DynamoDB calls the request made, from its trace. */
  readonly calls: readonly DynamoCallTrace[];
}

/** Runs the requests in order on the route handlers (as deployed, traces on), each with its trace. */
export async function runTraced(manifest: EnvironmentManifest, documents: DynamoDBDocumentClient, requests: readonly BookingRequest[]): Promise<TracedRequest[]> {
  const seen: { last?: RequestTrace } = {};
  // set by the handler's onTrace, which TypeScript cannot see run
  const lastCalls = (): readonly DynamoCallTrace[] => seen.last?.dynamo ?? [];
  const handlers = new Map<string, Handler>();
  const state = new Map<string, string>();
  const results: TracedRequest[] = [];
  for (const [index, request] of requests.entries()) {
    const route = manifest.routes.find((candidate) => candidate.id === request.route);
    if (!route) throw new Error(`no route ${request.route}`);
    let handler = handlers.get(route.id);
    if (!handler) {
      handler = createHandler(manifest, route.id, documents, { onTrace: (trace) => (seen.last = trace), logger: silentLogger });
      handlers.set(route.id, handler);
    }
    delete seen.last;
    const answer = parseAnswer(await handler(proxyEventFor(route, request.options(state), `round-trips-${index}`)));
    request.keep?.(answer, state);
    results.push({ request, answer, calls: lastCalls() });
  }
  return results;
}

/** `Get`, `TransactWrite`, … of a request's calls, in order. */
export function callKinds(calls: readonly DynamoCallTrace[]): string[] {
  return calls.map((call) => call.command);
}
