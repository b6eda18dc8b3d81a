import type { SchemaComponents, SchemaObject } from './components';
import { isUnconstrained, typesOf } from './infer-answers';

/**
 * Where a declared answer schema disagrees with what the chain evidently answers, e.g.
 * `/id: declared integer, the chain answers string`. Only certain disagreements count: an
 * inferred value left unconstrained never contradicts, and neither does a declaration this check
 * cannot read (`$ref`, `not`, conditionals).
 */
export function contradictions(declared: unknown, inferred: SchemaObject, components: SchemaComponents, at = ''): string[] {
  const actual = components.resolve(inferred) as SchemaObject;
  if (declared === true || isUnconstrained(actual) || declared === null || typeof declared !== 'object') return [];
  const expected = declared as SchemaObject;
  if (expected.$ref !== undefined || expected.not !== undefined || expected.if !== undefined) return [];
  if (Array.isArray(actual.anyOf)) {
    // every variant the chain may answer must fit: report the first that does not
    for (const variant of actual.anyOf as SchemaObject[]) {
      const found = contradictions(declared, variant, components, at);
      if (found.length) return found;
    }
    return [];
  }
  for (const keyword of ['anyOf', 'oneOf'] as const) {
    const variants = expected[keyword];
    if (!Array.isArray(variants)) continue;
    const each = variants.map((variant) => contradictions(variant, actual, components, at));
    if (each.every((found) => found.length)) return each[0]!;
  }
  if (Array.isArray(expected.allOf)) {
    for (const part of expected.allOf) {
      const found = contradictions(part, actual, components, at);
      if (found.length) return found;
    }
  }
  const where = at || '(the body)';
  const declaredTypes = typesOf(expected);
  const answeredTypes = typesOf(actual);
  if (declaredTypes && answeredTypes) {
    const allowed = (type: string) => declaredTypes.includes(type) || (type === 'integer' && declaredTypes.includes('number'));
    const outside = answeredTypes.filter((type) => !allowed(type));
    if (outside.length) return [`${where}: declared ${declaredTypes.join(' or ')}, the chain answers ${answeredTypes.join(' or ')}`];
  }
  if (actual.const !== undefined) {
    if (expected.const !== undefined && JSON.stringify(expected.const) !== JSON.stringify(actual.const)) {
      return [`${where}: declared ${JSON.stringify(expected.const)}, the chain answers ${JSON.stringify(actual.const)}`];
    }
    if (Array.isArray(expected.enum) && !expected.enum.some((value) => JSON.stringify(value) === JSON.stringify(actual.const))) {
      return [`${where}: declared one of ${JSON.stringify(expected.enum)}, the chain answers ${JSON.stringify(actual.const)}`];
    }
  }
  const found: string[] = [];
  const answeredProperties = actual.properties as Record<string, SchemaObject> | undefined;
  const declaredProperties = (expected.properties ?? {}) as Record<string, unknown>;
  if (answeredProperties) {
    const answeredRequired = new Set((actual.required as string[] | undefined) ?? []);
    for (const name of (expected.required as string[] | undefined) ?? []) {
      // an object the chain builds lists every property it can have
      if (!(name in answeredProperties)) found.push(`${at}/${name}: declared required, the chain never answers it`);
      else if (!answeredRequired.has(name)) found.push(`${at}/${name}: declared required, the chain may leave it out`);
    }
    for (const [name, schema] of Object.entries(answeredProperties)) {
      if (name in declaredProperties) found.push(...contradictions(declaredProperties[name], schema, components, `${at}/${name}`));
      else if (expected.additionalProperties === false) found.push(`${at}/${name}: not declared (additionalProperties is false), the chain answers it`);
    }
  }
  if (actual.items && typeof actual.items === 'object' && expected.items !== undefined) {
    found.push(...contradictions(expected.items, actual.items as SchemaObject, components, `${at}/*`));
  }
  return found;
}
