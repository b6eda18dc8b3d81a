import jsonata from 'jsonata';
import { expressionSource } from '../../lambdas/shared/expression-syntax';
import type { Template } from '../../lambdas/shared/manifest';

/** JSONata's built-in functions: readable as `$name` without a binding. */
const BUILTIN_FUNCTIONS = new Set([
  'sum', 'count', 'max', 'min', 'average', 'string', 'substring', 'substringBefore', 'substringAfter',
  'lowercase', 'uppercase', 'length', 'trim', 'pad', 'match', 'contains', 'replace', 'split', 'join',
  'formatNumber', 'formatBase', 'formatInteger', 'parseInteger', 'number', 'floor', 'ceil', 'round',
  'abs', 'sqrt', 'power', 'random', 'boolean', 'not', 'map', 'zip', 'filter', 'single', 'reduce',
  'sift', 'keys', 'lookup', 'append', 'exists', 'spread', 'merge', 'reverse', 'each', 'error',
  'assert', 'type', 'sort', 'shuffle', 'distinct', 'base64encode', 'base64decode',
  'encodeUrlComponent', 'encodeUrl', 'decodeUrlComponent', 'decodeUrl', 'eval', 'toMillis',
  'fromMillis', 'now', 'millis',
]);

export { expressionSource };

export interface ExpressionSite {
  /** Where in the operation the expression sits, e.g. `body.customerId`. */
  readonly location: string;
  readonly source: string;
}

/** Every `{% … %}` expression in a template, with its location. */
export function findExpressions(value: Template | undefined, location: string): ExpressionSite[] {
  if (typeof value === 'string') {
    const source = expressionSource(value);
    return source === undefined ? [] : [{ location, source }];
  }
  if (Array.isArray(value)) {
    return value.flatMap((item, index) => findExpressions(item as Template, `${location}[${index}]`));
  }
  if (value !== null && typeof value === 'object') {
    return Object.entries(value).flatMap(([key, item]) => findExpressions(item as Template, location ? `${location}.${key}` : key));
  }
  return [];
}

export class ExpressionSyntaxError extends Error {
  constructor(
    readonly source: string,
    readonly reason: string,
    readonly position: number | undefined,
  ) {
    super(`${reason}${position === undefined ? '' : ` (at character ${position})`}`);
    this.name = 'ExpressionSyntaxError';
  }
}

export interface ExpressionReferences {
  /** Bound names the expression reads, e.g. `body`, `customer`. */
  readonly variables: ReadonlySet<string>;
  /** Fields read directly off a bound name: `$params.customerId` → params → {customerId}. */
  readonly fieldsRead: ReadonlyMap<string, ReadonlySet<string>>;
}

type AstNode = { type?: string; value?: unknown; [key: string]: unknown };

/** Parses a JSONata expression and lists the bound names it reads. Throws ExpressionSyntaxError. */
export function analyzeExpression(source: string): ExpressionReferences {
  let ast: AstNode;
  try {
    ast = jsonata(source).ast() as AstNode;
  } catch (error) {
    const details = error as { message?: string; position?: number };
    throw new ExpressionSyntaxError(source, details.message ?? String(error), details.position);
  }
  const referenced = new Set<string>();
  const locallyBound = new Set<string>();
  const fieldsRead = new Map<string, Set<string>>();
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) {
      node.forEach(visit);
      return;
    }
    if (node === null || typeof node !== 'object') return;
    const astNode = node as AstNode;
    if (astNode.type === 'variable' && typeof astNode.value === 'string') referenced.add(astNode.value);
    if (astNode.type === 'bind') collectVariableName(astNode.lhs, locallyBound);
    if (astNode.type === 'lambda' && Array.isArray(astNode.arguments)) {
      for (const argument of astNode.arguments) collectVariableName(argument, locallyBound);
    }
    if (astNode.type === 'path' && Array.isArray(astNode.steps)) recordFieldRead(astNode.steps as AstNode[], fieldsRead);
    for (const child of Object.values(astNode)) visit(child);
  };
  visit(ast);
  const variables = new Set(
    [...referenced].filter((name) => name !== '' && name !== '$' && !locallyBound.has(name) && !BUILTIN_FUNCTIONS.has(name)),
  );
  return { variables, fieldsRead };
}

function collectVariableName(node: unknown, into: Set<string>): void {
  const astNode = node as AstNode | undefined;
  if (astNode?.type === 'variable' && typeof astNode.value === 'string') into.add(astNode.value);
}

function recordFieldRead(steps: AstNode[], into: Map<string, Set<string>>): void {
  const [first, second] = steps;
  if (first?.type !== 'variable' || second?.type !== 'name' || typeof first.value !== 'string') return;
  if (typeof second.value !== 'string') return;
  const fields = into.get(first.value) ?? new Set<string>();
  fields.add(second.value);
  into.set(first.value, fields);
}
