import type { IncomingMessage, ServerResponse } from 'node:http';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createAuthorizer } from '../../../lambdas/authorizer/create-authorizer';
import { createHandler, type Handler } from '../../../lambdas/runtime/create-handler';
import type { ProxyResult } from '../../../lambdas/runtime/proxy-event';
import type { RequestTrace } from '../../../lambdas/runtime/trace';
import type { EnvironmentManifest } from '../../../lambdas/shared/manifest';
import type { PublicSigningJwk } from '../../../lambdas/shared/signing-jwk';
import { GATEWAY_PROBLEMS, gatewayProblemBody, MAX_BODY_BYTES, type GatewayProblem } from '../../gateway-problems';
import { openApiDocument } from '../../openapi';
import { AuthorizerCache } from '../authorizer-cache';
import { CONSOLE_PATH, handleConsole, type ConsoleContext } from '../console/console-api';
import { invocationPayloadBytes, proxyEvent, requestFacts, type RequestFacts } from './proxy-event';
import { readBody } from './read-body';
import { fallbackAnswer, pathMethods } from '../../../lambdas/fallback/fallback-answer';
import { LIMITS, MAX_INVOCATION_PAYLOAD_BYTES } from '../../../lambdas/shared/limits';
import { createLogger } from '../../../lambdas/shared/logger';
import { RouteTable } from './route-table';
import { TokenBucket } from './throttle';

export interface GatewayAppOptions {
  readonly manifest: EnvironmentManifest;
  readonly documents: DynamoDBDocumentClient;
  readonly publicJwk: PublicSigningJwk;
  /** @default 30 s, as the stack's authorizer */
  readonly authorizerCacheTtlMs?: number;
  /** Every request, once answered: the local access log. */
  readonly onRequest?: (entry: AccessLogEntry) => void;
  /** Each request's chain trace, recorded when given. */
  readonly onTrace?: (trace: RequestTrace) => void;
  /** Serve the local console at /__appapi/ (dev only). */
  readonly console?: Pick<ConsoleContext, 'traces' | 'signingKey'>;
  readonly log?: (entry: Record<string, unknown>) => void;
}

export interface AccessLogEntry {
  readonly requestId: string;
  readonly method: string;
  readonly path: string;
  readonly route?: string;
  readonly keyId?: string;
  readonly keyName?: string;
  readonly status: number;
  readonly latencyMs: number;
  /** Body bytes read from the client (a refused oversized body stops being read at the limit). */
  readonly bodyBytes: number;
}

export type GatewayApp = (request: IncomingMessage, response: ServerResponse) => Promise<void>;

/**
 * API Gateway for one environment's manifest, in process: the same route table, the same
 * authorizer (behind the same cache semantics) and the same handler code as in AWS, called with
 * the events API Gateway builds. Everything is built once; a reload builds a new app.
 */
export function createGatewayApp(options: GatewayAppOptions): GatewayApp {
  const { manifest } = options;
  const routes = new RouteTable(manifest.routes);
  // the handlers' log lines go where the gateway's own go
  const handlerOptions = { ...(options.onTrace ? { onTrace: options.onTrace } : {}), ...(options.log ? { logger: createLogger({ function: 'handler', sink: options.log }) } : {}) };
  const handlers = new Map<string, Handler>(manifest.routes.map((route) => [route.id, createHandler(manifest, route.id, options.documents, handlerOptions)]));
  const authorizer = createAuthorizer({ manifest, publicJwk: options.publicJwk, dynamo: options.documents, ...(options.log ? { log: options.log } : {}) });
  const authorizations = new AuthorizerCache(authorizer, options.authorizerCacheTtlMs ?? LIMITS.authorizerCacheTtl.value * 1000);
  let openApi: Record<string, unknown> | undefined;
  const buckets = new Map(manifest.routes.filter((route) => route.throttling).map((route) => [route.id, new TokenBucket(route.throttling!)]));
  const fallbackPaths = pathMethods(manifest);
  const stageArn = `arn:aws:execute-api:local:000000000000:${manifest.prefix}-${manifest.env}/${manifest.env}`;

  const consoleContext: ConsoleContext | undefined = options.console ? { ...options.console, manifest, documents: options.documents } : undefined;
  return async (request, response) => {
    const facts = requestFacts(request);
    // the console is not an App API: not routed, not authorized, not in the request log it shows
    if (consoleContext && facts.path.startsWith(CONSOLE_PATH.slice(0, -1))) {
      try {
        return await handleConsole(request, response, facts.path, consoleContext);
      } catch (error) {
        options.log?.({ level: 'error', msg: 'console failure', error: error instanceof Error ? error.message : String(error) });
        if (!response.headersSent) sendProblem(request, response, GATEWAY_PROBLEMS.internal, facts);
        return;
      }
    }
    const method = request.method ?? 'GET';
    let status = 500;
    let routeId: string | undefined;
    let keyId: string | undefined;
    let keyName: string | undefined;
    let bodyBytes = 0;
    try {
      // the document describes this environment's routes; a declared /openapi.json route wins
      if (method === 'GET' && facts.path === '/openapi.json' && routes.resolve('GET', facts.path).kind === 'not_found') {
        openApi ??= openApiDocument(manifest);
        const body = JSON.stringify({ ...openApi, servers: [{ url: `http://${request.headers.host ?? '127.0.0.1'}` }] });
        response.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body), 'x-amzn-RequestId': facts.requestId });
        response.end(body);
        return void (status = 200);
      }
      const resolution = routes.resolve(method, facts.path);
      if (resolution.kind === 'not_found') return void (status = sendProblem(request, response, GATEWAY_PROBLEMS.notFound, facts));
      if (resolution.kind === 'method_not_allowed') {
        // the environment's fallback function answers it in AWS (405 with Allow, or a CORS preflight): the same code here
        const answer = fallbackAnswer(fallbackPaths, { resource: resolution.routes[0]!.path, method, origin: request.headers.origin, requestId: facts.requestId });
        if (answer.statusCode >= 400) return void (status = sendProblem(request, response, GATEWAY_PROBLEMS.methodNotAllowed, facts, { Allow: answer.headers.Allow! }));
        status = send(response, answer, facts.requestId);
        return;
      }
      const { route, pathParameters } = resolution.match;
      routeId = route.id;
      if (buckets.get(route.id)?.take() === false) return void (status = sendProblem(request, response, GATEWAY_PROBLEMS.throttled, facts));
      if (request.headers['content-encoding'] !== undefined) return void (status = sendProblem(request, response, GATEWAY_PROBLEMS.contentEncodingUnsupported, facts));
      const declaredLength = Number(request.headers['content-length']);
      if (Number.isFinite(declaredLength) && declaredLength > MAX_BODY_BYTES) return void (status = sendProblem(request, response, GATEWAY_PROBLEMS.payloadTooLarge, facts));
      let authorizerContext: Record<string, unknown> | null = null;
      if (route.auth.type === 'keyGroups') {
        const identity = request.headers.authorization;
        const methodArn = `${stageArn}/${method}/${facts.path.replace(/^\//, '')}`;
        const decision = await authorizations.decide({ methodArn, headers: facts.headers, multiValueHeaders: facts.multiValueHeaders, requestContext: { requestId: facts.requestId } }, identity);
        if (decision.outcome !== 'allow') {
          const problem = decision.outcome === 'unauthorized' ? GATEWAY_PROBLEMS.unauthorized : decision.outcome === 'forbidden' ? GATEWAY_PROBLEMS.forbidden : GATEWAY_PROBLEMS.authUnavailable;
          return void (status = sendProblem(request, response, problem, facts));
        }
        keyId = decision.result.principalId;
        keyName = decision.result.context.keyName;
        authorizerContext = { principalId: decision.result.principalId, ...decision.result.context };
      }
      const body = await readBody(request, MAX_BODY_BYTES);
      bodyBytes = body.kind === 'body' ? body.bytes.length : body.kind === 'too_large' ? body.bytesRead : 0;
      if (body.kind === 'aborted') return void (status = 499);
      if (body.kind === 'too_large') return void (status = sendProblem(request, response, GATEWAY_PROBLEMS.payloadTooLarge, facts));
      const event = proxyEvent(facts, method, route, pathParameters, body.bytes, manifest.env, authorizerContext, request.socket.remoteAddress ?? '127.0.0.1');
      const eventBytes = invocationPayloadBytes(event);
      if (eventBytes > MAX_INVOCATION_PAYLOAD_BYTES) {
        // Lambda refuses the invocation and API Gateway answers its generic 500 (DEFAULT_5XX): the same here, with the reason in the log
        options.log?.({ level: 'warn', msg: 'invocation payload too large', requestId: facts.requestId, route: route.id, eventBytes, limit: MAX_INVOCATION_PAYLOAD_BYTES, bodyBytes });
        return void (status = sendProblem(request, response, GATEWAY_PROBLEMS.internal, facts));
      }
      status = send(response, await handlers.get(route.id)!(event), facts.requestId);
    } catch (error) {
      options.log?.({ level: 'error', msg: 'gateway failure', requestId: facts.requestId, error: error instanceof Error ? error.stack : String(error) });
      if (!response.headersSent) status = sendProblem(request, response, GATEWAY_PROBLEMS.internal, facts);
    } finally {
      options.onRequest?.({ requestId: facts.requestId, method, path: facts.path, ...(routeId ? { route: routeId } : {}), ...(keyId ? { keyId } : {}), ...(keyName ? { keyName } : {}), status, latencyMs: Date.now() - facts.receivedAt, bodyBytes });
    }
  };
}

function send(response: ServerResponse, result: ProxyResult, requestId: string): number {
  const body = result.isBase64Encoded ? Buffer.from(result.body, 'base64') : Buffer.from(result.body ?? '', 'utf8');
  response.statusCode = result.statusCode;
  for (const [name, value] of Object.entries(result.headers ?? {})) response.setHeader(name, value);
  for (const [name, values] of Object.entries(result.multiValueHeaders ?? {})) response.setHeader(name, values.map(String));
  response.setHeader('x-amzn-RequestId', requestId);
  response.setHeader('Content-Length', body.length);
  response.end(body);
  return result.statusCode;
}

/**
 * A gateway-made error. The body of the request is never read for it: the connection is closed
 * after the answer so an unread (possibly huge) body is not waited for.
 */
function sendProblem(request: IncomingMessage, response: ServerResponse, problem: GatewayProblem, facts: RequestFacts, headers: Record<string, string> = {}): number {
  const body = JSON.stringify(gatewayProblemBody(problem, facts.requestId));
  const unreadBody = !request.complete;
  response.writeHead(problem.status, {
    'Content-Type': 'application/problem+json',
    'Content-Length': Buffer.byteLength(body),
    'x-amzn-RequestId': facts.requestId,
    ...problem.headers,
    ...headers,
    ...(unreadBody ? { Connection: 'close' } : {}),
  });
  response.end(body);
  if (unreadBody) {
    response.once('finish', () => {
      request.socket.end();
      // a client still sending gets a reset after a grace period to read the answer
      setTimeout(() => request.socket.destroy(), 2_000).unref();
    });
  }
  return problem.status;
}
