import middy from '@middy/core';
import httpCors from '@middy/http-cors';
import httpEventNormalizer from '@middy/http-event-normalizer';
import httpHeaderNormalizer from '@middy/http-header-normalizer';
import httpSecurityHeaders from '@middy/http-security-headers';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Context } from 'aws-lambda';
import { createLogger, type Logger } from '../shared/logger';
import type { CorsManifest, EnvironmentManifest } from '../shared/manifest';
import { findRoute } from '../shared/manifest-loader';
import { routeTimeoutMs } from '../shared/route-timeout';
import { createDocumentClient } from './dynamodb';
import { DEADLINE_MARGIN_MS, deadlineExceeded, invocationContext, requestDeadline } from './middlewares/deadline';
import { keyGroups } from './middlewares/key-groups';
import { noStore } from './middlewares/no-store';
import { problemAnswer } from './middlewares/problem-answer';
import { requestTrace } from './middlewares/request-trace';
import type { RuntimeContext, RuntimeMiddleware } from './middlewares/types';
import { prepareRoute, type ValidatorOf } from './prepare-route';
import type { ProxyEvent, ProxyResult } from './proxy-event';
import { requestBindings } from './request-bindings';
import { runRequest } from './run-request';
import type { RequestTrace } from './trace';

/** A route's handler: the Lambda's, and the local gateway's, which passes no context. */
export type Handler = (event: ProxyEvent, context?: Partial<Context>) => Promise<ProxyResult>;

export interface HandlerOptions {
  /** Receives each request's trace (steps, DynamoDB calls); recording is off without it. */
  readonly onTrace?: (trace: RequestTrace) => void;
  /** Whether a request starting now records its trace (with onTrace). @default - always */
  readonly recordTrace?: () => boolean;
  /** Where 5xx are logged, with their error. @default the Lambdas' logger, on stdout */
  readonly logger?: Logger;
  /** Gives a schema's validator. @default - compiled with ajv at first use */
  readonly validatorOf?: ValidatorOf;
}

/**
 * The handler of one route, as a middy pipeline; everything derivable from the manifest is
 * prepared here, once, so a request only evaluates. Used by the Lambda entry point and by the
 * local gateway alike. In order, a request meets:
 *
 * 1. middy's timeoutEarly: 503 `deadline_exceeded` 750 ms before the Lambda's time is up, and an
 *    abort signal that keeps the chain from committing after that;
 * 2. @middy/http-event-normalizer and @middy/http-header-normalizer (lower-case names; the
 *    authorizer has already checked the Authorization headers as sent);
 * 3. the key-group check (403), then the chain;
 * 4. on the way out: problem+json for any error, CORS (@middy/http-cors), `no-store`, and
 *    @middy/http-security-headers (`nosniff`, `no-referrer`).
 */
export function createHandler(manifest: EnvironmentManifest, routeId: string | undefined, dynamo: DynamoDBDocumentClient = createDocumentClient(), options: HandlerOptions = {}): Handler {
  const route = findRoute(manifest, routeId);
  const prepared = prepareRoute(manifest, route, dynamo, options.validatorOf);
  const settings = manifest.apps[route.app]?.settings ?? {};
  const timeoutMs = routeTimeoutMs(route);
  const cors = manifest.apps[route.app]?.cors;
  const pipeline = (onTrace?: (trace: RequestTrace) => void) =>
    middy<ProxyEvent, ProxyResult, Error, RuntimeContext>({ timeoutEarlyInMillis: DEADLINE_MARGIN_MS, timeoutEarlyResponse: deadlineExceeded })
      .use(onTrace ? requestTrace(route.id, onTrace) : [])
      .use(httpEventNormalizer() as RuntimeMiddleware)
      .use(httpHeaderNormalizer() as RuntimeMiddleware)
      .use(httpSecurityHeaders(SECURITY_HEADERS) as RuntimeMiddleware)
      .use(noStore())
      .use(cors ? (httpCors(corsOptions(cors)) as RuntimeMiddleware) : [])
      .use(problemAnswer(options.logger ?? createLogger({ function: 'handler', fields: { route: route.id } })))
      .use(route.auth.type === 'keyGroups' ? keyGroups(route.auth.groups) : [])
      .handler((event, context, { signal }) =>
        runRequest(prepared, event, requestBindings(event, route, settings, manifest.env), context.trace, requestDeadline(signal, context)),
      );
  // a request that records no trace runs the pipeline without the trace middleware: exactly the Lambda's, at its cost
  const untraced = pipeline();
  const traced = options.onTrace ? pipeline(options.onTrace) : untraced;
  const recording = options.recordTrace ?? (() => true);
  return (event, context) => (traced !== untraced && recording() ? traced : untraced)(event, (context?.getRemainingTimeInMillis ? context : invocationContext(timeoutMs)) as RuntimeContext);
}

/**
 * Headers any client (not only a browser rendering HTML) acts on. Off: what concerns a page or a
 * whole domain (CSP, frame options, HSTS and its preload list), and what would send empty headers.
 */
const SECURITY_HEADERS = {
  contentTypeOptions: { action: 'nosniff' },
  referrerPolicy: { policy: 'no-referrer' },
  contentSecurityPolicy: false,
  crossOriginEmbedderPolicy: false,
  crossOriginOpenerPolicy: false,
  crossOriginResourcePolicy: false,
  dnsPrefetchControl: false,
  downloadOptions: false,
  frameOptions: false,
  originAgentCluster: false,
  permissionsPolicy: false,
  permittedCrossDomainPolicies: false,
  poweredBy: false,
  reportingEndpoints: false,
  reportTo: false,
  strictTransportSecurity: false,
  xssProtection: false,
} as const;

/** The app's CORS settings for answers; preflights are the fallback function's (the same settings). */
function corsOptions(cors: CorsManifest): Parameters<typeof httpCors>[0] {
  const wildcard = cors.allowOrigins.includes('*');
  return {
    ...(wildcard ? { origin: '*' } : { origins: [...cors.allowOrigins], vary: 'Origin' }),
    exposeHeaders: cors.exposeHeaders.join(', '),
    credentials: cors.allowCredentials,
  };
}
