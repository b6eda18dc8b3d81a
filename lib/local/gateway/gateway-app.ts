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
import { authorizerEvent, invocationPayloadBytes, methodArn, proxyEvent, requestFacts, type LocalStage, type RequestFacts } from './proxy-event';
import { LOCAL_PSEUDO_PARAMETERS } from '../cloud/intrinsics';
import { readBody } from './read-body';
import { fallbackAnswer, pathMethods } from '../../../lambdas/fallback/fallback-answer';
import { MAX_INVOCATION_PAYLOAD_BYTES } from '../../../lambdas/shared/limits';
import type { GatewayAnswer, GatewayResponseType } from '../cloud/gateway-responses';
import { authorizedClient } from '../cloud/handler-iam';
import { functionHandlerOptions } from '../cloud/handler-options';
import { localInvocationContext } from '../cloud/lambda-functions';
import type { LocalPlatform } from '../cloud/platform';
import { compileWebAcl, type WafBlockResponse, type WafRequest } from '../cloud/waf';
import { createAnswerCheck, MAX_REPORTED_VIOLATIONS, type AnswerCheck, type AnswerCheckMode } from './answer-check';
import { problemResponse, problemType } from '../../../lambdas/shared/problem';
import { TokenBucket } from './throttle';

export interface GatewayAppOptions {
  readonly manifest: EnvironmentManifest;
  readonly documents: DynamoDBDocumentClient;
  readonly publicJwk: PublicSigningJwk;
  /** What the synthesized template says of the web ACL, gateway responses, authorizer, stage and API. */
  readonly platform: LocalPlatform;
  /** @default - the authorizer's result TTL from the template */
  readonly authorizerCacheTtlMs?: number;
  /** Every request, once answered: the local access log. */
  readonly onRequest?: (entry: AccessLogEntry) => void;
  /** Each request's chain trace, recorded when given. */
  readonly onTrace?: (trace: RequestTrace) => void;
  /** Whether a request starting now records its trace. @default - always, with onTrace */
  readonly recordTrace?: () => boolean;
  /** Serve the local console at /__appapi/ (dev only). */
  readonly console?: Pick<ConsoleContext, 'traces' | 'signingKey'>;
  readonly log?: (entry: Record<string, unknown>) => void;
  /**
   * Checks every handler answer against the schema the OpenAPI document publishes for it.
   * @default 'warn'
   */
  readonly answerCheck?: AnswerCheckMode;
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
  /** Where the handler's answer departs from the schema published for it (the first few). */
  readonly answerViolations?: readonly string[];
}

export type GatewayApp = (request: IncomingMessage, response: ServerResponse) => Promise<void>;

/**
 * API Gateway for one environment's manifest, in process: the same route table, the same
 * authorizer (behind the same cache semantics) and the same handler code as in AWS, called with
 * the events API Gateway builds. Everything is built once; a reload builds a new app.
 */
export function createGatewayApp(options: GatewayAppOptions): GatewayApp {
  const { manifest, platform } = options;
  // the REST API's resource/method tree from the template routes every request
  const tree = platform.restApi;
  const routesById = new Map(manifest.routes.map((route) => [route.id, route]));
  // each handler's DynamoDB calls are authorized against its role's policies from the template, as IAM does
  // one handler per function a method integrates with, running the route its APPAPI_ROUTE names
  const handlers = new Map<string, Handler>();
  for (const method of tree.methods) {
    if (method.target.kind !== 'handler' || handlers.has(method.target.functionLogicalId)) continue;
    const routeId = method.target.routeId;
    if (!routesById.has(routeId)) throw new Error(`Method ${method.httpMethod} ${method.resourcePath} integrates with function ${method.target.functionLogicalId}, whose route ${routeId} is not declared in ${manifest.env}.`);
    const identity = options.platform.handlerIdentities.get(routeId);
    const documents = identity ? authorizedClient(options.documents, identity, routeId) : options.documents;
    handlers.set(method.target.functionLogicalId, createHandler(manifest, routeId, documents, functionHandlerOptions(method.target.function, options)));
  }
  for (const method of tree.methods) {
    if (method.authorizationType === 'CUSTOM' && method.authorizerId !== platform.authorizer?.logicalId) {
      throw new Error(`Method ${method.httpMethod} ${method.resourcePath} uses authorizer ${method.authorizerId}, which is not the REST API's authorizer${platform.authorizer ? ` ${platform.authorizer.logicalId}` : ''}.`);
    }
  }
  // the authorizer's DynamoDB calls are authorized against its own role from the template
  const authorizer = createAuthorizer({ manifest, publicJwk: options.publicJwk, dynamo: authorizedClient(options.documents, platform.authorizerIdentity, 'authorizer'), ...(options.log ? { log: options.log } : {}) });
  // the authorizer's result TTL and identity source, as the template has them
  const authorizations = new AuthorizerCache(authorizer, options.authorizerCacheTtlMs ?? (platform.authorizer?.resultTtlSeconds ?? 0) * 1000);
  const identityHeader = platform.authorizer?.identityHeader ?? 'authorization';
  let openApi: Record<string, unknown> | undefined;
  const answerCheckMode = options.answerCheck ?? 'warn';
  let answerCheck: AnswerCheck | undefined;
  const checkAnswer = (route: (typeof manifest.routes)[number], answer: ProxyResult): string[] => {
    if (answerCheckMode === 'off') return [];
    try {
      answerCheck ??= createAnswerCheck((openApi ??= openApiDocument(manifest)));
      return answerCheck(route, answer).slice(0, MAX_REPORTED_VIOLATIONS);
    } catch (error) {
      // a check that cannot run says so, and never changes the answer
      options.log?.({ level: 'error', message: 'answer check failed', route: route.id, error: error instanceof Error ? error.message : String(error) });
      return [];
    }
  };
  // the stage's method settings, as the template has them
  const buckets = new Map<string, TokenBucket>();
  for (const method of tree.methods) {
    const limits = platform.throttling.get(`${method.httpMethod} ${method.resourcePath}`);
    if (limits) buckets.set(method.logicalId, new TokenBucket(limits));
  }
  const fallbackPaths = pathMethods(manifest);
  const waf = platform.webAcl ? compileWebAcl(platform.webAcl) : undefined;
  const gatewayError = (request: IncomingMessage, response: ServerResponse, type: GatewayResponseType, facts: RequestFacts, message: string): number =>
    sendGatewayAnswer(request, response, platform.gatewayResponses(type, { requestId: facts.requestId, message }), facts);
  const region = LOCAL_PSEUDO_PARAMETERS['AWS::Region']!;
  const stage: LocalStage = { name: manifest.env, apiId: `${manifest.prefix}-${manifest.env}`, accountId: LOCAL_PSEUDO_PARAMETERS['AWS::AccountId']! };

  const consoleContext: ConsoleContext | undefined = options.console ? { ...options.console, manifest, documents: options.documents } : undefined;
  return async (request, response) => {
    const facts = requestFacts(request);
    // the console is not an App API: not routed, not authorized, not in the request log it shows
    if (consoleContext && facts.path.startsWith(CONSOLE_PATH.slice(0, -1))) {
      try {
        return await handleConsole(request, response, facts.path, consoleContext);
      } catch (error) {
        options.log?.({ level: 'error', message: 'console failure', error: error instanceof Error ? error.message : String(error) });
        if (!response.headersSent) sendProblem(request, response, GATEWAY_PROBLEMS.internal, facts);
        return;
      }
    }
    const method = request.method ?? 'GET';
    const blocked = waf?.(wafRequest(request, method));
    if (blocked?.action === 'block') {
      const status = blocked.response.custom
        ? sendWafBlock(request, response, blocked.response, facts)
        : gatewayError(request, response, 'WAF_FILTERED', facts, 'Forbidden');
      options.onRequest?.({ requestId: facts.requestId, method, path: facts.path, status, latencyMs: Date.now() - facts.receivedAt, bodyBytes: 0 });
      return;
    }
    let status = 500;
    let routeId: string | undefined;
    let keyId: string | undefined;
    let keyName: string | undefined;
    let bodyBytes = 0;
    let answerViolations: string[] = [];
    try {
      // the document describes this environment's routes; a declared /openapi.json route wins
      if (method === 'GET' && facts.path === '/openapi.json' && tree.resolve('GET', facts.path).kind === 'missing') {
        openApi ??= openApiDocument(manifest);
        const body = JSON.stringify({ ...openApi, servers: [{ url: `http://${request.headers.host ?? '127.0.0.1'}` }] });
        response.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body), 'x-amzn-RequestId': facts.requestId });
        response.end(body);
        return void (status = 200);
      }
      const resolution = tree.resolve(method, facts.path);
      // a REST API answers a path it has no resource (or no method) for with MISSING_AUTHENTICATION_TOKEN
      if (resolution.kind === 'missing') return void (status = gatewayError(request, response, 'MISSING_AUTHENTICATION_TOKEN', facts, 'Missing Authentication Token'));
      const { method: templateMethod, pathParameters } = resolution;
      if (buckets.get(templateMethod.logicalId)?.take() === false) return void (status = gatewayError(request, response, 'THROTTLED', facts, 'Too Many Requests'));
      const target = templateMethod.target;
      if (target.kind === 'handler') routeId = target.routeId;
      const resource = { path: templateMethod.resourcePath, id: templateMethod.resourceId };
      const sourceIp = request.socket.remoteAddress ?? '127.0.0.1';
      let authorizerContext: Parameters<typeof proxyEvent>[6] = null;
      // the method's authorization type decides, as the template has it
      if (templateMethod.authorizationType === 'CUSTOM') {
        const identity = request.headers[identityHeader] as string | undefined;
        const asked = performance.now();
        const decision = await authorizations.decide(identity, methodArn(facts, method, stage, region), () => authorizerEvent(facts, method, resource, pathParameters, stage, sourceIp, region));
        if (decision.outcome !== 'allow') {
          const [type, message]: [GatewayResponseType, string] =
            decision.outcome === 'unauthorized' ? ['UNAUTHORIZED', 'Unauthorized'] : decision.outcome === 'forbidden' ? ['ACCESS_DENIED', 'User is not authorized to access this resource'] : ['AUTHORIZER_FAILURE', 'Internal server error'];
          return void (status = gatewayError(request, response, type, facts, message));
        }
        keyId = decision.result.principalId;
        keyName = decision.result.context.keyName;
        authorizerContext = { principalId: decision.result.principalId, context: decision.result.context, integrationLatency: Math.round(performance.now() - asked) };
      }
      if (target.kind === 'fallback') {
        // the environment's fallback function (405 with Allow, 404, or a CORS preflight): the same code here; its
        // answers never read the body, so an error closes the connection rather than wait for an unread one
        const answer = fallbackAnswer(fallbackPaths, { resource: templateMethod.resourcePath, method, origin: request.headers.origin, requestId: facts.requestId });
        status = answer.statusCode >= 400 ? sendGatewayAnswer(request, response, { status: answer.statusCode, headers: answer.headers, body: answer.body }, facts) : send(response, answer, facts.requestId);
        return;
      }
      const route = routesById.get(target.routeId)!;
      // the method's request validator, after the authorizer as in AWS: required parameters, then the body's model
      const validator = platform.requestValidators.get(templateMethod.logicalId);
      const badParameters = validator?.parameters({ pathParameters, query: facts.query, headers: request.headers });
      if (badParameters) return void (status = gatewayError(request, response, badParameters.type, facts, badParameters.message));
      const body = await readBody(request, MAX_BODY_BYTES);
      bodyBytes = body.kind === 'body' ? body.bytes.length : body.kind === 'too_large' ? body.bytesRead : 0;
      if (body.kind === 'aborted') return void (status = 499);
      if (body.kind === 'too_large') return void (status = gatewayError(request, response, 'REQUEST_TOO_LARGE', facts, 'Request Too Long'));
      const badBody = validator?.body(request.headers['content-type'], body.bytes);
      if (badBody) return void (status = gatewayError(request, response, badBody.type, facts, badBody.message));
      const event = proxyEvent(facts, method, resource, pathParameters, body.bytes, stage, authorizerContext, sourceIp, platform.binaryMediaTypes);
      const eventBytes = invocationPayloadBytes(event);
      if (eventBytes > MAX_INVOCATION_PAYLOAD_BYTES) {
        // Lambda refuses the invocation and API Gateway answers 500 (DEFAULT_5XX): the same here, with the reason in the log
        options.log?.({ level: 'warn', message: 'invocation payload too large', requestId: facts.requestId, route: route.id, eventBytes, limit: MAX_INVOCATION_PAYLOAD_BYTES, bodyBytes });
        return void (status = gatewayError(request, response, 'DEFAULT_5XX', facts, 'Internal server error'));
      }
      // the Lambda context counts down from the function's timeout in the template
      let answer = await handlers.get(target.functionLogicalId)!(event, localInvocationContext(target.function, facts.requestId));
      answerViolations = checkAnswer(route, answer);
      if (answerViolations.length) {
        options.log?.({ level: 'warn', message: 'answer does not match its published schema', requestId: facts.requestId, route: route.id, method, path: route.path, status: answer.statusCode, violations: answerViolations });
        if (answerCheckMode === 'fatal') answer = answerMismatch(route, answer.statusCode, answerViolations, facts.requestId);
      }
      status = send(response, answer, facts.requestId);
    } catch (error) {
      options.log?.({ level: 'error', message: 'gateway failure', requestId: facts.requestId, error: error instanceof Error ? error.stack : String(error) });
      if (!response.headersSent) status = gatewayError(request, response, 'DEFAULT_5XX', facts, 'Internal server error');
    } finally {
      options.onRequest?.({ requestId: facts.requestId, method, path: facts.path, ...(routeId ? { route: routeId } : {}), ...(keyId ? { keyId } : {}), ...(keyName ? { keyName } : {}), status, latencyMs: Date.now() - facts.receivedAt, bodyBytes, ...(answerViolations.length ? { answerViolations } : {}) });
    }
  };
}

/** Local mode only (answerCheck 'fatal', for tests): an answer off its published schema fails the request. */
function answerMismatch(route: { method: string; path: string }, status: number, violations: readonly string[], requestId: string): ProxyResult {
  return problemResponse({
    type: problemType('answer_mismatch'),
    title: 'Internal Server Error',
    status: 500,
    detail: `The ${status} answer of ${route.method} ${route.path} does not match the schema published for it: ${violations.join('; ')}. (Local check, fatal with APPAPI_RESPONSE_CHECK=fatal.)`,
    code: 'answer_mismatch',
    requestId,
  });
}

function send(response: ServerResponse, result: ProxyResult, requestId: string): number {
  const body = result.isBase64Encoded ? Buffer.from(result.body, 'base64') : (result.body ?? '');
  const length = typeof body === 'string' ? Buffer.byteLength(body, 'utf8') : body.length;
  // One writeHead with a flat list: node:http writes it as is (validating each name and value),
  // without the per-header bookkeeping setHeader keeps for getHeader. A name given twice in
  // different cases keeps its last value, as setHeader would; the gateway's own two headers win.
  const headers = new Map<string, readonly [string, string | number | readonly string[]]>();
  for (const name in result.headers) headers.set(name.toLowerCase(), [name, result.headers[name]!]);
  if (result.multiValueHeaders) for (const name in result.multiValueHeaders) headers.set(name.toLowerCase(), [name, result.multiValueHeaders[name]!.map(String)]);
  headers.set('x-amzn-requestid', ['x-amzn-RequestId', requestId]);
  headers.set('content-length', ['Content-Length', length]);
  const raw: Array<string | number> = [];
  for (const [name, value] of headers.values()) {
    if (typeof value === 'object') for (const one of value) raw.push(name, one);
    else raw.push(name, value);
  }
  response.writeHead(result.statusCode, raw as unknown as string[]);
  // a string body goes out in one write with the head, as node:http does for strings
  if (typeof body === 'string') response.end(body, 'utf8');
  else response.end(body);
  return result.statusCode;
}

/** The parts of a request WAF inspects, undecoded as it sees them. */
function wafRequest(request: IncomingMessage, method: string): WafRequest {
  const target = request.url ?? '/';
  const question = target.indexOf('?');
  return {
    method,
    headers: request.headers as Record<string, string | undefined>,
    uriPath: question < 0 ? target : target.slice(0, question),
    ...(question < 0 ? {} : { queryString: target.slice(question + 1) }),
  };
}

/**
 * Whether part of a request's body is still unread. A request without a body is not complete yet
 * while its 'request' event runs (Node marks it after the handlers return), so an answer made then
 * must not close the connection: API Gateway keeps a client's connection for its next request.
 */
function hasUnreadBody(request: IncomingMessage): boolean {
  if (request.complete) return false;
  const length = request.headers['content-length'];
  return request.headers['transfer-encoding'] !== undefined || (length !== undefined && Number(length) !== 0);
}

/**
 * WAF's answer to a blocked request: the custom response of the template's rule (WAF sends it
 * as-is: no request id, its own Content-Type), or 403 as API Gateway's WAF_FILTERED response.
 * https://docs.aws.amazon.com/waf/latest/developerguide/customizing-the-response-for-blocked-requests.html
 */
function sendWafBlock(request: IncomingMessage, response: ServerResponse, block: WafBlockResponse, facts: RequestFacts): number {
  const body = block.body ?? '';
  const unreadBody = hasUnreadBody(request);
  response.writeHead(block.status, {
    ...(block.contentType ? { 'Content-Type': block.contentType } : {}),
    'Content-Length': Buffer.byteLength(body),
    'x-amzn-RequestId': facts.requestId,
    ...(unreadBody ? { Connection: 'close' } : {}),
  });
  response.end(body);
  if (unreadBody) response.once('finish', () => setTimeout(() => request.socket.destroy(), 2_000).unref());
  return block.status;
}

/** API Gateway's answer to an error it makes, closing the connection like sendProblem does for an unread body. */
function sendGatewayAnswer(request: IncomingMessage, response: ServerResponse, answer: GatewayAnswer, facts: RequestFacts): number {
  const unreadBody = hasUnreadBody(request);
  response.writeHead(answer.status, { ...answer.headers, 'Content-Length': Buffer.byteLength(answer.body), 'x-amzn-RequestId': facts.requestId, ...(unreadBody ? { Connection: 'close' } : {}) });
  response.end(answer.body);
  if (unreadBody) {
    response.once('finish', () => {
      request.socket.end();
      setTimeout(() => request.socket.destroy(), 2_000).unref();
    });
  }
  return answer.status;
}

/**
 * A gateway-made error. The body of the request is never read for it: the connection is closed
 * after the answer so an unread (possibly huge) body is not waited for.
 */
function sendProblem(request: IncomingMessage, response: ServerResponse, problem: GatewayProblem, facts: RequestFacts, headers: Record<string, string> = {}): number {
  const body = JSON.stringify(gatewayProblemBody(problem, facts.requestId));
  const unreadBody = hasUnreadBody(request);
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
