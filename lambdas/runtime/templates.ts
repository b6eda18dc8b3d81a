import type jsonata from 'jsonata';
import { expressionSource } from '../shared/expression-syntax';
import type { Chain, Operation, Template } from '../shared/manifest';
import { badRequest } from './problem-error';

export type Bindings = Record<string, unknown>;

/**
 * A `{% … %}` ready to evaluate: most expressions in chains are a bound name and a few fields
 * (`$params.customerId`, `$customer`), which are read directly — JSONata's evaluation costs far more
 * than the lookup. Anything else goes to JSONata, which is loaded and compiles the expression the
 * first time it is needed (then kept): a cold start compiles nothing its request does not evaluate.
 */
interface CompiledExpression {
  jsonata(): jsonata.Expression;
  readonly path?: readonly string[];
}
export type CompiledExpressions = ReadonlyMap<string, CompiledExpression>;

const SIMPLE_PATH = /^\s*\$([A-Za-z_][A-Za-z0-9_]*)((?:\.[A-Za-z_][A-Za-z0-9_]*)*)\s*$/;

function compileExpression(source: string): CompiledExpression {
  const simple = SIMPLE_PATH.exec(source);
  let compiled: jsonata.Expression | undefined;
  return {
    // './jsonata-compiler' is a file of its own in the Lambda asset (LAMBDA_ENTRIES.handler.lazy)
    jsonata: () => (compiled ??= (require('./jsonata-compiler') as typeof import('./jsonata-compiler')).compileJsonata(source)),
    ...(simple ? { path: [simple[1]!, ...simple[2]!.split('.').filter(Boolean)] } : {}),
  };
}

const NOT_SIMPLE = Symbol('not simple');

/** The value at a path, or NOT_SIMPLE where JSONata would map over an array (then JSONata decides). */
function readPath(bindings: Bindings, path: readonly string[]): unknown {
  let value: unknown = bindings[path[0]!];
  for (const name of path.slice(1)) {
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'object' || Array.isArray(value)) return NOT_SIMPLE;
    value = Object.prototype.hasOwnProperty.call(value, name) ? (value as Record<string, unknown>)[name] : undefined;
  }
  return value;
}

/** Finds every `{% … %}` of a chain once, at cold start; each is compiled at its first evaluation. */
export function compileExpressions(chain: Chain): CompiledExpressions {
  const compiled = new Map<string, CompiledExpression>();
  const visit = (value: unknown): void => {
    if (typeof value === 'string') {
      const source = expressionSource(value);
      if (source !== undefined && !compiled.has(value)) compiled.set(value, compileExpression(source));
    } else if (Array.isArray(value)) {
      value.forEach(visit);
    } else if (value !== null && typeof value === 'object') {
      Object.values(value).forEach(visit);
    }
  };
  chain.forEach((step: Operation) => visit(step));
  return compiled;
}

/**
 * Evaluates a template: expressions are replaced by their value, everything else is kept.
 * An expression yielding nothing removes its key from an object. A failing expression is the
 * request's fault (wrong types in its input), so it answers 400 naming where it failed.
 */
export async function evaluate(template: Template | undefined, bindings: Bindings, expressions: CompiledExpressions, location: string): Promise<unknown> {
  if (typeof template === 'string') {
    const expression = expressions.get(template);
    if (!expression) return template;
    try {
      if (expression.path) {
        const value = readPath(bindings, expression.path);
        if (value !== NOT_SIMPLE) return value;
      }
      return normalize(await expression.jsonata().evaluate({}, bindings));
    } catch (error) {
      const message = (error as { message?: string }).message ?? 'evaluation failed';
      throw badRequest('expression_failed', `The value of ${location} could not be computed from this request: ${message}.`);
    }
  }
  if (Array.isArray(template)) {
    return Promise.all(template.map((item, index) => evaluate(item as Template, bindings, expressions, `${location}[${index}]`)));
  }
  if (template !== null && typeof template === 'object') {
    const result: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(template)) {
      const evaluated = await evaluate(value as Template, bindings, expressions, `${location}.${key}`);
      if (evaluated !== undefined) result[key] = evaluated;
    }
    return result;
  }
  return template;
}

/** JSONata returns sequences with extra markers; callers want plain JSON values. */
function normalize(value: unknown): unknown {
  if (value === undefined || value === null) return value;
  if (typeof value === 'function') return undefined;
  return JSON.parse(JSON.stringify(value));
}
