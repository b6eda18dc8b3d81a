import { Duration } from 'aws-cdk-lib';
import { Construct, type IConstruct } from 'constructs';
import type { AppManifest, CorsManifest } from '../../lambdas/shared/manifest';
import { RoutePath } from '../route-path';
import { kebabCase, requireEnvironment } from './environment-context';

export interface ApiAppProps {
  /**
   * The app's name: routes, key filtering and journeys belong to it.
   * @default - the construct id in kebab case (`Booking` → `booking`)
   */
  readonly appName?: string;
  /**
   * Hosts the `http` operation may call: exact names (`api.example.com`) or one leading
   * wildcard label (`*.example.com`). Nothing else is reachable, link-local and instance-metadata
   * addresses included.
   * @default [] - the app makes no outbound calls
   */
  readonly httpHosts?: readonly string[];
  /**
   * Values chains read as `$settings.name`, usually different per environment (a link's base URL).
   * Secrets do not belong here: settings are plain text in the manifest.
   * @default {}
   */
  readonly settings?: { readonly [name: string]: string };
  /**
   * Lets browsers on other origins call the app's routes: preflight (OPTIONS) answers and
   * `Access-Control-*` headers on the handlers' answers, in AWS and locally alike.
   * @default - no CORS: browsers on other origins cannot read the answers
   */
  readonly cors?: CorsOptions;
  /**
   * A path every App API of the app is served under: with `basePath: '/shop'`, an App API declared
   * on `/customers/{id}` answers `/shop/customers/{id}` (in AWS, locally and in OpenAPI). Literal
   * segments only.
   * @default - the paths as declared
   */
  readonly basePath?: string;
}

export interface CorsOptions {
  /** Exact origins such as `https://app.example.com`, or `['*']`. */
  readonly allowOrigins: readonly string[];
  /** @default ['Content-Type', 'Authorization', 'Idempotency-Key'] */
  readonly allowHeaders?: readonly string[];
  /** Answer headers a browser script may read. @default ['x-amzn-RequestId', 'Idempotent-Replayed', 'Location'] */
  readonly exposeHeaders?: readonly string[];
  /** How long a browser may cache a preflight answer. @default Duration.minutes(10) */
  readonly maxAge?: Duration;
  /** Allow cookies and HTTP auth to be sent; not with `*`. @default false */
  readonly allowCredentials?: boolean;
}

const APP_NAME = /^[a-z][a-z0-9-]{0,39}$/;
const HOST = /^(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
const APP = Symbol.for('appapi.app');

/**
 * A named group of App APIs. Declare the app's AirData models and App APIs inside it.
 *
 * @example
 * const booking = new ApiApp(stack, 'Booking', { settings: { linkBaseUrl: 'https://book.example.com' } });
 * new AppApi(booking, 'Health', { method: 'GET', path: '/health', auth: ApiAuth.public(), chain: [op.respond({ body: { status: 'ok' } })] });
 */
export class ApiApp extends Construct {
  /** The app that declares a construct, or undefined. */
  static of(scope: IConstruct): ApiApp | undefined {
    for (let node: IConstruct | undefined = scope; node; node = node.node.scope) {
      if ((node as unknown as { [APP]?: boolean })[APP]) return node as ApiApp;
    }
    return undefined;
  }

  readonly appName: string;
  readonly manifest: AppManifest;
  /** `/shop`, or `''` when the app has no base path. */
  readonly basePath: string;

  constructor(scope: Construct, id: string, props: ApiAppProps = {}) {
    super(scope, id);
    Object.defineProperty(this, APP, { value: true });
    requireEnvironment(this, 'ApiApp');
    this.appName = props.appName ?? kebabCase(id);
    const where = `ApiApp "${this.appName}"`;
    if (!APP_NAME.test(this.appName)) {
      throw new Error(`${where}: the app name must be lower-case letters, digits and "-", starting with a letter, at most 40 characters. Set appName.`);
    }
    this.basePath = checkBasePath(props.basePath, where);
    const httpHosts = (props.httpHosts ?? []).map((host) => host.toLowerCase());
    for (const host of httpHosts) {
      if (!HOST.test(host)) throw new Error(`${where}: httpHosts entry "${host}" is not a host name; write "api.example.com" or "*.example.com", without scheme, port or path.`);
    }
    const settings = props.settings ?? {};
    for (const [name, value] of Object.entries(settings)) {
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new Error(`${where}: setting name "${name}" must contain only letters, digits and underscores.`);
      if (typeof value !== 'string') throw new Error(`${where}: setting "${name}" must be a string, received ${typeof value}.`);
    }
    this.manifest = { name: this.appName, httpHosts, settings: { ...settings }, ...(props.cors ? { cors: corsManifest(props.cors, where) } : {}) };
  }
}

function checkBasePath(basePath: string | undefined, where: string): string {
  if (basePath === undefined || basePath === '/') return '';
  let parsed: RoutePath;
  try {
    parsed = RoutePath.parse(basePath);
  } catch (error) {
    throw new Error(`${where}: basePath ${(error as Error).message.replace(/^path /, '')}`);
  }
  if (parsed.parameters.length > 0) throw new Error(`${where}: basePath "${basePath}" has a parameter; a base path is literal segments such as "/shop" (declare parameters in each App API's path).`);
  return parsed.template;
}

const ORIGIN = /^https?:\/\/[a-z0-9.-]+(:[0-9]{1,5})?$/;
const HEADER_NAME = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/;

function corsManifest(options: CorsOptions, where: string): CorsManifest {
  const origins = [...options.allowOrigins];
  if (origins.length === 0) throw new Error(`${where}: cors.allowOrigins is empty; list origins such as "https://app.example.com", or ["*"].`);
  if (origins.includes('*') && origins.length > 1) throw new Error(`${where}: cors.allowOrigins mixes "*" with origins; use ["*"] alone or list the origins.`);
  for (const origin of origins) {
    if (origin !== '*' && !ORIGIN.test(origin)) throw new Error(`${where}: cors origin "${origin}" must be scheme://host[:port] in lower case, without a path, e.g. "https://app.example.com".`);
  }
  if (options.allowCredentials && origins.includes('*')) throw new Error(`${where}: cors.allowCredentials cannot be used with "*" (browsers refuse it); list the origins.`);
  const allowHeaders = [...(options.allowHeaders ?? ['Content-Type', 'Authorization', 'Idempotency-Key'])];
  const exposeHeaders = [...(options.exposeHeaders ?? ['x-amzn-RequestId', 'Idempotent-Replayed', 'Location'])];
  for (const header of [...allowHeaders, ...exposeHeaders]) if (!HEADER_NAME.test(header)) throw new Error(`${where}: "${header}" is not an HTTP header name.`);
  const maxAgeSeconds = (options.maxAge ?? Duration.minutes(10)).toSeconds();
  return { allowOrigins: origins, allowHeaders, exposeHeaders, maxAgeSeconds, allowCredentials: options.allowCredentials ?? false };
}
