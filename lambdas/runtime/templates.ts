import jsonata from 'jsonata';
import { expressionSource } from '../shared/expression-syntax';
import type { Chain, Operation, Template } from '../shared/manifest';
import { badRequest } from './problem-error';

export type Bindings = Record<string, unknown>;
export type CompiledExpressions = ReadonlyMap<string, jsonata.Expression>;

/** Compiles every `{% … %}` of a chain once, at cold start; requests only evaluate. */
export function compileExpressions(chain: Chain): CompiledExpressions {
  const compiled = new Map<string, jsonata.Expression>();
  const visit = (value: unknown): void => {
    if (typeof value === 'string') {
      const source = expressionSource(value);
      if (source !== undefined && !compiled.has(value)) compiled.set(value, jsonata(source));
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
      return normalize(await expression.evaluate({}, bindings));
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
