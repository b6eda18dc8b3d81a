import type {
  AirDataQueryOperation,
  AppManifest,
  Chain,
  FilterCondition,
  JsonSchema,
  ModelManifest,
  Operation,
  Template,
} from '../../lambdas/shared/manifest';
import { FILTER_OPERATORS, REQUEST_BINDINGS } from '../../lambdas/shared/manifest';
import { createSchemaCompiler } from '../../lambdas/shared/json-schema';
import { hostMatches } from '../../lambdas/shared/host-pattern';
import { LIMITS } from '../../lambdas/shared/limits';
import { analyzeExpression, ExpressionSyntaxError, expressionSource, findExpressions } from './expression';

export { hostMatches } from '../../lambdas/shared/host-pattern';

export class ChainError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ChainError';
  }
}

/** A legal but dubious choice, reported as a CDK warning with a stable id. */
export interface ChainWarning {
  readonly id: 'appapi:redirect301' | 'appapi:scan' | 'appapi:responseContradicted';
  readonly message: string;
}

export interface ChainContext {
  /** How messages name the App API, e.g. `App API "CreateBooking" (POST /bookings)`. */
  readonly label: string;
  readonly models: { readonly [name: string]: ModelManifest };
  /**
   * Finds the model a step names, as seen from the chain's app; the step is compiled with the
   * model's key. Throws a message saying how to fix a missing or ambiguous name.
   * @default - the name is a key of `models`
   */
  readonly resolveModel?: (reference: string) => { readonly key: string; readonly model: ModelManifest };
  readonly app: AppManifest;
  readonly pathParameters: readonly string[];
  readonly queryParameters: readonly string[];
}

export interface CompiledChain {
  readonly chain: Chain;
  readonly warnings: readonly ChainWarning[];
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const MAX_QUERY_LIMIT = LIMITS.maxQueryLimit.value;
const MAX_HTTP_TIMEOUT_MS = LIMITS.integrationTimeout.value;

/**
 * Checks a chain against its environment and returns it ready for the runtime: every expression
 * parses, every name is bound before it is read, every model exists, the chain ends by responding.
 * Throws ChainError with a message naming the App API, the step, what was found and the fix.
 */
export function compileChain(chain: Chain, context: ChainContext): CompiledChain {
  const warnings: ChainWarning[] = [];
  const schemaCompiler = createSchemaCompiler();
  const compiled = compileSteps(chain, new Map(), [], context, warnings, schemaCompiler);
  if (!terminates(compiled)) {
    throw new ChainError(
      `${context.label}: the chain can finish without answering. End it with op.respond({...}) or op.redirect({...}) ` +
        `(inside op.when, both branches must answer for the chain to end there).`,
    );
  }
  return { chain: compiled, warnings };
}

/** Checks a JSON Schema compiles; `where` names it in the message. */
export function checkSchema(schema: JsonSchema, where: string, schemaCompiler = createSchemaCompiler()): void {
  try {
    schemaCompiler.compile(schema as object);
  } catch (error) {
    throw new ChainError(`${where}: the JSON Schema does not compile: ${(error as Error).message}. Fix the schema (draft 2020-12).`);
  }
}

type Scope = Map<string, string>;

function compileSteps(
  steps: Chain,
  outerScope: Scope,
  position: readonly number[],
  context: ChainContext,
  warnings: ChainWarning[],
  schemaCompiler: ReturnType<typeof createSchemaCompiler>,
): Operation[] {
  if (!Array.isArray(steps)) throw new ChainError(`${context.label}: the chain must be an array of operations, received ${typeof steps}.`);
  const scope: Scope = new Map(outerScope);
  const compiled: Operation[] = [];
  steps.forEach((step, index) => {
    const here = [...position, index + 1];
    const where = `${context.label}, ${describeStep(here)}${isOperation(step) ? ` (${step.op})` : ''}`;
    if (!isOperation(step)) throw new ChainError(`${where}: not an operation (received ${JSON.stringify(step)}). Build steps with op.*.`);
    const previous = compiled[compiled.length - 1];
    if (previous && terminates([previous])) {
      throw new ChainError(`${where}: unreachable, the previous step already answers the request. Remove it or move it before the answer.`);
    }
    const checked = checkStep(step, scope, here, where, context, warnings, schemaCompiler);
    if ('as' in checked && checked.as !== undefined) bind(checked.as, scope, where, describeStep(here));
    compiled.push(checked);
  });
  return compiled;
}

function checkStep(
  step: Operation,
  scope: Scope,
  position: readonly number[],
  where: string,
  context: ChainContext,
  warnings: ChainWarning[],
  schemaCompiler: ReturnType<typeof createSchemaCompiler>,
): Operation {
  const { op: name, ...fields } = step;
  const nested = name === 'when' ? ['then', 'otherwise'] : [];
  const literalOnly = name === 'validate' ? ['schema'] : [];
  for (const [key, value] of Object.entries(fields)) {
    if (nested.includes(key) || literalOnly.includes(key) || key === 'as') continue;
    checkExpressions(value as Template, key, scope, where, context);
  }
  switch (step.op) {
    case 'validate':
      if (step.target === 'params' && context.pathParameters.length === 0) {
        throw new ChainError(`${where}: validates path parameters, but the path declares none. Validate "body", "query" or "headers".`);
      }
      checkSchema(step.schema, where, schemaCompiler);
      return step;
    case 'airdata.get':
    case 'airdata.delete':
      return { ...step, model: requireModel(step.model, where, context).key };
    case 'airdata.insert':
    case 'airdata.put': {
      const { key, model } = requireModel(step.model, where, context);
      checkRecordFields(step.record, model, where, 'record');
      return { ...step, model: key };
    }
    case 'airdata.patch': {
      const { key, model } = requireModel(step.model, where, context);
      checkRecordFields(step.fields, model, where, 'fields');
      return { ...step, model: key };
    }
    case 'airdata.query': {
      const { key, model } = requireModel(step.model, where, context);
      return { ...compileQuery(step, model, where, warnings), model: key };
    }
    case 'journey.start':
      if (!Number.isInteger(step.expiresInDays) || step.expiresInDays < 1 || step.expiresInDays > 365) {
        throw new ChainError(`${where}: expiresInDays must be a whole number of days from 1 to 365, received ${step.expiresInDays}.`);
      }
      return step;
    case 'journey.get':
    case 'journey.update':
    case 'journey.end':
    case 'transform':
      return step;
    case 'when': {
      const then = compileSteps(step.then, scope, [...position, 0], context, warnings, schemaCompiler);
      const otherwise = compileSteps(step.otherwise, scope, [...position, -1], context, warnings, schemaCompiler);
      return { ...step, then, otherwise };
    }
    case 'http':
      checkHttp(step.url, step.timeoutMs, where, context);
      return step;
    case 'respond':
      if (!Number.isInteger(step.status) || step.status < 200 || step.status > 599) {
        throw new ChainError(`${where}: status must be a whole number from 200 to 599, received ${step.status}.`);
      }
      if ((step.status === 204 || step.status === 304) && step.body !== undefined) {
        throw new ChainError(`${where}: a ${step.status} response has no body. Remove the body or answer 200.`);
      }
      return step;
    case 'redirect':
      if (![301, 302, 303, 307, 308].includes(step.status)) {
        throw new ChainError(`${where}: redirect status must be 301, 302, 303, 307 or 308, received ${step.status}.`);
      }
      if (step.status === 301) {
        warnings.push({
          id: 'appapi:redirect301',
          message: `${where}: a 301 redirect is cached by browsers for good, so the target can never change. Use 302 (the default) unless the move is permanent.`,
        });
      }
      return step;
    default:
      throw new ChainError(`${where}: unknown operation "${(step as { op: string }).op}". Build steps with op.*.`);
  }
}

function isOperation(value: unknown): value is Operation {
  return typeof value === 'object' && value !== null && typeof (value as { op?: unknown }).op === 'string';
}

/** `step 2`, or `step 3 → then step 1` inside op.when. */
function describeStep(position: readonly number[]): string {
  const parts: string[] = [];
  for (let i = 0; i < position.length; i++) {
    const value = position[i]!;
    if (value === 0) parts.push('then');
    else if (value === -1) parts.push('otherwise');
    else parts.push(`step ${value}`);
  }
  return parts.join(' → ');
}

function terminates(chain: Chain): boolean {
  const last = chain[chain.length - 1];
  if (!last) return false;
  if (last.op === 'respond' || last.op === 'redirect') return true;
  return last.op === 'when' && terminates(last.then) && terminates(last.otherwise);
}

function bind(name: string, scope: Scope, where: string, stepLabel: string): void {
  if (typeof name !== 'string' || !NAME.test(name)) {
    throw new ChainError(`${where}: "as" must be a name of letters, digits and underscores, received ${JSON.stringify(name)}.`);
  }
  if ((REQUEST_BINDINGS as readonly string[]).includes(name)) {
    throw new ChainError(`${where}: "${name}" is reserved for the request ($${name}). Choose another name for "as".`);
  }
  const boundBy = scope.get(name);
  if (boundBy !== undefined) {
    throw new ChainError(`${where}: "${name}" is already bound by ${boundBy}. Choose another name for "as".`);
  }
  scope.set(name, stepLabel);
}

function checkExpressions(value: Template, location: string, scope: Scope, where: string, context: ChainContext): void {
  for (const site of findExpressions(value, location)) {
    let references;
    try {
      references = analyzeExpression(site.source);
    } catch (error) {
      if (!(error instanceof ExpressionSyntaxError)) throw error;
      throw new ChainError(`${where}: the expression in "${site.location}" does not parse: ${error.message}. Received {% ${site.source} %}; fix the JSONata syntax.`);
    }
    for (const variable of references.variables) {
      if ((REQUEST_BINDINGS as readonly string[]).includes(variable) || scope.has(variable)) continue;
      const bound = [...REQUEST_BINDINGS, ...scope.keys()].map((name) => `$${name}`).join(', ');
      throw new ChainError(
        `${where}: the expression in "${site.location}" reads $${variable}, which no earlier step binds. ` +
          `Bind it with "as: '${variable}'" on an earlier step, or use one of: ${bound}.`,
      );
    }
    checkFieldsRead(references.fieldsRead.get('params'), context.pathParameters, 'path parameter', where, site.location);
    checkFieldsRead(references.fieldsRead.get('query'), context.queryParameters, 'query parameter', where, site.location);
    if (references.fieldsRead.has('settings')) {
      checkFieldsRead(references.fieldsRead.get('settings'), Object.keys(context.app.settings), 'app setting', where, site.location);
    }
  }
}

function checkFieldsRead(read: ReadonlySet<string> | undefined, declared: readonly string[], kind: string, where: string, location: string): void {
  for (const name of read ?? []) {
    if (declared.includes(name)) continue;
    const known = declared.length ? declared.join(', ') : 'none';
    throw new ChainError(`${where}: the expression in "${location}" reads ${kind} "${name}", which is not declared (declared: ${known}). Declare it or fix the name.`);
  }
}

function requireModel(name: string, where: string, context: ChainContext): { key: string; model: ModelManifest } {
  if (context.resolveModel) {
    try {
      return context.resolveModel(name);
    } catch (error) {
      throw new ChainError(`${where}: ${(error as Error).message}`);
    }
  }
  const model = context.models[name];
  if (model) return { key: name, model };
  const known = Object.keys(context.models);
  throw new ChainError(
    `${where}: unknown AirData model "${name}" (declared in this environment: ${known.length ? known.join(', ') : 'none'}). ` +
      `Declare it with new AirDataModel(...) in the environment, or fix the name.`,
  );
}

function checkRecordFields(record: Template, model: ModelManifest, where: string, property: string): void {
  if (record === null || typeof record !== 'object' || Array.isArray(record)) return;
  for (const key of Object.keys(record)) {
    if (key in model.fields) continue;
    throw new ChainError(`${where}: "${property}" sets field "${key}", which model "${model.name}" does not declare (fields: ${Object.keys(model.fields).join(', ')}).`);
  }
}

function compileQuery(step: AirDataQueryOperation, model: ModelManifest, where: string, warnings: ChainWarning[]): AirDataQueryOperation {
  if (typeof step.limit === 'number' && (!Number.isInteger(step.limit) || step.limit < 1 || step.limit > MAX_QUERY_LIMIT)) {
    throw new ChainError(`${where}: limit must be a whole number from 1 to ${MAX_QUERY_LIMIT}, received ${step.limit}.`);
  }
  const equalities = new Set<string>();
  for (const [field, condition] of Object.entries(step.filter)) {
    if (field !== 'id' && !(field in model.fields)) {
      throw new ChainError(`${where}: the filter reads field "${field}", which model "${model.name}" does not declare (fields: id, ${Object.keys(model.fields).join(', ')}).`);
    }
    if (isEquality(condition, where, field)) equalities.add(field);
  }
  const index = Object.entries(model.indexes).find(([, definition]) => equalities.has(definition.partitionKey))?.[0];
  if (index === undefined) {
    const filtered = Object.keys(step.filter);
    warnings.push({
      id: 'appapi:scan',
      message:
        `${where}: ${filtered.length ? `no index of model "${model.name}" has a partition key among the filtered fields (${filtered.join(', ')})` : 'the query has no filter'}, ` +
        `so it scans the whole table. Declare an index on a field the filter compares with equality to make it a Query.`,
    });
    const { index: _ignored, ...withoutIndex } = step;
    return withoutIndex;
  }
  return { ...step, index };
}

/** True when the condition compares with equality; rejects unknown operators. */
function isEquality(condition: FilterCondition, where: string, field: string): boolean {
  if (condition === null || typeof condition !== 'object' || Array.isArray(condition)) return true;
  const operators = Object.keys(condition);
  for (const operator of operators) {
    if ((FILTER_OPERATORS as readonly string[]).includes(operator)) continue;
    throw new ChainError(`${where}: the filter on "${field}" uses unknown operator "${operator}". Use one of: ${FILTER_OPERATORS.join(', ')}.`);
  }
  if (operators.length === 0) throw new ChainError(`${where}: the filter on "${field}" is an empty object. Give a value, or an operator such as { "lessThan": 30 }.`);
  return operators.includes('equals');
}

function checkHttp(url: Template, timeoutMs: number, where: string, context: ChainContext): void {
  if (!Number.isInteger(timeoutMs) || timeoutMs < 1 || timeoutMs > MAX_HTTP_TIMEOUT_MS) {
    throw new ChainError(`${where}: timeout must be between 1 ms and ${MAX_HTTP_TIMEOUT_MS / 1000} s (API Gateway's integration limit), received ${timeoutMs} ms.`);
  }
  if (context.app.httpHosts.length === 0) {
    throw new ChainError(`${where}: app "${context.app.name}" declares no httpHosts, so this call could reach nothing. Add the host to the app's httpHosts.`);
  }
  if (typeof url !== 'string' || expressionSource(url) !== undefined) return;
  let host: string;
  try {
    const parsed = new URL(url);
    if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') throw new Error('scheme');
    host = parsed.hostname;
  } catch {
    throw new ChainError(`${where}: url ${JSON.stringify(url)} is not an absolute http(s) URL.`);
  }
  if (!context.app.httpHosts.some((pattern) => hostMatches(pattern, host))) {
    throw new ChainError(`${where}: host "${host}" is not among app "${context.app.name}"'s httpHosts (${context.app.httpHosts.join(', ')}). Add it to httpHosts.`);
  }
}
