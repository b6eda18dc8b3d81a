import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { EnvironmentManifest, RouteManifest } from '../shared/manifest';
import { createDocumentClient } from './dynamodb';
import { corsHeaders } from '../shared/cors';
import { findRoute } from '../shared/manifest-loader';
import { routeTimeoutMs } from '../shared/route-timeout';
import { LIMITS } from '../shared/limits';
import { problemResponse } from '../shared/problem';
import { HttpProblem } from './problem-error';
import type { ProxyEvent, ProxyResult } from './proxy-event';
import { requestBindings } from './request-bindings';
import { prepareRoute } from './prepare-route';
import { runRequest } from './run-request';
import { TraceRecorder, type RequestTrace } from './trace';

/** The part of the Lambda context the runtime reads; the local gateway passes none. */
export interface InvocationContext {
  getRemainingTimeInMillis(): number;
}

export type Handler = (event: ProxyEvent, context?: InvocationContext) => Promise<ProxyResult>;

/** Kept back from the deadline to write the answer before the platform cuts the request off. */
const DEADLINE_MARGIN_MS = LIMITS.deadlineMargin.value;

/**
 * The handler of one route: everything derivable from the manifest is prepared here, once, so a
 * request only evaluates. Used by the Lambda entry point and by the local gateway alike.
 */
export interface HandlerOptions {
  /** Receives each request's trace (steps, DynamoDB calls); recording is off without it. */
  readonly onTrace?: (trace: RequestTrace) => void;
}

export function createHandler(manifest: EnvironmentManifest, routeId: string | undefined, dynamo: DynamoDBDocumentClient = createDocumentClient(), options: HandlerOptions = {}): Handler {
  const route = findRoute(manifest, routeId);
  const prepared = prepareRoute(manifest, route, dynamo);
  const settings = manifest.apps[route.app]?.settings ?? {};
  const timeoutMs = routeTimeoutMs(route);
  const cors = manifest.apps[route.app]?.cors;
  const handle: Handler = async (event, context) => {
    const requestId = event.requestContext?.requestId ?? 'unknown';
    const budgetMs = (context?.getRemainingTimeInMillis() ?? timeoutMs) - DEADLINE_MARGIN_MS;
    const recorder = options.onTrace ? new TraceRecorder() : undefined;
    const answer = await answerRequest(event, requestId, budgetMs, recorder);
    if (recorder) {
      options.onTrace!({ requestId, route: route.id, status: answer.statusCode, ms: recorder.elapsed(), attempts: recorder.attempts, steps: recorder.steps, dynamo: recorder.dynamo });
    }
    return answer;
  };
  const answerRequest = async (event: ProxyEvent, requestId: string, budgetMs: number, recorder: TraceRecorder | undefined): Promise<ProxyResult> => {
    try {
      allowGroups(route, event);
      return await withDeadline(runRequest(prepared, event, requestBindings(event, route, settings, manifest.env), recorder), budgetMs);
    } catch (error) {
      if (error instanceof HttpProblem) {
        if (error.status >= 500) log('error', requestId, route.id, error.code, error.detail);
        return problemResponse(error.toProblem(requestId), error.headers);
      }
      log('error', requestId, route.id, 'unhandled', error instanceof Error ? `${error.name}: ${error.message}` : String(error));
      return problemResponse(new HttpProblem('internal_error', '').toProblem(requestId));
    }
  };
  if (!cors) return handle;
  return async (event, context) => {
    const result = await handle(event, context);
    const origin = Object.entries(event.headers ?? {}).find(([name]) => name.toLowerCase() === 'origin')?.[1];
    return { ...result, headers: { ...result.headers, ...corsHeaders(cors, origin) } };
  };
}

/**
 * The route's key groups, checked again after the authorizer: its cached policy spans every route,
 * and a path-parameter wildcard can cover a deeper route the key may not call.
 */
function allowGroups(route: RouteManifest, event: ProxyEvent): void {
  if (route.auth.type !== 'keyGroups') return;
  const groups = String(event.requestContext?.authorizer?.groups ?? '').split(',');
  const routeGroups = route.auth.groups;
  if (!groups.some((group) => routeGroups.includes(group))) {
    throw new HttpProblem('forbidden', 'This API key may not call this route.');
  }
}

/**
 * Answers 503 when the request outlives its budget: slow storage or a slow outbound call must not
 * become a platform timeout. A commit in flight at that moment may still land, as with any
 * timeout; clients that retry writes send an Idempotency-Key.
 */
async function withDeadline(work: Promise<ProxyResult>, budgetMs: number): Promise<ProxyResult> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new HttpProblem('deadline_exceeded', `The request did not finish within ${budgetMs} ms.`, {}, { 'Retry-After': '1' })),
      Math.max(0, budgetMs),
    );
  });
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

function log(level: string, requestId: string, route: string, code: string, detail: string): void {
  console.error(JSON.stringify({ level, requestId, route, code, detail }));
}
