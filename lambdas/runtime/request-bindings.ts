import type { QueryParameterManifest, RouteManifest } from '../shared/manifest';
import { LIMITS, MAX_BODY_BYTES } from '../shared/limits';
import { badRequest, HttpProblem } from './problem-error';
import type { ProxyEvent } from './proxy-event';
import type { Bindings } from './templates';

/** The names every chain reads: $params, $query, $headers, $body, $auth, $request, $settings. */
export function requestBindings(event: ProxyEvent, route: RouteManifest, settings: Readonly<Record<string, string>>, env: string): Bindings {
  const headers: Record<string, string> = Object.create(null);
  const sent = event.headers ?? {};
  for (const name in sent) {
    const value = sent[name];
    if (value !== undefined && Object.hasOwn(sent, name)) headers[name.toLowerCase()] = value;
  }
  const requestId = event.requestContext?.requestId ?? 'unknown';
  const authorizer = event.requestContext?.authorizer ?? {};
  return {
    params: pathParameters(event, route),
    query: queryParameters(event, route.query),
    headers,
    body: parseBody(event, headers),
    auth: {
      keyId: stringOrNull(authorizer.principalId ?? authorizer.keyId),
      keyName: stringOrNull(authorizer.keyName),
      groups: typeof authorizer.groups === 'string' && authorizer.groups !== '' ? authorizer.groups.split(',') : [],
      env,
    },
    request: { id: requestId, time: isoTime(event.requestContext?.requestTimeEpoch ?? Date.now()) },
    settings,
  };
}

/** The last time formatted: requests of the same millisecond share its text. */
let formatted = { epochMs: NaN, text: '' };

function isoTime(epochMs: number): string {
  if (epochMs !== formatted.epochMs) formatted = { epochMs, text: new Date(epochMs).toISOString() };
  return formatted.text;
}

function stringOrNull(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}

function pathParameters(event: ProxyEvent, route: RouteManifest): Record<string, string> {
  const params: Record<string, string> = {};
  for (const name of route.pathParameters) {
    const value = event.pathParameters?.[name];
    if (value === undefined || value === '') throw badRequest('missing_path_parameter', `Path parameter "${name}" is missing.`);
    params[name] = value;
  }
  return params;
}

function queryParameters(event: ProxyEvent, declared: readonly QueryParameterManifest[]): Record<string, unknown> {
  const query: Record<string, unknown> = {};
  const violations: Array<{ parameter: string; reason: string }> = [];
  for (const parameter of declared) {
    const raw = event.queryStringParameters?.[parameter.name];
    if (raw === undefined) {
      if (parameter.required) violations.push({ parameter: parameter.name, reason: 'is required' });
      continue;
    }
    const value = coerce(raw, parameter.type);
    if (value === undefined) violations.push({ parameter: parameter.name, reason: `must be ${parameter.type === 'integer' ? 'an integer' : `a ${parameter.type}`}` });
    else query[parameter.name] = value;
  }
  if (violations.length > 0) {
    throw badRequest('invalid_query', violations.map((v) => `Query parameter "${v.parameter}" ${v.reason}.`).join(' '), { violations });
  }
  return query;
}

function coerce(raw: string, type: QueryParameterManifest['type']): unknown {
  switch (type) {
    case 'string':
      return raw;
    case 'integer':
      return /^-?\d{1,15}$/.test(raw) ? Number(raw) : undefined;
    case 'number': {
      const value = Number(raw);
      return raw.trim() !== '' && Number.isFinite(value) ? value : undefined;
    }
    case 'boolean':
      return raw === 'true' ? true : raw === 'false' ? false : undefined;
  }
}

const JSON_CONTENT_TYPE = /^application\/([a-z0-9.+-]*\+)?json\s*(;|$)/i;

function parseBody(event: ProxyEvent, headers: Record<string, string>): unknown {
  if (event.body === undefined || event.body === null || event.body === '') return undefined;
  // the gateway enforces the limit by Content-Length; this is the backstop on the bytes that arrived
  const size = event.isBase64Encoded ? Buffer.from(event.body, 'base64').length : Buffer.byteLength(event.body);
  if (size > MAX_BODY_BYTES) {
    throw new HttpProblem('payload_too_large', `The request body is ${size} bytes; App APIs accept at most ${MAX_BODY_BYTES} (5 MiB).`);
  }
  const contentType = headers['content-type'] ?? '';
  if (!JSON_CONTENT_TYPE.test(contentType)) {
    throw new HttpProblem('unsupported_media_type', `The body must be JSON (Content-Type: application/json), received "${contentType || 'no Content-Type'}".`);
  }
  const text = event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
  if (nestingDepth(text) > MAX_JSON_DEPTH) {
    throw badRequest('body_too_deep', `The body nests arrays and objects more than ${MAX_JSON_DEPTH} levels deep.`);
  }
  try {
    return JSON.parse(text, (key, value) => (key === '__proto__' ? undefined : value));
  } catch (error) {
    throw badRequest('malformed_json', `The body is not valid JSON: ${(error as Error).message}.`);
  }
}

/** Deeper documents are refused before parsing: every later step (schemas, JSONata, DynamoDB) recurses. */
const MAX_JSON_DEPTH = LIMITS.jsonDepth.value;

/** The deepest nesting of `[` and `{` outside strings; counts, does not parse. */
function nestingDepth(text: string): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let index = 0; index < text.length; index += 1) {
    const char = text.charCodeAt(index);
    if (inString) {
      if (char === 92 /* \\ */) index += 1;
      else if (char === 34 /* " */) inString = false;
    } else if (char === 34) inString = true;
    else if (char === 91 || char === 123) deepest = Math.max(deepest, ++depth);
    else if (char === 93 || char === 125) depth -= 1;
  }
  return deepest;
}
