/**
 * The compiled description of one environment: the single source of truth that synth, the
 * Lambda runtime, the local gateway and the OpenAPI export all read. Plain JSON, no tokens.
 *
 * This file holds types only, so both the CDK side and the code that ships to Lambda import it.
 */

export const MANIFEST_VERSION = 1;

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
export const HTTP_METHODS: readonly HttpMethod[] = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];

/** A JSON value in which any string of the form `{% … %}` is a JSONata expression. */
export type Template = string | number | boolean | null | readonly Template[] | { readonly [key: string]: Template };

export type JsonSchema = { readonly [key: string]: unknown } | boolean;

export interface EnvironmentManifest {
  readonly version: typeof MANIFEST_VERSION;
  /** Environment name, e.g. `dev`. Also the API stage name and the token audience. */
  readonly env: string;
  /** Prefix of every physical resource name, e.g. `appapi`. */
  readonly prefix: string;
  /** Runtime tables: journeys (with their events and identifiers), API keys, and Idempotency-Key answers. */
  readonly tables: { readonly journeys: string; readonly apiKeys: string; readonly idempotency: string };
  readonly models: { readonly [modelName: string]: ModelManifest };
  readonly apps: { readonly [appName: string]: AppManifest };
  readonly routes: readonly RouteManifest[];
}

export type FieldType = 'text' | 'email' | 'phone' | 'url' | 'number' | 'integer' | 'boolean' | 'datetime' | 'json';

export interface FieldManifest {
  readonly type: FieldType;
  readonly optional: boolean;
  readonly unique: boolean;
  readonly maxLength?: number;
}

export interface IndexManifest {
  readonly partitionKey: string;
  readonly sortKey?: string;
}

export interface ModelManifest {
  /** The model's name within its app, e.g. `Customers`. */
  readonly name: string;
  /** The declaring app; absent for a model declared outside any app. */
  readonly app?: string;
  readonly table: string;
  readonly fields: { readonly [fieldName: string]: FieldManifest };
  readonly indexes: { readonly [indexName: string]: IndexManifest };
}

export interface AppManifest {
  readonly name: string;
  /** Hosts the `http` operation may call, e.g. `api.example.com` or `*.example.com`. */
  readonly httpHosts: readonly string[];
  /** Per-environment settings readable in expressions as `$settings`. */
  readonly settings: { readonly [name: string]: string };
  /** Browsers on these origins may call the app's routes. */
  readonly cors?: CorsManifest;
}

export interface CorsManifest {
  /** Exact origins (`https://app.example.com`), or `*` alone. */
  readonly allowOrigins: readonly string[];
  readonly allowHeaders: readonly string[];
  readonly exposeHeaders: readonly string[];
  readonly maxAgeSeconds: number;
  readonly allowCredentials: boolean;
}

export type QueryParameterType = 'string' | 'integer' | 'number' | 'boolean';

export interface QueryParameterManifest {
  readonly name: string;
  readonly type: QueryParameterType;
  readonly required: boolean;
}

export type AuthManifest = { readonly type: 'public' } | { readonly type: 'keyGroups'; readonly groups: readonly string[] };

export interface ThrottlingManifest {
  /** Steady-state requests per second. */
  readonly rateLimit: number;
  /** Maximum concurrent burst of requests. */
  readonly burstLimit: number;
}

export interface RouteManifest {
  /**
   * Unique in the environment: the App API's construct id, e.g. `CreateBooking`, or `app.Id`
   * (`shop.GetCustomer`) when another app declares the same id (see lib/scoped-names.ts).
   */
  readonly id: string;
  readonly app: string;
  readonly method: HttpMethod;
  /** API Gateway path template, e.g. `/customers/{customerId}`. */
  readonly path: string;
  readonly pathParameters: readonly string[];
  readonly query: readonly QueryParameterManifest[];
  readonly body?: JsonSchema;
  readonly auth: AuthManifest;
  readonly throttling?: ThrottlingManifest;
  readonly description?: string;
  /**
   * Declared answers: the JSON Schema of the body per status (`false`: answered without a body).
   * Absent when the App API declares none, and OpenAPI publishes what the chain makes evident.
   */
  readonly responses?: { readonly [status: string]: JsonSchema };
  readonly chain: Chain;
}

export type Chain = readonly Operation[];

export type ValidateTarget = 'body' | 'query' | 'params' | 'headers';

export interface ValidateOperation {
  readonly op: 'validate';
  readonly target: ValidateTarget;
  readonly schema: JsonSchema;
}

export interface AirDataGetOperation {
  readonly op: 'airdata.get';
  readonly model: string;
  readonly id: Template;
  readonly notFound: 404 | 'null';
  readonly as: string;
}

/** Airkit-style filter: `{ "email": "a@b.c", "age": { "lessThan": 30 } }`. */
export type FilterCondition =
  | Template
  | {
      readonly equals?: Template;
      readonly notEquals?: Template;
      readonly anyOf?: Template;
      readonly lessThan?: Template;
      readonly lessThanOrEqual?: Template;
      readonly greaterThan?: Template;
      readonly greaterThanOrEqual?: Template;
      readonly like?: Template;
      readonly exists?: Template;
    };

export const FILTER_OPERATORS = [
  'equals',
  'notEquals',
  'anyOf',
  'lessThan',
  'lessThanOrEqual',
  'greaterThan',
  'greaterThanOrEqual',
  'like',
  'exists',
] as const;

export interface AirDataQueryOperation {
  readonly op: 'airdata.query';
  readonly model: string;
  readonly filter: { readonly [field: string]: FilterCondition };
  readonly limit: Template;
  readonly cursor?: Template;
  /** The index chosen at synth time, absent when the filter needs a scan. */
  readonly index?: string;
  readonly as: string;
}

export interface AirDataInsertOperation {
  readonly op: 'airdata.insert';
  readonly model: string;
  readonly record: Template;
  readonly onConflict: 'error' | 'existing';
  readonly as: string;
}

export interface AirDataPutOperation {
  readonly op: 'airdata.put';
  readonly model: string;
  readonly id: Template;
  readonly record: Template;
  readonly as: string;
}

export interface AirDataPatchOperation {
  readonly op: 'airdata.patch';
  readonly model: string;
  readonly id: Template;
  readonly fields: Template;
  readonly as: string;
}

export interface AirDataDeleteOperation {
  readonly op: 'airdata.delete';
  readonly model: string;
  readonly id: Template;
  readonly notFound: 404 | 'ignore';
  readonly as?: string;
}

export type JourneyStatus = 'active' | 'completed' | 'aborted' | 'expired';

export interface JourneyStartOperation {
  readonly op: 'journey.start';
  readonly identifier?: Template;
  readonly onConflict: 'resume' | 'replace' | 'reject';
  readonly step?: Template;
  readonly data?: Template;
  readonly expiresInDays: number;
  readonly as: string;
}

export interface JourneyGetOperation {
  readonly op: 'journey.get';
  readonly id: Template;
  readonly events: boolean;
  readonly notFound: 404 | 'null';
  readonly as: string;
}

export interface JourneyUpdateOperation {
  readonly op: 'journey.update';
  readonly id: Template;
  readonly data?: Template;
  readonly step?: Template;
  readonly status?: Template;
  readonly event?: { readonly type: Template; readonly data?: Template };
  readonly as?: string;
}

export interface JourneyEndOperation {
  readonly op: 'journey.end';
  readonly id: Template;
  readonly status: 'completed' | 'aborted';
  readonly as?: string;
}

export interface TransformOperation {
  readonly op: 'transform';
  readonly value: Template;
  readonly as: string;
}

export interface WhenOperation {
  readonly op: 'when';
  readonly condition: Template;
  readonly then: Chain;
  readonly otherwise: Chain;
}

export interface HttpOperation {
  readonly op: 'http';
  readonly method: HttpMethod;
  readonly url: Template;
  readonly headers?: Template;
  readonly body?: Template;
  readonly timeoutMs: number;
  readonly as: string;
}

export interface RespondOperation {
  readonly op: 'respond';
  readonly status: number;
  readonly headers?: { readonly [name: string]: Template };
  readonly body?: Template;
}

export interface RedirectOperation {
  readonly op: 'redirect';
  readonly status: 301 | 302 | 303 | 307 | 308;
  readonly location: Template;
}

export type Operation =
  | ValidateOperation
  | AirDataGetOperation
  | AirDataQueryOperation
  | AirDataInsertOperation
  | AirDataPutOperation
  | AirDataPatchOperation
  | AirDataDeleteOperation
  | JourneyStartOperation
  | JourneyGetOperation
  | JourneyUpdateOperation
  | JourneyEndOperation
  | TransformOperation
  | WhenOperation
  | HttpOperation
  | RespondOperation
  | RedirectOperation;

export type OperationName = Operation['op'];

/** Names every chain may read without binding them. */
export const REQUEST_BINDINGS = ['params', 'query', 'headers', 'body', 'auth', 'request', 'settings'] as const;
