import type { EnvironmentManifest, RouteManifest } from '../../lambdas/shared/manifest';
import type { SchemaComponents, SchemaObject } from './components';
import { contradictions } from './contradictions';
import { inferAnswers, type InferredAnswer } from './infer-answers';

/** One answer of a route as OpenAPI publishes it and local mode checks it. */
export interface PublishedAnswer {
  readonly status: number;
  /** `json`: a JSON body of `schema`; `empty`: no body; `redirect`: no body, a Location header. */
  readonly kind: 'json' | 'empty' | 'redirect';
  readonly schema?: SchemaObject | boolean;
  readonly source: 'declared' | 'inferred';
}

/** Declared beats inferred: each status the chain answers, with the schema published for it. */
export function publishedAnswers(route: RouteManifest, manifest: EnvironmentManifest, components: SchemaComponents): PublishedAnswer[] {
  const inferred = inferAnswers(route, manifest, components);
  return [...inferred.keys()].sort((a, b) => a - b).map((status) => {
    const answer = inferred.get(status)!;
    const declared = route.responses?.[String(status)];
    if (answer.kind !== 'json') return { status, kind: answer.kind, source: declared === undefined ? 'inferred' : 'declared' };
    if (declared === undefined) return { status, kind: 'json', schema: answer.schema, source: 'inferred' };
    return { status, kind: 'json', schema: declared as SchemaObject | boolean, source: 'declared' };
  });
}

export class ResponseDeclarationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ResponseDeclarationError';
  }
}

/**
 * Synth checks of declared answers: when an App API declares any, each status its chain answers
 * is declared and nothing else is; a status answered without a body is declared `false`. Returns
 * the contradictions between each declared schema and what the chain evidently answers, as
 * warning messages.
 */
export function checkDeclaredAnswers(route: RouteManifest, manifest: EnvironmentManifest, components: SchemaComponents, label: string): string[] {
  const declared = route.responses;
  if (declared === undefined) return [];
  const inferred = inferAnswers(route, manifest, components);
  const answered = [...inferred.keys()].sort((a, b) => a - b);
  const missing = answered.filter((status) => declared[String(status)] === undefined);
  if (missing.length) {
    throw new ResponseDeclarationError(
      `${label}: "responses" declares ${Object.keys(declared).join(', ')}, but the chain also answers ${missing.join(', ')}. ` +
        `Declare every status the chain answers (false for one answered without a body), or remove "responses" to publish what the chain makes evident.`,
    );
  }
  const unanswered = Object.keys(declared).filter((status) => !inferred.has(Number(status)));
  if (unanswered.length) {
    throw new ResponseDeclarationError(
      `${label}: "responses" declares ${unanswered.join(', ')}, which no op.respond or op.redirect of the chain answers (the chain answers ${answered.join(', ')}). ` +
        `Remove ${unanswered.length > 1 ? 'them' : 'it'}: errors the runtime answers are published as problem+json already.`,
    );
  }
  const warnings: string[] = [];
  for (const status of answered) {
    const answer: InferredAnswer = inferred.get(status)!;
    const schema = declared[String(status)];
    if (answer.kind !== 'json') {
      if (schema !== false) {
        throw new ResponseDeclarationError(`${label}: the chain answers ${status} without a body${answer.kind === 'redirect' ? ' (a redirect)' : ''}; declare it as ${status}: false.`);
      }
      continue;
    }
    if (schema === false) {
      throw new ResponseDeclarationError(`${label}: "responses" declares ${status} as false (no body), but the chain answers ${status} with a body. Declare the body's JSON Schema.`);
    }
    const found = contradictions(schema, answer.schema, components);
    if (found.length) {
      warnings.push(`${label}: the declared ${status} answer contradicts what the chain answers: ${found.slice(0, 5).join('; ')}. Fix the declaration or the chain (the declaration is what OpenAPI publishes).`);
    }
  }
  return warnings;
}
