import type { ValidateFunction } from 'ajv';
import type { Chain, Operation } from '../shared/manifest';
import { callHttp } from './http-call';
import type { PreparedRoute } from './prepare-route';
import { badRequest, HttpProblem } from './problem-error';
import type { ProxyResult } from './proxy-event';
import { queryRecords } from './store/airdata-query';
import { recordNotFound, type AirDataStore } from './store/airdata-store';
import { journeyNotFound, type JourneyStore } from './store/journey-store';
import { evaluate, type Bindings } from './templates';
import { traceOutput, type TraceRecorder } from './trace';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/** The stores one run of a chain reads and writes through. */
export interface ChainStores {
  readonly airdata: AirDataStore;
  readonly journeys: JourneyStore;
  /** The client queries use: the request's traced one when a trace is recorded. */
  readonly dynamo: DynamoDBDocumentClient;
  readonly recorder?: TraceRecorder;
}

/** Runs the chain; the first respond or redirect reached is the answer. Writes are only queued. */
export async function runChain(prepared: PreparedRoute, bindings: Bindings, stores: ChainStores): Promise<ProxyResult> {
  if (prepared.route.body !== undefined) validateAgainst(prepared.validator(prepared.route.body as object), bindings.body, 'body');
  const result = await runSteps(prepared.route.chain, prepared, stores, { ...bindings }, '');
  if (!result) throw new HttpProblem('chain_without_answer', 'The chain finished without answering.');
  return result;
}

async function runSteps(chain: Chain, prepared: PreparedRoute, stores: ChainStores, bindings: Bindings, prefix: string): Promise<ProxyResult | undefined> {
  for (const [index, step] of chain.entries()) {
    const where = `${prefix}step ${index + 1} (${step.op})`;
    const startMs = stores.recorder?.elapsed() ?? 0;
    let outcome: { value?: unknown; answer?: ProxyResult };
    try {
      outcome = await runStep(step, prepared, stores, bindings, where);
    } catch (error) {
      stores.recorder?.steps.push({ step: where, op: step.op, startMs, ms: stores.recorder.elapsed() - startMs, error: error instanceof HttpProblem ? error.code : (error as Error).name });
      throw error;
    }
    if (stores.recorder && step.op !== 'when') {
      const as = 'as' in step ? step.as : undefined;
      const shown = outcome.answer ? { status: outcome.answer.statusCode } : outcome.value;
      stores.recorder.steps.push({ step: where, op: step.op, ...(as ? { as } : {}), startMs, ms: stores.recorder.elapsed() - startMs, ...(shown === undefined ? {} : { output: traceOutput(shown)! }) });
    }
    if (outcome.answer) return outcome.answer;
    if ('as' in step && step.as !== undefined) bindings[step.as] = outcome.value;
  }
  return undefined;
}

/** What a step's templates are evaluated in, and where an error says it happened. */
class StepScope {
  constructor(
    private readonly bindings: Bindings,
    private readonly expressions: PreparedRoute['expressions'],
    private readonly where: string,
  ) {}

  value(template: Parameters<typeof evaluate>[0], field: string): Promise<unknown> {
    return evaluate(template, this.bindings, this.expressions, `${this.where} ${field}`);
  }
}

async function runStep(step: Operation, prepared: PreparedRoute, stores: ChainStores, bindings: Bindings, where: string): Promise<{ value?: unknown; answer?: ProxyResult }> {
  const scope = new StepScope(bindings, prepared.expressions, where);
  const model = 'model' in step ? prepared.manifest.models[step.model]! : undefined;
  switch (step.op) {
    case 'validate':
      validateAgainst(prepared.validator(step.schema as object), bindings[step.target], step.target);
      return {};
    case 'transform':
      return { value: await scope.value(step.value, 'value') };
    case 'when': {
      const branch = (await scope.value(step.condition, 'condition')) ? step.then : step.otherwise;
      const answer = await runSteps(branch, prepared, stores, { ...bindings }, `${where} → `);
      return answer ? { answer } : {};
    }
    case 'respond':
      return { answer: await respond(step, scope) };
    case 'redirect': {
      const location = await scope.value(step.location, 'location');
      if (typeof location !== 'string' || location === '') {
        throw new HttpProblem('redirect_without_location', `${where}: the location is not a string.`);
      }
      return { answer: { statusCode: step.status, headers: { Location: location }, body: '' } };
    }
    case 'airdata.get': {
      const record = await stores.airdata.get(model!, await scope.value(step.id, 'id'));
      if (record) return { value: record };
      if (step.notFound === 'null') return { value: null };
      throw recordNotFound(model!);
    }
    case 'airdata.query': {
      const filter = (await scope.value(step.filter as never, 'filter')) as Record<string, unknown>;
      const page = await queryRecords(stores.dynamo, model!, {
        filter,
        limit: await scope.value(step.limit, 'limit'),
        cursor: await scope.value(step.cursor, 'cursor'),
        ...(step.index === undefined ? {} : { index: step.index }),
      });
      return { value: page };
    }
    case 'airdata.insert':
      return { value: await stores.airdata.insert(model!, await scope.value(step.record, 'record'), step.onConflict) };
    case 'airdata.put':
      return { value: await stores.airdata.put(model!, await scope.value(step.id, 'id'), await scope.value(step.record, 'record')) };
    case 'airdata.patch':
      return { value: await stores.airdata.patch(model!, await scope.value(step.id, 'id'), await scope.value(step.fields, 'fields')) };
    case 'airdata.delete':
      return { value: await stores.airdata.delete(model!, await scope.value(step.id, 'id'), step.notFound) };
    case 'journey.start':
      return {
        value: await stores.journeys.start({
          identifier: await scope.value(step.identifier, 'identifier'),
          step: await scope.value(step.step, 'step'),
          data: await scope.value(step.data, 'data'),
          onConflict: step.onConflict,
          expiresInDays: step.expiresInDays,
        }),
      };
    case 'journey.get': {
      const journey = await stores.journeys.get(await scope.value(step.id, 'id'), step.events);
      if (journey) return { value: journey };
      if (step.notFound === 'null') return { value: null };
      throw journeyNotFound();
    }
    case 'journey.update':
      return {
        value: await stores.journeys.update(await scope.value(step.id, 'id'), {
          data: await scope.value(step.data, 'data'),
          step: await scope.value(step.step, 'step'),
          status: await scope.value(step.status, 'status'),
          ...(step.event ? { event: { type: await scope.value(step.event.type, 'event.type'), data: await scope.value(step.event.data, 'event.data') } } : {}),
        }),
      };
    case 'journey.end':
      return { value: await stores.journeys.update(await scope.value(step.id, 'id'), { status: step.status }) };
    case 'http':
      return {
        value: await callHttp(
          {
            method: step.method,
            url: await scope.value(step.url, 'url'),
            headers: await scope.value(step.headers, 'headers'),
            body: await scope.value(step.body, 'body'),
            timeoutMs: step.timeoutMs,
          },
          { allowedHosts: prepared.app.httpHosts },
          where,
        ),
      };
  }
}

async function respond(step: Extract<Operation, { op: 'respond' }>, scope: StepScope): Promise<ProxyResult> {
  const body = await scope.value(step.body, 'body');
  const headers: Record<string, string> = {};
  for (const [name, template] of Object.entries(step.headers ?? {})) {
    const headerValue = await scope.value(template, `headers.${name}`);
    if (headerValue !== undefined && headerValue !== null) headers[name] = String(headerValue);
  }
  if (body === undefined || step.status === 204) return { statusCode: step.status, headers, body: '' };
  return { statusCode: step.status, headers: { 'Content-Type': 'application/json', ...headers }, body: JSON.stringify(body) };
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
