import { createHash } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import type { EnvironmentManifest, RouteManifest } from '../lambdas/shared/manifest';
import { problemType } from '../lambdas/shared/problem';
import { SchemaComponents } from './responses/components';
import { localName } from './scoped-names';
import { exampleOf } from './responses/examples';
import { publishedAnswers, type PublishedAnswer } from './responses/route-answers';
import { PROBLEM_CATALOGUE, type ProblemCode } from '../lambdas/shared/problem-catalogue';
import { errorStatusDescriptions, operationErrorStatuses } from './openapi-errors';

type Json = Record<string, unknown>;


const ERROR_DESCRIPTIONS = errorStatusDescriptions();

/**
 * The environment's routes as an OpenAPI 3.1 document, generated from the same manifest the gateway
 * serves: security, parameters, body schemas (JSON Schema 2020-12, which OpenAPI 3.1 speaks), each
 * answer's schema (declared, or what the chain makes evident) with an example, and the
 * problem+json errors each route can give.
 */
export function openApiDocument(manifest: EnvironmentManifest, serverUrl?: string): Json {
  const components = new SchemaComponents(manifest.models);
  const paths: Record<string, Record<string, Json>> = {};
  const problemStatuses = new Set<string>();
  for (const route of [...manifest.routes].sort((a, b) => a.path.localeCompare(b.path))) {
    (paths[route.path] ??= {})[route.method.toLowerCase()] = operation(route, manifest, components, problemStatuses);
  }
  components.problem();
  const document: Json = {
    openapi: '3.1.0',
    info: {
      title: `App APIs — ${manifest.env}`,
      version: createHash('sha256').update(JSON.stringify(manifest.routes)).digest('hex').slice(0, 12),
      description: `Every App API of environment ${manifest.env}. Errors are application/problem+json (RFC 9457) with a stable \`code\`.`,
    },
    ...(serverUrl ? { servers: [{ url: serverUrl, description: `Environment ${manifest.env}` }] } : {}),
    tags: Object.keys(manifest.apps).sort().map((name) => ({ name, description: `The App APIs of app "${name}".` })),
    paths,
    components: {
      securitySchemes: {
        apiToken: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'An API token of this environment (appapi keys create).' },
      },
      schemas: components.entries(),
      responses: Object.fromEntries([...problemStatuses].sort().map((status) => [`Problem${status}`, problemResponse(status)])),
    },
  };
  return withValidExamples(document);
}

function operation(route: RouteManifest, manifest: EnvironmentManifest, components: SchemaComponents, problemStatuses: Set<string>): Json {
  const parameters: Json[] = [
    ...route.pathParameters.map((name) => ({ name, in: 'path', required: true, schema: { type: 'string' } })),
    ...route.query.map((parameter) => ({ name: parameter.name, in: 'query', required: parameter.required, schema: { type: parameter.type } })),
  ];
  if (route.method === 'POST') {
    parameters.push({ name: 'Idempotency-Key', in: 'header', required: false, description: 'Retries with the same key and body get the first answer.', schema: { type: 'string', maxLength: 255 } });
  }
  const keyProtected = route.auth.type === 'keyGroups';
  const summary = humanize(localName(route.id));
  const access = keyProtected ? `Callable with an API token whose key is in group ${route.auth.groups.join(' or ')}.` : 'Public: no token needed.';
  return {
    operationId: route.id,
    tags: [route.app],
    summary,
    description: `${route.description ? `${route.description}\n\n` : ''}App API \`${route.id}\` of app "${route.app}". ${access}`,
    security: keyProtected ? [{ apiToken: [] }] : [],
    ...(keyProtected ? { 'x-appapi-key-groups': route.auth.groups } : {}),
    ...(parameters.length ? { parameters } : {}),
    ...(route.body === undefined ? {} : { requestBody: { required: true, content: { 'application/json': { schema: route.body } } } }),
    responses: responses(route, manifest, components, problemStatuses),
  };
}

/** `CreateCustomer` → `Create customer`. */
function humanize(id: string): string {
  const words = id.replace(/[-_]+/g, ' ').replace(/([a-z0-9])([A-Z])/g, '$1 $2').trim().split(/\s+/);
  return words.map((word, index) => (index === 0 ? word : /^[A-Z]+$/.test(word) ? word : word.toLowerCase())).join(' ');
}

function responses(route: RouteManifest, manifest: EnvironmentManifest, components: SchemaComponents, problemStatuses: Set<string>): Json {
  const result: Json = {};
  for (const answer of publishedAnswers(route, manifest, components)) result[String(answer.status)] = answerObject(answer, components);
  // every status the gateway and the handler can answer for this operation (lib/openapi-errors.ts)
  for (const status of operationErrorStatuses(manifest, route).map(String)) {
    if (result[status] !== undefined) continue;
    problemStatuses.add(status);
    result[status] = { $ref: `#/components/responses/Problem${status}` };
  }
  return result;
}

function answerObject(answer: PublishedAnswer, components: SchemaComponents): Json {
  const description = STATUS_CODES[answer.status] ?? `Status ${answer.status}`;
  if (answer.kind === 'redirect') {
    return { description, headers: { Location: { description: 'Where the client is sent.', required: true, schema: { type: 'string' } } } };
  }
  if (answer.kind === 'empty') return { description };
  const schema = answer.schema ?? {};
  const example = exampleOf(schema, (value) => components.resolve(value));
  return { description, content: { 'application/json': { schema, example } } };
}

/** The problem+json errors a route can answer, from what its chain does. */
function problemResponse(status: string): Json {
  const description = ERROR_DESCRIPTIONS[status] ?? STATUS_CODES[Number(status)] ?? 'Error';
  // the example carries the first code of the catalogue answered with this status
  const [code, { title }] = Object.entries(PROBLEM_CATALOGUE).find(([, entry]) => String(entry.status) === status) ?? ['internal_error', { title: STATUS_CODES[Number(status)] ?? 'Error' }];
  const example = { type: problemType(code as ProblemCode), title, status: Number(status), detail: description, code, requestId: 'c0ffee00-1234-4d5e-8f90-abcdef012345' };
  return { description, content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' }, example } } };
}

/**
 * Drops every generated example its own schema refuses (a pattern the generator cannot satisfy,
 * a declared constraint it does not know): a published example is always a valid answer.
 */
function withValidExamples(document: Json): Json {
  const ajv = new Ajv2020({ strict: false, allErrors: false, validateSchema: false });
  addFormats(ajv);
  ajv.addSchema(document, 'openapi');
  for (const [path, methods] of Object.entries(document.paths as Record<string, Record<string, Json>>)) {
    for (const [method, operationObject] of Object.entries(methods)) {
      for (const [status, response] of Object.entries(operationObject.responses as Record<string, Json>)) {
        const media = (response.content as Record<string, Json> | undefined)?.['application/json'];
        if (!media || !('example' in media)) continue;
        const pointer = ['paths', path, method, 'responses', status, 'content', 'application/json', 'schema'].map((segment) => encodeURIComponent(escapePointer(segment))).join('/');
        const validate = ajv.getSchema(`openapi#/${pointer}`);
        if (!validate || !validate(media.example)) delete media.example;
      }
    }
  }
  return document;
}

export function escapePointer(segment: string): string {
  return segment.replace(/~/g, '~0').replace(/\//g, '~1');
}
