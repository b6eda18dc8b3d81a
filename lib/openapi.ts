import { createHash } from 'node:crypto';
import type { Chain, EnvironmentManifest, Operation, RouteManifest } from '../lambdas/shared/manifest';

type Json = Record<string, unknown>;

const PROBLEM_SCHEMA = {
  type: 'object',
  description: 'RFC 9457 problem details, as every error of these App APIs is answered.',
  required: ['type', 'title', 'code'],
  properties: {
    type: { type: 'string', format: 'uri' },
    title: { type: 'string' },
    status: { type: 'integer' },
    detail: { type: 'string' },
    code: { type: 'string', description: 'Stable, snake_case.' },
    requestId: { type: 'string' },
  },
};

const ERRORS: Record<string, string> = {
  '400': 'The request is malformed or does not match the declared schema.',
  '401': 'No valid API token of this environment.',
  '403': 'The API key\'s groups do not allow this route.',
  '404': 'Not found.',
  '405': 'The path does not accept this method.',
  '409': 'Conflicts with the current data (a unique value, an active journey, an ended journey).',
  '411': 'A body without Content-Length (AWS).',
  '413': 'The body is over 5 MiB, or a record over 400 KB.',
  '415': 'The body is not JSON, or is compressed.',
  '422': 'The request cannot be processed (an Idempotency-Key reused with another body, too many writes).',
  '429': 'Throttled: retry after Retry-After.',
  '500': 'Internal error; quote the requestId.',
  '503': 'Storage or authorization temporarily unavailable: retry after Retry-After.',
};

/**
 * The environment's routes as an OpenAPI 3.1 document, generated from the same manifest the gateway
 * serves: security, parameters, body schemas (JSON Schema 2020-12, which OpenAPI 3.1 speaks) and
 * the problem+json error answers each route can give.
 */
export function openApiDocument(manifest: EnvironmentManifest, serverUrl?: string): Json {
  const paths: Record<string, Record<string, Json>> = {};
  for (const route of [...manifest.routes].sort((a, b) => a.path.localeCompare(b.path))) {
    (paths[route.path] ??= {})[route.method.toLowerCase()] = operation(route);
  }
  return {
    openapi: '3.1.0',
    info: {
      title: `App APIs — ${manifest.env}`,
      version: createHash('sha256').update(JSON.stringify(manifest.routes)).digest('hex').slice(0, 12),
      description: `Every App API of environment ${manifest.env}. Errors are application/problem+json.`,
    },
    ...(serverUrl ? { servers: [{ url: serverUrl }] } : {}),
    tags: Object.keys(manifest.apps).sort().map((name) => ({ name })),
    paths,
    components: {
      securitySchemes: {
        apiToken: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'An API token of this environment (appapi keys create).' },
      },
      schemas: { Problem: PROBLEM_SCHEMA },
      responses: Object.fromEntries(
        Object.entries(ERRORS).map(([status, description]) => [`Problem${status}`, { description, content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } } }]),
      ),
    },
  };
}

function operation(route: RouteManifest): Json {
  const parameters: Json[] = [
    ...route.pathParameters.map((name) => ({ name, in: 'path', required: true, schema: { type: 'string' } })),
    ...route.query.map((parameter) => ({ name: parameter.name, in: 'query', required: parameter.required, schema: { type: parameter.type } })),
  ];
  if (route.method === 'POST') {
    parameters.push({ name: 'Idempotency-Key', in: 'header', required: false, description: 'Retries with the same key and body get the first answer.', schema: { type: 'string', maxLength: 255 } });
  }
  const keyProtected = route.auth.type === 'keyGroups';
  return {
    operationId: route.id,
    tags: [route.app],
    ...(route.description ? { summary: route.description } : {}),
    security: keyProtected ? [{ apiToken: [] }] : [],
    ...(keyProtected ? { 'x-appapi-key-groups': route.auth.groups } : {}),
    ...(parameters.length ? { parameters } : {}),
    ...(route.body === undefined ? {} : { requestBody: { required: true, content: { 'application/json': { schema: route.body } } } }),
    responses: responses(route),
  };
}

function responses(route: RouteManifest): Json {
  const result: Json = {};
  for (const status of answers(route.chain)) {
    if (status >= 300 && status < 400) result[String(status)] = { description: 'Redirect', headers: { Location: { schema: { type: 'string' } } } };
    else if (status === 204) result['204'] = { description: 'No content' };
    else result[String(status)] = { description: 'Answer of the chain', content: { 'application/json': { schema: {} } } };
  }
  const errors = new Set(['400', '500']);
  if (route.auth.type === 'keyGroups') ['401', '403'].forEach((status) => errors.add(status));
  if (route.body !== undefined || ['POST', 'PUT', 'PATCH'].includes(route.method)) ['413', '415'].forEach((status) => errors.add(status));
  if (route.method === 'POST') errors.add('422');
  if (route.throttling) errors.add('429');
  const ops = flatten(route.chain);
  if (ops.some((op) => 'notFound' in op && op.notFound === 404) || ops.some((op) => ['airdata.patch', 'journey.update', 'journey.end'].includes(op.op))) errors.add('404');
  if (ops.some((op) => ['airdata.insert', 'airdata.put', 'airdata.patch', 'journey.start', 'journey.update', 'journey.end'].includes(op.op))) errors.add('409');
  if (ops.some((op) => op.op.startsWith('airdata.') || op.op.startsWith('journey.')) || route.auth.type === 'keyGroups') errors.add('503');
  for (const status of [...errors].sort()) result[status] = { $ref: `#/components/responses/Problem${status}` };
  return result;
}

function answers(chain: Chain): Set<number> {
  const statuses = new Set<number>();
  for (const op of flatten(chain)) if (op.op === 'respond' || op.op === 'redirect') statuses.add(op.status);
  return statuses;
}

function flatten(chain: Chain): Operation[] {
  return chain.flatMap((op) => (op.op === 'when' ? [op, ...flatten(op.then), ...flatten(op.otherwise)] : [op]));
}
