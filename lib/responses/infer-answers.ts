import jsonata from 'jsonata';
import { expressionSource } from '../../lambdas/shared/expression-syntax';
import type { Chain, EnvironmentManifest, Operation, RouteManifest, Template } from '../../lambdas/shared/manifest';
import type { SchemaComponents, SchemaObject } from './components';

/** What a template or expression evaluates to: its schema, and whether it may yield nothing (a key left out). */
export interface Inferred {
  readonly schema: SchemaObject;
  readonly optional: boolean;
}

/** How a chain answers one status. */
export type InferredAnswer = { readonly kind: 'redirect' } | { readonly kind: 'empty' } | { readonly kind: 'json'; readonly schema: SchemaObject };

const UNKNOWN: Inferred = { schema: {}, optional: true };
const STRING = { type: 'string' };

type Scope = Map<string, Inferred>;

/**
 * The answers a chain makes evident, per status: a bound record answers the model's record schema,
 * a query result the page schema, a journey the journey schema, an object literal an object whose
 * properties are inferred alike; what cannot be told (most function calls, filters) is left
 * unconstrained. Records, pages and journeys are references into `components`.
 */
export function inferAnswers(route: RouteManifest, manifest: EnvironmentManifest, components: SchemaComponents): Map<number, InferredAnswer> {
  const answers = new Map<number, InferredAnswer>();
  const add = (status: number, answer: InferredAnswer) => {
    const known = answers.get(status);
    if (!known || known.kind !== 'json') answers.set(status, answer.kind === 'empty' && known ? known : answer);
    else if (answer.kind === 'json') answers.set(status, { kind: 'json', schema: union(known.schema, answer.schema) });
  };
  const walk = (chain: Chain, outer: Scope): void => {
    const scope: Scope = new Map(outer);
    for (const step of chain) {
      if (step.op === 'when') {
        walk(step.then, scope);
        walk(step.otherwise, scope);
      } else if (step.op === 'respond') {
        const body = step.body === undefined || step.status === 204 ? undefined : inferTemplate(step.body, scope, components);
        add(step.status, body ? { kind: 'json', schema: body.schema } : { kind: 'empty' });
      } else if (step.op === 'redirect') {
        add(step.status, { kind: 'redirect' });
      } else if ('as' in step && step.as !== undefined) {
        scope.set(step.as, bound(step, scope, components));
      }
    }
  };
  walk(route.chain, requestScope(route, manifest));
  return answers;
}

function requestScope(route: RouteManifest, manifest: EnvironmentManifest): Scope {
  const object = (properties: Record<string, SchemaObject>, required: string[]) => ({ schema: { type: 'object', properties, required }, optional: false });
  const nullableString = { type: ['string', 'null'] };
  const settings = Object.keys(manifest.apps[route.app]?.settings ?? {});
  return new Map<string, Inferred>([
    ['params', object(Object.fromEntries(route.pathParameters.map((name) => [name, STRING])), [...route.pathParameters])],
    ['query', object(Object.fromEntries(route.query.map((parameter) => [parameter.name, { type: parameter.type }])), route.query.filter((p) => p.required).map((p) => p.name))],
    ['headers', { schema: { type: 'object', additionalProperties: STRING }, optional: false }],
    ['body', route.body !== undefined && typeof route.body === 'object' ? { schema: route.body as SchemaObject, optional: false } : UNKNOWN],
    ['auth', object({ keyId: nullableString, keyName: nullableString, groups: { type: 'array', items: STRING }, env: STRING }, ['keyId', 'keyName', 'groups', 'env'])],
    ['request', object({ id: STRING, time: { type: 'string', format: 'date-time' } }, ['id', 'time'])],
    ['settings', object(Object.fromEntries(settings.map((name) => [name, STRING])), settings)],
  ]);
}

/** What an operation binds to its `as` name (see run-chain.ts). */
function bound(step: Operation, scope: Scope, components: SchemaComponents): Inferred {
  const nullable = (schema: SchemaObject, orNull: boolean): Inferred => ({ schema: orNull ? { anyOf: [schema, { type: 'null' }] } : schema, optional: false });
  switch (step.op) {
    case 'airdata.get':
      return nullable(components.record(step.model), step.notFound === 'null');
    case 'airdata.delete':
      return nullable(components.record(step.model), step.notFound === 'ignore');
    case 'airdata.insert':
    case 'airdata.put':
    case 'airdata.patch':
      return nullable(components.record(step.model), false);
    case 'airdata.query':
      return nullable(components.page(step.model), false);
    case 'journey.start':
    case 'journey.update':
    case 'journey.end':
      return nullable(components.journey(false), false);
    case 'journey.get':
      return nullable(components.journey(step.events), step.notFound === 'null');
    case 'transform':
      return inferTemplate(step.value, scope, components);
    case 'http':
      return {
        schema: { type: 'object', required: ['status', 'headers', 'body'], properties: { status: { type: 'integer' }, headers: { type: 'object', additionalProperties: STRING }, body: {} } },
        optional: false,
      };
    default:
      return UNKNOWN;
  }
}

/** A template as the runtime evaluates it: literals kept, `{% … %}` evaluated, keys yielding nothing left out. */
export function inferTemplate(template: Template, scope: Scope, components: SchemaComponents): Inferred {
  if (typeof template === 'string') {
    const source = expressionSource(template);
    if (source === undefined) return literal(template);
    let ast: AstNode;
    try {
      ast = jsonata(source).ast() as AstNode;
    } catch {
      return UNKNOWN;
    }
    return inferNode(ast, scope, components);
  }
  if (Array.isArray(template)) {
    return { schema: arrayOf(template.map((item) => inferTemplate(item as Template, scope, components).schema)), optional: false };
  }
  if (template !== null && typeof template === 'object') {
    return objectOf(Object.entries(template).map(([key, value]) => [key, inferTemplate(value as Template, scope, components)]));
  }
  return literal(template);
}

type AstNode = { readonly type?: string; readonly value?: unknown; readonly [key: string]: unknown };

const STRING_FUNCTIONS = new Set([
  'string', 'substring', 'substringBefore', 'substringAfter', 'lowercase', 'uppercase', 'trim', 'pad', 'join', 'replace',
  'formatNumber', 'formatBase', 'formatInteger', 'base64encode', 'base64decode', 'encodeUrlComponent', 'encodeUrl',
  'decodeUrlComponent', 'decodeUrl', 'now', 'fromMillis',
]);
const INTEGER_FUNCTIONS = new Set(['length', 'count', 'millis', 'toMillis', 'floor', 'ceil']);
const NUMBER_FUNCTIONS = new Set(['number', 'sum', 'max', 'min', 'average', 'abs', 'sqrt', 'power', 'random', 'round', 'parseInteger']);
const BOOLEAN_FUNCTIONS = new Set(['boolean', 'not', 'exists', 'contains']);
/** These answer even when their argument yields nothing. */
const TOTAL_FUNCTIONS = new Set(['exists', 'count', 'now', 'millis', 'random', 'boolean']);

function inferNode(node: AstNode, scope: Scope, components: SchemaComponents): Inferred {
  switch (node.type) {
    case 'string':
    case 'number':
    case 'value':
      return literal(node.value as string | number | boolean | null);
    case 'variable':
      return typeof node.value === 'string' ? (scope.get(node.value) ?? UNKNOWN) : UNKNOWN;
    case 'path':
      return inferPath(node.steps as AstNode[], scope, components);
    case 'binary':
      return inferBinary(node, scope, components);
    case 'condition': {
      const then = inferNode(node.then as AstNode, scope, components);
      if (node.else === undefined) return { schema: then.schema, optional: true };
      const otherwise = inferNode(node.else as AstNode, scope, components);
      return { schema: union(then.schema, otherwise.schema), optional: then.optional || otherwise.optional };
    }
    case 'unary':
      if (node.value === '-') return { schema: { type: 'number' }, optional: inferNode(node.expression as AstNode, scope, components).optional };
      if (node.value === '[') {
        const items = (node.expressions as AstNode[]).map((item) => inferNode(item, scope, components).schema);
        return { schema: arrayOf(items), optional: false };
      }
      if (node.value === '{' && Array.isArray(node.lhs)) {
        const pairs = node.lhs as Array<[AstNode, AstNode]>;
        if (!pairs.every(([key]) => key.type === 'string')) return { schema: { type: 'object', additionalProperties: true }, optional: false };
        return objectOf(pairs.map(([key, value]) => [String(key.value), inferNode(value, scope, components)]));
      }
      return UNKNOWN;
    case 'function':
      return inferFunction(node, scope, components);
    case 'block': {
      const expressions = node.expressions as AstNode[];
      if (expressions.some((expression) => expression.type === 'bind')) return UNKNOWN;
      return expressions.length ? inferNode(expressions[expressions.length - 1]!, scope, components) : UNKNOWN;
    }
    default:
      return UNKNOWN;
  }
}

function inferPath(steps: AstNode[], scope: Scope, components: SchemaComponents): Inferred {
  const [first, ...rest] = steps;
  // filters, sorts, focus and index bindings make a path's result depend on data: left unconstrained
  const plain = (step: AstNode) => ['stages', 'predicate', 'group', 'focus', 'index', 'tuple', 'keepArray'].every((key) => step[key] === undefined);
  if (!first || first.type !== 'variable' || !steps.every(plain) || !rest.every((step) => step.type === 'name')) return UNKNOWN;
  let current = inferNode(first, scope, components);
  for (const step of rest) {
    const next = readProperty(current.schema, String(step.value), components);
    current = { schema: next.schema, optional: current.optional || next.optional };
  }
  return current;
}

/** The schema of `value.name`, and whether it may be absent. Arrays map in JSONata: unconstrained. */
function readProperty(schema: SchemaObject, name: string, components: SchemaComponents): Inferred {
  const resolved = components.resolve(schema) as SchemaObject;
  if (Array.isArray(resolved.anyOf)) {
    const variants = (resolved.anyOf as SchemaObject[]).map((variant) => components.resolve(variant) as SchemaObject);
    const present = variants.filter((variant) => variant.type !== 'null');
    const reads = present.map((variant) => readProperty(variant, name, components));
    if (reads.length === 0) return UNKNOWN;
    return { schema: reads.map((read) => read.schema).reduce(union), optional: present.length < variants.length || reads.some((read) => read.optional) };
  }
  const types = typesOf(resolved);
  if (!types || !types.includes('object')) return UNKNOWN;
  const properties = resolved.properties as Record<string, SchemaObject> | undefined;
  const property = properties?.[name];
  if (property === undefined) {
    const additional = resolved.additionalProperties;
    return additional && typeof additional === 'object' ? { schema: additional as SchemaObject, optional: true } : UNKNOWN;
  }
  const required = Array.isArray(resolved.required) && (resolved.required as string[]).includes(name);
  return { schema: property, optional: !required || types.length > 1 };
}

function inferBinary(node: AstNode, scope: Scope, components: SchemaComponents): Inferred {
  const operator = String(node.value);
  const side = (key: 'lhs' | 'rhs') => inferNode(node[key] as AstNode, scope, components);
  if (operator === '&') return { schema: STRING, optional: false };
  if (['=', '!=', '<', '<=', '>', '>=', 'in', 'and', 'or'].includes(operator)) return { schema: { type: 'boolean' }, optional: false };
  if (['+', '-', '*', '/', '%'].includes(operator)) return { schema: { type: 'number' }, optional: side('lhs').optional || side('rhs').optional };
  if (operator === '..') return { schema: { type: 'array', items: { type: 'integer' } }, optional: true };
  return UNKNOWN;
}

function inferFunction(node: AstNode, scope: Scope, components: SchemaComponents): Inferred {
  const procedure = node.procedure as AstNode | undefined;
  const name = procedure?.type === 'variable' ? String(procedure.value) : '';
  const optional = !TOTAL_FUNCTIONS.has(name) && (node.arguments as AstNode[]).some((argument) => inferNode(argument, scope, components).optional);
  if (STRING_FUNCTIONS.has(name)) return { schema: STRING, optional };
  if (INTEGER_FUNCTIONS.has(name)) return { schema: { type: 'integer' }, optional };
  if (NUMBER_FUNCTIONS.has(name)) return { schema: { type: 'number' }, optional };
  if (BOOLEAN_FUNCTIONS.has(name)) return { schema: { type: 'boolean' }, optional };
  if (name === 'keys' || name === 'split') return { schema: { type: 'array', items: STRING }, optional };
  return UNKNOWN;
}

function literal(value: string | number | boolean | null): Inferred {
  if (value === null) return { schema: { type: 'null' }, optional: false };
  const type = typeof value === 'number' ? (Number.isInteger(value) ? 'integer' : 'number') : typeof value;
  return { schema: { type, const: value }, optional: false };
}

function objectOf(entries: Array<[string, Inferred]>): Inferred {
  const properties = Object.fromEntries(entries.map(([key, value]) => [key, value.schema]));
  const required = entries.filter(([, value]) => !value.optional).map(([key]) => key);
  return { schema: { type: 'object', properties, ...(required.length ? { required } : {}) }, optional: false };
}

function arrayOf(items: SchemaObject[]): SchemaObject {
  return items.length ? { type: 'array', items: items.reduce(union) } : { type: 'array' };
}

/** A schema either of two values matches. */
export function union(a: SchemaObject, b: SchemaObject): SchemaObject {
  if (isUnconstrained(a) || isUnconstrained(b)) return {};
  if (sameJson(a, b)) return a;
  // literals of one type widen to the type: two answers "ok" and "degraded" are a string
  if (a.const !== undefined && b.const !== undefined && a.type === b.type) return { type: a.type };
  // two object literals: one object, each property the union of both, required where both require it
  if (isPlainObjectSchema(a) && isPlainObjectSchema(b)) {
    const left = a.properties as Record<string, SchemaObject>;
    const right = b.properties as Record<string, SchemaObject>;
    const properties: Record<string, SchemaObject> = {};
    for (const key of new Set([...Object.keys(left), ...Object.keys(right)])) {
      properties[key] = left[key] && right[key] ? union(left[key], right[key]) : (left[key] ?? right[key])!;
    }
    const rightRequired = new Set((b.required as string[] | undefined) ?? []);
    const required = ((a.required as string[] | undefined) ?? []).filter((key) => rightRequired.has(key));
    return { type: 'object', properties, ...(required.length ? { required } : {}) };
  }
  const variants = [...(Array.isArray(a.anyOf) ? (a.anyOf as SchemaObject[]) : [a]), ...(Array.isArray(b.anyOf) ? (b.anyOf as SchemaObject[]) : [b])];
  const distinct = variants.filter((variant, index) => variants.findIndex((other) => sameJson(other, variant)) === index);
  return distinct.length === 1 ? distinct[0]! : { anyOf: distinct };
}

function isPlainObjectSchema(schema: SchemaObject): boolean {
  return schema.type === 'object' && typeof schema.properties === 'object' && Object.keys(schema).every((key) => ['type', 'properties', 'required'].includes(key));
}

export function typesOf(schema: SchemaObject): string[] | undefined {
  if (typeof schema.type === 'string') return [schema.type];
  if (Array.isArray(schema.type)) return schema.type as string[];
  return undefined;
}

export function isUnconstrained(schema: unknown): boolean {
  return schema === true || (typeof schema === 'object' && schema !== null && Object.keys(schema).every((key) => ['description', 'title', 'examples'].includes(key)));
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
