import type { ValidateFunction } from 'ajv';
import { createSchemaCompiler } from '../shared/json-schema';
import { GetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Chain, EnvironmentManifest, Operation, RouteManifest } from '../shared/manifest';
import { unavailableProblem } from './dynamodb';
import { badRequest, HttpProblem } from './problem-error';
import type { ProxyResult } from './proxy-event';
import { compileExpressions, evaluate, type Bindings, type CompiledExpressions } from './templates';

/** A route made ready at cold start: expressions and schemas compiled once. */
export interface PreparedRoute {
  readonly route: RouteManifest;
  readonly manifest: EnvironmentManifest;
  readonly dynamo: DynamoDBDocumentClient;
  readonly expressions: CompiledExpressions;
  readonly schemas: ReadonlyMap<object | boolean, ValidateFunction>;
  readonly bodyValidator?: ValidateFunction;
}

export function prepareRoute(manifest: EnvironmentManifest, route: RouteManifest, dynamo: DynamoDBDocumentClient): PreparedRoute {
  const compiler = createSchemaCompiler();
  const schemas = new Map<object | boolean, ValidateFunction>();
  const visit = (chain: Chain): void =>
    chain.forEach((step) => {
      if (step.op === 'validate') schemas.set(step.schema as object, compiler.compile(step.schema as object));
      if (step.op === 'when') {
        visit(step.then);
        visit(step.otherwise);
      }
    });
  visit(route.chain);
  return {
    route,
    manifest,
    dynamo,
    expressions: compileExpressions(route.chain),
    schemas,
    ...(route.body === undefined ? {} : { bodyValidator: compiler.compile(route.body as object) }),
  };
}

/** Runs the chain; the first respond or redirect reached is the answer. */
export async function runChain(prepared: PreparedRoute, bindings: Bindings): Promise<ProxyResult> {
  if (prepared.bodyValidator) validateAgainst(prepared.bodyValidator, bindings.body, 'body');
  const result = await runSteps(prepared.route.chain, prepared, { ...bindings }, '');
  if (!result) throw new HttpProblem(500, 'chain_without_answer', 'Internal Server Error', 'The chain finished without answering.');
  return result;
}

async function runSteps(chain: Chain, prepared: PreparedRoute, bindings: Bindings, prefix: string): Promise<ProxyResult | undefined> {
  for (const [index, step] of chain.entries()) {
    const where = `${prefix}step ${index + 1} (${step.op})`;
    const outcome = await runStep(step, prepared, bindings, where);
    if (outcome.answer) return outcome.answer;
    if ('as' in step && step.as !== undefined) bindings[step.as] = outcome.value;
  }
  return undefined;
}

async function runStep(step: Operation, prepared: PreparedRoute, bindings: Bindings, where: string): Promise<{ value?: unknown; answer?: ProxyResult }> {
  const value = (template: Parameters<typeof evaluate>[0], field: string) => evaluate(template, bindings, prepared.expressions, `${where} ${field}`);
  switch (step.op) {
    case 'validate':
      validateAgainst(prepared.schemas.get(step.schema as object)!, bindings[step.target], step.target);
      return {};
    case 'transform':
      return { value: await value(step.value, 'value') };
    case 'when': {
      const branch = (await value(step.condition, 'condition')) ? step.then : step.otherwise;
      const answer = await runSteps(branch, prepared, { ...bindings }, `${where} → `);
      return answer ? { answer } : {};
    }
    case 'respond': {
      const body = await value(step.body, 'body');
      const headers: Record<string, string> = {};
      for (const [name, template] of Object.entries(step.headers ?? {})) {
        const headerValue = await value(template, `headers.${name}`);
        if (headerValue !== undefined && headerValue !== null) headers[name] = String(headerValue);
      }
      if (body === undefined || step.status === 204) return { answer: { statusCode: step.status, headers, body: '' } };
      return { answer: { statusCode: step.status, headers: { 'Content-Type': 'application/json', ...headers }, body: JSON.stringify(body) } };
    }
    case 'redirect': {
      const location = await value(step.location, 'location');
      if (typeof location !== 'string' || location === '') {
        throw new HttpProblem(500, 'redirect_without_location', 'Internal Server Error', `${where}: the location is not a string.`);
      }
      return { answer: { statusCode: step.status, headers: { Location: location }, body: '' } };
    }
    case 'airdata.get': {
      const id = await value(step.id, 'id');
      const model = prepared.manifest.models[step.model]!;
      if (typeof id !== 'string' || id === '' || id.startsWith('#')) return notFound(step.notFound, model.name);
      const item = await withStorage(() => prepared.dynamo.send(new GetCommand({ TableName: model.table, Key: { id }, ConsistentRead: true })));
      return item.Item ? { value: item.Item } : notFound(step.notFound, model.name);
    }
    default:
      throw new HttpProblem(501, 'operation_unavailable', 'Not Implemented', `${where} is not available in this release.`);
  }
}

function validateAgainst(validator: ValidateFunction, data: unknown, target: string): void {
  if (validator(data)) return;
  const violations = (validator.errors ?? []).map((error) => ({
    pointer: `/${target}${error.instancePath}`,
    message: error.message ?? 'is invalid',
    ...(error.keyword === 'required' ? { missing: (error.params as { missingProperty?: string }).missingProperty } : {}),
  }));
  const summary = violations.map((v) => `${v.pointer} ${v.message}`).join('; ');
  throw badRequest('validation_failed', `The ${target} does not match the declared schema: ${summary}.`, { violations });
}

function notFound(policy: 404 | 'null', modelName: string): { value: null } {
  if (policy === 'null') return { value: null };
  throw new HttpProblem(404, 'record_not_found', 'Not Found', `No ${modelName} record has this id.`);
}

async function withStorage<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw unavailableProblem(error) ?? error;
  }
}
