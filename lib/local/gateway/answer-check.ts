import Ajv2020, { type ErrorObject, type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import type { ProxyResult } from '../../../lambdas/runtime/proxy-event';
import type { RouteManifest } from '../../../lambdas/shared/manifest';
import { escapePointer } from '../../openapi';

/**
 * What local mode does with an answer that does not match the schema published for it:
 * `warn` logs it and shows it in the console, `fatal` also replaces it with a 500 (tests),
 * `off` checks nothing. In AWS nothing is checked: the handler Lambdas never load this.
 */
export type AnswerCheckMode = 'warn' | 'fatal' | 'off';

export const ANSWER_CHECK_MODES: readonly AnswerCheckMode[] = ['warn', 'fatal', 'off'];

/** The violations a check reports at most: the first ones say what is wrong. */
export const MAX_REPORTED_VIOLATIONS = 5;

/** The mode `APPAPI_RESPONSE_CHECK` asks for; `warn` when unset. */
export function answerCheckModeFromEnv(env: NodeJS.ProcessEnv = process.env): AnswerCheckMode {
  const value = env.APPAPI_RESPONSE_CHECK;
  if (value === undefined || value === '') return 'warn';
  if ((ANSWER_CHECK_MODES as readonly string[]).includes(value)) return value as AnswerCheckMode;
  throw new Error(`APPAPI_RESPONSE_CHECK is "${value}"; set it to one of ${ANSWER_CHECK_MODES.join(', ')} (or leave it unset for warn).`);
}

export type AnswerCheck = (route: RouteManifest, answer: ProxyResult) => string[];

type Json = Record<string, unknown>;

/**
 * Checks handler answers against an OpenAPI document: the status is one the route publishes, the
 * Content-Type one published for it, the body valid against its schema (references resolved in
 * the document), a redirect's Location present. Validators are compiled on first use per answer.
 */
export function createAnswerCheck(document: Json): AnswerCheck {
  const ajv = new Ajv2020({ strict: false, allErrors: true, validateSchema: false });
  addFormats(ajv);
  ajv.addSchema(document, 'openapi');
  const validators = new Map<string, ValidateFunction | undefined>();
  const validator = (pointer: string[]) => {
    const key = pointer.map((segment) => encodeURIComponent(escapePointer(segment))).join('/');
    if (!validators.has(key)) validators.set(key, ajv.getSchema(`openapi#/${key}`));
    return validators.get(key);
  };
  const paths = document.paths as Record<string, Record<string, { responses: Record<string, Json> }>>;
  const components = (document.components ?? {}) as { responses?: Record<string, Json> };

  const check: AnswerCheck = (route, answer) => {
    const method = route.method.toLowerCase();
    const published = paths[route.path]?.[method]?.responses ?? {};
    const status = String(answer.statusCode);
    let response = published[status];
    const at = ['paths', route.path, method, 'responses', status];
    if (response === undefined) return [`status ${status} is not published for this route (published: ${Object.keys(published).join(', ')})`];
    if (typeof response.$ref === 'string') {
      const name = response.$ref.split('/').pop()!;
      response = components.responses?.[name] ?? {};
      at.splice(0, at.length, 'components', 'responses', name);
    }
    const headers = lowerCaseHeaders(answer);
    const violations: string[] = [];
    for (const [name, header] of Object.entries((response.headers ?? {}) as Record<string, { required?: boolean }>)) {
      if (header.required && headers[name.toLowerCase()] === undefined) violations.push(`header ${name} is missing`);
    }
    const content = response.content as Record<string, unknown> | undefined;
    const body = answer.isBase64Encoded ? Buffer.from(answer.body ?? '', 'base64').toString('utf8') : (answer.body ?? '');
    if (!content) {
      if (body !== '') violations.push('a body is sent, but this answer is published without one');
      return violations;
    }
    const mediaType = (headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    if (!(mediaType in content)) return [...violations, `Content-Type "${mediaType || 'none'}" is not published for it (published: ${Object.keys(content).join(', ')})`];
    let value: unknown;
    try {
      value = JSON.parse(body);
    } catch {
      return [...violations, 'the body is not JSON'];
    }
    const validate = validator([...at, 'content', mediaType, 'schema']);
    if (validate && !validate(value)) violations.push(...(validate.errors ?? []).map(describe));
    return violations;
  };
  // a route answering what it answered last time (a record read again, /health) gets the same verdict
  const last = new Map<string, { readonly answer: ProxyResult; readonly headerCount: number; readonly violations: string[] }>();
  return (route, answer) => {
    const previous = last.get(route.id);
    if (previous && sameAnswer(previous.answer, previous.headerCount, answer)) return [...previous.violations];
    const violations = check(route, answer);
    // a copy: the verdict stays tied to what was checked, whatever becomes of the answer object
    const headers = { ...answer.headers };
    last.set(route.id, { answer: { ...answer, headers }, headerCount: Object.keys(headers).length, violations });
    return [...violations];
  };
}

/**
 * Whether two answers are the same for the check: status, encoding, body and every header as sent.
 * Stricter than what the check reads (it ignores most header values), which only costs a check.
 */
function sameAnswer(previous: ProxyResult, previousHeaderCount: number, answer: ProxyResult): boolean {
  if (previous.statusCode !== answer.statusCode || (previous.isBase64Encoded ?? false) !== (answer.isBase64Encoded ?? false) || (previous.body ?? '') !== (answer.body ?? '')) return false;
  const headers = answer.headers ?? {};
  let count = 0;
  for (const name in headers) {
    if (previous.headers[name] !== headers[name] || !Object.hasOwn(previous.headers, name)) return false;
    count += 1;
  }
  return count === previousHeaderCount;
}

function lowerCaseHeaders(answer: ProxyResult): Record<string, string> {
  return Object.fromEntries(Object.entries(answer.headers ?? {}).map(([name, value]) => [name.toLowerCase(), String(value)]));
}

/** `/items/0/email must match format "email"`, with what the keyword adds (the property missing or extra). */
function describe(error: ErrorObject): string {
  const where = error.instancePath || '(the body)';
  const params = error.params as { missingProperty?: string; additionalProperty?: string; allowedValues?: unknown[] };
  if (error.keyword === 'required') return `${error.instancePath}/${params.missingProperty} is required`;
  if (error.keyword === 'additionalProperties') return `${error.instancePath}/${params.additionalProperty} is not allowed`;
  if (error.keyword === 'enum') return `${where} must be one of ${JSON.stringify(params.allowedValues)}`;
  return `${where} ${error.message ?? 'is invalid'}`;
}
