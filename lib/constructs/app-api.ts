import { Token } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import type { HttpMethod, JsonSchema, Operation, QueryParameterManifest, ThrottlingManifest } from '../../lambdas/shared/manifest';
import { HTTP_METHODS } from '../../lambdas/shared/manifest';
import { checkSchema } from '../chain/compile';
import { RoutePath } from '../route-path';
import { ApiApp } from './api-app';
import { ApiAuth } from './api-auth';
import { requireEnvironment } from './environment-context';

export interface QueryParameter {
  readonly name: string;
  /** @default 'string' */
  readonly type?: QueryParameterManifest['type'];
  /**
   * A request without it is rejected with 400.
   * @default false
   */
  readonly required?: boolean;
}

export interface AppApiProps {
  /** GET, POST, PUT, PATCH or DELETE. */
  readonly method: HttpMethod;
  /**
   * Path template with whole-segment parameters, e.g. `/customers/{customerId}`; served under the
   * app's `basePath`, if it has one.
   */
  readonly path: string;
  /** `ApiAuth.public()` or `ApiAuth.keyGroups('partners')`. No default: a route is never public by accident. */
  readonly auth: ApiAuth;
  /** The data operations, built with `op.*`; the chain must end by answering. */
  readonly chain: readonly Operation[];
  /**
   * Query parameters the route reads as `$query.name`.
   * @default [] - reading any `$query.x` fails synth
   */
  readonly query?: readonly QueryParameter[];
  /**
   * JSON Schema (draft 2020-12) the JSON body must match; a mismatch answers 400 listing every violation.
   * @default - the body is not validated
   */
  readonly body?: JsonSchema;
  /**
   * Per-route throttling at the API Gateway stage.
   * @default - the stage's account-level limits
   */
  readonly throttling?: ThrottlingManifest;
  /** @default - none */
  readonly description?: string;
  /**
   * The answers' bodies by status, as JSON Schema (draft 2020-12): what OpenAPI publishes, and
   * what local mode checks every answer against. When given, every status the chain answers with
   * `op.respond` or `op.redirect` must be declared, and nothing else; a status answered without a
   * body (a redirect, 204) is declared `false`. Synth warns (`appapi:responseContradicted`) when
   * the chain evidently answers something else.
   * @default - what the chain makes evident: a record's, a page's or a journey's schema, an object
   * literal's properties; an unconstrained value where the chain does not tell
   */
  readonly responses?: { readonly [status: number]: JsonSchema };
}

const ROUTE_ID = /^[A-Za-z][A-Za-z0-9_-]{0,63}$/;
const QUERY_NAME = /^[A-Za-z_][A-Za-z0-9_.-]{0,63}$/;
const QUERY_TYPES = ['string', 'integer', 'number', 'boolean'] as const;
const BODYLESS_METHODS: readonly HttpMethod[] = ['GET', 'DELETE'];

/**
 * One endpoint: method, path, query parameters, auth and a chain of data operations. Declared in
 * an ApiApp; the environment stack turns it into an API Gateway method and a handler Lambda whose
 * IAM allows only what its chain does.
 *
 * @example
 * new AppApi(booking, 'GetCustomer', {
 *   method: 'GET',
 *   path: '/customers/{customerId}',
 *   auth: ApiAuth.keyGroups('partners'),
 *   chain: [
 *     op.airdata.get(customers, { id: '{% $params.customerId %}', as: 'customer' }),
 *     op.respond({ body: '{% $customer %}' }),
 *   ],
 * });
 */
export class AppApi extends Construct {
  /** The id within its app, e.g. `GetCustomer` (the construct id). */
  readonly routeId: string;
  readonly app: ApiApp;
  readonly method: HttpMethod;
  readonly path: RoutePath;
  readonly auth: ApiAuth;
  readonly query: readonly QueryParameterManifest[];
  readonly props: AppApiProps;

  constructor(scope: Construct, id: string, props: AppApiProps) {
    super(scope, id);
    requireEnvironment(this, 'AppApi');
    const where = `App API "${id}"`;
    const app = ApiApp.of(this);
    if (!app) throw new Error(`${where} is not declared inside an ApiApp. Declare it as new AppApi(app, '${id}', {...}) where app is an ApiApp.`);
    if (!ROUTE_ID.test(id)) throw new Error(`${where}: the id must start with a letter and contain only letters, digits, "-" and "_" (at most 64).`);
    if (!HTTP_METHODS.includes(props.method)) {
      throw new Error(`${where}: method "${String(props.method)}" is not supported; use one of ${HTTP_METHODS.join(', ')}.`);
    }
    let path: RoutePath;
    try {
      RoutePath.parse(props.path);
      path = RoutePath.parse(props.path === '/' && app.basePath ? app.basePath : `${app.basePath}${props.path}`);
    } catch (error) {
      throw new Error(`${where}: ${(error as Error).message}`);
    }
    if (!(props.auth instanceof ApiAuth)) {
      throw new Error(`${where}: auth must be ApiAuth.public() or ApiAuth.keyGroups(...), received ${JSON.stringify(props.auth)}.`);
    }
    if (!Array.isArray(props.chain) || props.chain.length === 0) {
      throw new Error(`${where}: chain must list at least one operation, e.g. [op.respond({ body: { ok: true } })].`);
    }
    if (props.body !== undefined) {
      if (BODYLESS_METHODS.includes(props.method)) throw new Error(`${where}: a ${props.method} request carries no body; remove "body" or read inputs from "query".`);
      checkSchema(props.body, `${where}: "body"`);
    }
    checkResponses(props.responses, where);
    this.query = checkQuery(props.query ?? [], path, where);
    checkThrottling(props.throttling, where);
    this.routeId = id;
    this.app = app;
    this.method = props.method;
    this.path = path;
    this.auth = props.auth;
    this.props = props;
  }

  private key: string | undefined;

  /** `POST /bookings`. */
  get routeKey(): string {
    return `${this.method} ${this.path.template}`;
  }

  /**
   * Unique in the environment: the manifest's route id, from which the handler's logical id, the
   * OpenAPI operationId and the CLI's name derive. `GetCustomer`, or `shop.GetCustomer` when
   * another app declares the same id (see lib/scoped-names.ts). Known once the environment has
   * compiled its apps.
   */
  get manifestId(): string {
    return this.key ?? this.routeId;
  }

  /** Called by the environment once every app is declared. */
  bindKey(key: string): void {
    this.key = key;
  }
}

function checkQuery(parameters: readonly QueryParameter[], path: RoutePath, where: string): QueryParameterManifest[] {
  const seen = new Set<string>();
  return parameters.map((parameter) => {
    const { name } = parameter;
    if (typeof name !== 'string' || !QUERY_NAME.test(name)) {
      throw new Error(`${where}: query parameter name ${JSON.stringify(name)} must start with a letter or "_" and contain only letters, digits, "_", "." and "-".`);
    }
    if (seen.has(name)) throw new Error(`${where}: query parameter "${name}" is declared twice; declare each name once.`);
    seen.add(name);
    const type = parameter.type ?? 'string';
    if (!QUERY_TYPES.includes(type)) throw new Error(`${where}: query parameter "${name}" has type "${type}"; use one of ${QUERY_TYPES.join(', ')}.`);
    if (path.parameters.includes(name)) {
      throw new Error(`${where}: "${name}" is declared both as a path parameter and as a query parameter; rename one of them.`);
    }
    return { name, type, required: parameter.required ?? false };
  });
}

function checkResponses(responses: AppApiProps['responses'], where: string): void {
  if (responses === undefined) return;
  if (responses === null || typeof responses !== 'object' || Array.isArray(responses)) {
    throw new Error(`${where}: "responses" must map statuses to JSON Schemas, e.g. { 201: { type: 'object', ... } }.`);
  }
  for (const [status, schema] of Object.entries(responses)) {
    if (!/^[1-5][0-9][0-9]$/.test(status) || Number(status) < 200) {
      throw new Error(`${where}: "responses" declares status "${status}"; declare answers of status 200 to 599.`);
    }
    if (schema === false) continue;
    checkSchema(schema, `${where}: "responses" ${status}`);
  }
}

function checkThrottling(throttling: ThrottlingManifest | undefined, where: string): void {
  if (!throttling) return;
  const { rateLimit, burstLimit } = throttling;
  if (Token.isUnresolved(rateLimit) || Token.isUnresolved(burstLimit)) return;
  if (!(rateLimit > 0) || !Number.isFinite(rateLimit)) throw new Error(`${where}: throttling.rateLimit must be a positive number of requests per second, received ${rateLimit}.`);
  if (!Number.isInteger(burstLimit) || burstLimit < 1) throw new Error(`${where}: throttling.burstLimit must be a whole number of at least 1, received ${burstLimit}.`);
}
