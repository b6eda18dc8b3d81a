import { createHash } from 'node:crypto';
import type { Chain, EnvironmentManifest, Operation, RouteManifest } from '../lambdas/shared/manifest';
import { errorStatusDescriptions, operationErrorStatuses } from './openapi-errors';

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

const ERRORS = errorStatusDescriptions();

/**
 * The environment's routes as an OpenAPI 3.1 document, generated from the same manifest the gateway
 * serves: security, parameters, body schemas (JSON Schema 2020-12, which OpenAPI 3.1 speaks) and
 * the problem+json error answers each route can give.
 */
export function openApiDocument(manifest: EnvironmentManifest, serverUrl?: string): Json {
  const paths: Record<string, Record<string, Json>> = {};
  for (const route of [...manifest.routes].sort((a, b) => a.path.localeCompare(b.path))) {
    (paths[route.path] ??= {})[route.method.toLowerCase()] = operation(route, manifest);
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

function operation(route: RouteManifest, manifest: EnvironmentManifest): Json {
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
    responses: responses(route, manifest),
  };
}

function responses(route: RouteManifest, manifest: EnvironmentManifest): Json {
  const result: Json = {};
  for (const status of answers(route.chain)) {
    if (status >= 300 && status < 400) result[String(status)] = { description: 'Redirect', headers: { Location: { schema: { type: 'string' } } } };
    else if (status === 204) result['204'] = { description: 'No content' };
    else result[String(status)] = { description: 'Answer of the chain', content: { 'application/json': { schema: {} } } };
  }
  for (const status of operationErrorStatuses(manifest, route)) result[String(status)] = { $ref: `#/components/responses/Problem${status}` };
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
