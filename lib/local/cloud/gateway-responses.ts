import type { TemplateResource } from './stack-resources';

/**
 * The errors API Gateway makes itself, by response type, with the status each has unless a
 * gateway response sets another.
 * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/supported-gateway-response-types.html
 */
export const GATEWAY_RESPONSE_DEFAULT_STATUS = {
  ACCESS_DENIED: 403,
  AUTHORIZER_FAILURE: 500,
  AUTHORIZER_CONFIGURATION_ERROR: 500,
  BAD_REQUEST_BODY: 400,
  BAD_REQUEST_PARAMETERS: 400,
  DEFAULT_4XX: undefined,
  DEFAULT_5XX: undefined,
  INTEGRATION_FAILURE: 504,
  INTEGRATION_TIMEOUT: 504,
  MISSING_AUTHENTICATION_TOKEN: 403,
  QUOTA_EXCEEDED: 429,
  REQUEST_TOO_LARGE: 413,
  RESOURCE_NOT_FOUND: 404,
  THROTTLED: 429,
  UNAUTHORIZED: 401,
  UNSUPPORTED_MEDIA_TYPE: 415,
  WAF_FILTERED: 403,
} as const;

export type GatewayResponseType = keyof typeof GATEWAY_RESPONSE_DEFAULT_STATUS;

export interface GatewayAnswer {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

/** What the error's template may read: `$context.requestId`, `$context.error.message(String)`. */
export interface GatewayErrorContext {
  readonly requestId: string;
  readonly message: string;
}

interface Declared {
  readonly status?: number;
  readonly headers: Record<string, string>;
  readonly template?: string;
}

export type GatewayResponder = (type: GatewayResponseType, context: GatewayErrorContext) => GatewayAnswer;

/** The `$context` variables a template may use here; anything else is refused at startup. */
const VARIABLE = /\$(?:\{([A-Za-z.]+)\}|([A-Za-z]+(?:\.[A-Za-z]+)*))/g;
const SUPPORTED = new Set(['context.requestId', 'context.error.message', 'context.error.messageString']);

/**
 * API Gateway's answer to an error it makes itself, from the template's `AWS::ApiGateway::GatewayResponse`
 * resources: the entry of the error's type, else `DEFAULT_4XX`/`DEFAULT_5XX` by its default status,
 * else API Gateway's built-in `{"message": …}`. Header values are the literals the template quotes;
 * the `application/json` template is rendered with the `$context` variables above.
 * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-gatewayResponse-definition.html
 */
export function compileGatewayResponses(resources: readonly TemplateResource[]): GatewayResponder {
  const declared = new Map<string, Declared>();
  for (const resource of resources) {
    if (resource.type !== 'AWS::ApiGateway::GatewayResponse') continue;
    const properties = resource.properties as { ResponseType: string; StatusCode?: string; ResponseParameters?: Record<string, string>; ResponseTemplates?: Record<string, string> };
    const headers: Record<string, string> = {};
    for (const [key, value] of Object.entries(properties.ResponseParameters ?? {})) {
      const name = /^gatewayresponse\.header\.(.+)$/.exec(key)?.[1];
      const literal = /^'(.*)'$/s.exec(value)?.[1];
      if (!name || literal === undefined) throw new Error(`Gateway response ${resource.logicalId}: ${key} = ${value} is not a literal header value, which is all the local gateway renders.`);
      headers[name] = literal;
    }
    const template = properties.ResponseTemplates?.['application/json'];
    if (template !== undefined) {
      for (const match of template.matchAll(VARIABLE)) {
        const name = match[1] ?? match[2]!;
        if (!SUPPORTED.has(name)) throw new Error(`Gateway response ${resource.logicalId}: the template uses $${name}, which the local gateway does not render (it renders ${[...SUPPORTED].map((v) => `$${v}`).join(', ')}).`);
      }
      if (/(^|[^\\])#(set|if|foreach|else|end)\b/.test(template)) throw new Error(`Gateway response ${resource.logicalId}: VTL directives are not rendered by the local gateway.`);
    }
    declared.set(properties.ResponseType, { ...(properties.StatusCode ? { status: Number(properties.StatusCode) } : {}), headers, ...(template === undefined ? {} : { template }) });
  }
  return (type, context) => {
    const defaultStatus = GATEWAY_RESPONSE_DEFAULT_STATUS[type] ?? 500;
    const entry = declared.get(type) ?? declared.get(defaultStatus >= 500 ? 'DEFAULT_5XX' : 'DEFAULT_4XX');
    const status = declared.get(type)?.status ?? entry?.status ?? defaultStatus;
    if (!entry || entry.template === undefined) {
      return { status, headers: { 'Content-Type': 'application/json', ...entry?.headers }, body: JSON.stringify({ message: context.message }) };
    }
    const body = entry.template.replace(VARIABLE, (_, braced: string | undefined, bare: string | undefined) => {
      const name = braced ?? bare!;
      if (name === 'context.requestId') return context.requestId;
      if (name === 'context.error.messageString') return JSON.stringify(context.message);
      return context.message;
    });
    return { status, headers: { 'Content-Type': 'application/json', ...entry.headers }, body };
  };
}
