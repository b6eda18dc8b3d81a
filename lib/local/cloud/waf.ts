import { wafRegex } from './waf-regex';

/**
 * Evaluates an `AWS::WAFv2::WebACL` as it appears in a synthesized template (CloudFormation
 * spelling: `Rules`, `Statement`, `FieldToMatch.SingleHeader.Name`, …) against one request, with
 * WAF's documented semantics, so that the local gateway answers what WAF would answer in AWS.
 *
 * `compileWebAcl` checks the whole web ACL once and refuses, naming the rule, every statement,
 * request component, text transformation, action or regex construct it does not implement;
 * the function it returns is pure and cheap enough to run on every request.
 */

export interface WafRequest {
  /** As sent, e.g. `POST`. */
  readonly method: string;
  /**
   * Header names lower-cased; values as Node's http module gives them (one character per byte).
   * A header absent from the request is absent here.
   */
  readonly headers: Readonly<Record<string, string | undefined>>;
  /** The path as received, not decoded, e.g. `/items/a%20b`. */
  readonly uriPath: string;
  /** What follows `?`, undecoded; `undefined` when the URL has no `?`. */
  readonly queryString?: string;
  /** The body bytes; absent or empty when the request has no body. */
  readonly body?: Uint8Array;
}

export interface WafBlockResponse {
  readonly status: number;
  /** The custom response body's content, when the Block action names one. */
  readonly body?: string;
  readonly contentType?: string;
  /**
   * False for a Block action without CustomResponse: WAF then answers 403, which API Gateway
   * turns into its `WAF_FILTERED` gateway response.
   * https://docs.aws.amazon.com/waf/latest/developerguide/customizing-the-response-for-blocked-requests.html
   * https://docs.aws.amazon.com/apigateway/latest/developerguide/supported-gateway-response-types.html
   */
  readonly custom: boolean;
}

export type WafDecision =
  | { readonly action: 'allow'; readonly terminatingRule?: string; readonly countedRules: readonly string[] }
  | { readonly action: 'block'; readonly terminatingRule?: string; readonly countedRules: readonly string[]; readonly response: WafBlockResponse };

export interface WafEvaluatorOptions {
  /**
   * What a match statement makes of a request component the request lacks (a header that was not
   * sent, a URL without `?`, no body). AWS documents `'no-match'`: "Unless otherwise noted, if a web
   * request doesn't have the request component that's specified in the rule statement, AWS WAF
   * evaluates the request as not matching the rule criteria." (a NotStatement around it then
   * matches). `'empty'` evaluates the statement against an empty component instead (size 0, no
   * bytes); it exists so that tests can show a web ACL answers the same under either reading.
   * https://docs.aws.amazon.com/waf/latest/developerguide/waf-rule-statement-fields-list.html
   * @default 'no-match'
   */
  readonly absentComponent?: 'no-match' | 'empty';
}

/** A web ACL property the evaluator does not implement, or one that is malformed. */
export class UnsupportedWebAclError extends Error {
  constructor(where: string, what: string) {
    super(`WebACL ${where}: ${what}`);
    this.name = 'UnsupportedWebAclError';
  }
}

export type WebAclEvaluator = (request: WafRequest) => WafDecision;

/** Compiles the template's WebACL Properties once; the result evaluates one request. */
export function compileWebAcl(properties: unknown, options: WafEvaluatorOptions = {}): WebAclEvaluator {
  const context: CompileContext = { absentComponent: options.absentComponent ?? 'no-match', bodyLimit: 0 };
  const acl = record(properties, 'Properties');
  allowKeys(acl, 'Properties', ['Scope', 'DefaultAction', 'Rules', 'CustomResponseBodies', 'VisibilityConfig', 'Description', 'Name', 'Tags', 'AssociationConfig']);
  context.bodyLimit = bodyInspectionLimit(acl['AssociationConfig']);
  const bodies = customResponseBodies(acl['CustomResponseBodies']);
  const defaultAction = compileAction(acl['DefaultAction'], 'DefaultAction', bodies, ['Allow', 'Block']);
  const rules = list(acl['Rules'] ?? [], 'Rules').map((rule, index) => compileRule(rule, index, context, bodies));
  rules.sort((a, b) => a.priority - b.priority);
  for (let index = 1; index < rules.length; index += 1) {
    if (rules[index]!.priority === rules[index - 1]!.priority) throw new UnsupportedWebAclError(`rule "${rules[index]!.name}"`, `Priority ${rules[index]!.priority} is also the priority of "${rules[index - 1]!.name}"; WAF requires distinct priorities`);
  }

  // Rules run in ascending priority; the first matching rule with a terminating action (Allow,
  // Block) decides; Count records the match and goes on; with no decision, the default action.
  // https://docs.aws.amazon.com/waf/latest/developerguide/web-acl-rule-actions.html
  return (request) => {
    const prepared = new PreparedRequest(request);
    const countedRules: string[] = [];
    for (const rule of rules) {
      if (!rule.matches(prepared)) continue;
      if (rule.action.kind === 'count') {
        countedRules.push(rule.name);
        continue;
      }
      return decide(rule.action, countedRules, rule.name);
    }
    return decide(defaultAction, countedRules, undefined);
  };
}

/** One-off evaluation; prefer `compileWebAcl` for more than one request. */
export function evaluateWebAcl(properties: unknown, request: WafRequest, options?: WafEvaluatorOptions): WafDecision {
  return compileWebAcl(properties, options)(request);
}

// ---------------------------------------------------------------------------------------------

interface CompileContext {
  readonly absentComponent: 'no-match' | 'empty';
  bodyLimit: number;
}

/**
 * One request as the rules read it: each component extracted once however many statements inspect
 * it (the payload rules read Content-Length twice and the method three times), headers by their
 * lower-cased name.
 */
class PreparedRequest {
  private headerMap: Map<string, string> | undefined;
  private readonly extracted = new Map<string, Extracted>();

  constructor(private readonly request: WafRequest) {}

  get method(): string {
    return this.request.method;
  }

  get uriPath(): string {
    return this.request.uriPath;
  }

  get queryString(): string | undefined {
    return this.request.queryString;
  }

  get body(): Uint8Array | undefined {
    return this.request.body;
  }

  header(lowerName: string): string | undefined {
    if (!this.headerMap) {
      this.headerMap = new Map();
      for (const [name, value] of Object.entries(this.request.headers)) if (value !== undefined) this.headerMap.set(name.toLowerCase(), value);
    }
    return this.headerMap.get(lowerName);
  }

  /** The component `key` names, extracted at its first use in this request. */
  component(key: string, extract: (request: PreparedRequest) => Extracted): Extracted {
    if (this.extracted.has(key)) return this.extracted.get(key);
    const value = extract(this);
    this.extracted.set(key, value);
    return value;
  }
}

type Matcher = (request: PreparedRequest) => boolean;

type CompiledAction = { readonly kind: 'allow' } | { readonly kind: 'count' } | { readonly kind: 'block'; readonly response: WafBlockResponse };

interface CompiledRule {
  readonly name: string;
  readonly priority: number;
  readonly action: CompiledAction;
  readonly matches: Matcher;
}

interface CustomBody {
  readonly content: string;
  readonly contentType: string;
}

function decide(action: CompiledAction, countedRules: readonly string[], terminatingRule: string | undefined): WafDecision {
  if (action.kind === 'block') return { action: 'block', terminatingRule, countedRules, response: action.response };
  return { action: 'allow', terminatingRule, countedRules };
}

// --- shape checks ----------------------------------------------------------------------------

function record(value: unknown, where: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new UnsupportedWebAclError(where, `expected an object, got ${JSON.stringify(value)}`);
  return value as Record<string, unknown>;
}

function list(value: unknown, where: string): unknown[] {
  if (!Array.isArray(value)) throw new UnsupportedWebAclError(where, `expected a list, got ${JSON.stringify(value)}`);
  return value;
}

function text(value: unknown, where: string): string {
  // an intrinsic function ({ "Ref": … }) lands here too: resolve the template first
  if (typeof value !== 'string') throw new UnsupportedWebAclError(where, `expected a string, got ${JSON.stringify(value)}`);
  return value;
}

function integer(value: unknown, where: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) throw new UnsupportedWebAclError(where, `expected an integer from ${min} to ${max}, got ${JSON.stringify(value)}`);
  return value;
}

function allowKeys(value: Record<string, unknown>, where: string, allowed: readonly string[]): void {
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) throw new UnsupportedWebAclError(where, `${key} is not supported by the local WAF evaluator (supported here: ${allowed.join(', ')})`);
  }
}

/** The one key of a union-shaped object, e.g. `{ "Block": {...} }`. */
function onlyKey<Key extends string>(value: Record<string, unknown>, where: string, supported: readonly Key[]): Key {
  const keys = Object.keys(value);
  if (keys.length !== 1) throw new UnsupportedWebAclError(where, `expected exactly one of ${supported.join(', ')}, got ${keys.length === 0 ? 'none' : keys.join(', ')}`);
  const key = keys[0] as Key;
  if (!supported.includes(key)) throw new UnsupportedWebAclError(where, `${key} is not supported by the local WAF evaluator (supported: ${supported.join(', ')})`);
  return key;
}

// --- web ACL parts ---------------------------------------------------------------------------

const BODY_CONTENT_TYPES: Record<string, string> = { APPLICATION_JSON: 'application/json', TEXT_PLAIN: 'text/plain', TEXT_HTML: 'text/html' };

function customResponseBodies(value: unknown): ReadonlyMap<string, CustomBody> {
  const bodies = new Map<string, CustomBody>();
  if (value === undefined) return bodies;
  for (const [key, body] of Object.entries(record(value, 'CustomResponseBodies'))) {
    const where = `CustomResponseBodies.${key}`;
    const fields = record(body, where);
    allowKeys(fields, where, ['Content', 'ContentType']);
    const contentType = BODY_CONTENT_TYPES[text(fields['ContentType'], `${where}.ContentType`)];
    if (!contentType) throw new UnsupportedWebAclError(`${where}.ContentType`, `expected one of ${Object.keys(BODY_CONTENT_TYPES).join(', ')}`);
    bodies.set(key, { content: text(fields['Content'], `${where}.Content`), contentType });
  }
  return bodies;
}

/**
 * How much of a body WAF receives from API Gateway: 16 KB unless the web ACL raises it (to at
 * most 64 KB). https://docs.aws.amazon.com/waf/latest/developerguide/web-acl-setting-body-inspection-limit.html
 */
function bodyInspectionLimit(value: unknown): number {
  const defaultLimit = 16 * 1024;
  if (value === undefined) return defaultLimit;
  const requestBody = record(record(value, 'AssociationConfig')['RequestBody'] ?? {}, 'AssociationConfig.RequestBody');
  const apiGateway = requestBody['API_GATEWAY'];
  if (apiGateway === undefined) return defaultLimit;
  const limit = text(record(apiGateway, 'AssociationConfig.RequestBody.API_GATEWAY')['DefaultSizeInspectionLimit'], 'AssociationConfig.RequestBody.API_GATEWAY.DefaultSizeInspectionLimit');
  const limits: Record<string, number> = { KB_16: 16 * 1024, KB_32: 32 * 1024, KB_48: 48 * 1024, KB_64: 64 * 1024 };
  if (limits[limit] === undefined) throw new UnsupportedWebAclError('AssociationConfig.RequestBody.API_GATEWAY.DefaultSizeInspectionLimit', `expected one of ${Object.keys(limits).join(', ')}`);
  return limits[limit];
}

function compileAction(value: unknown, where: string, bodies: ReadonlyMap<string, CustomBody>, supported: ReadonlyArray<'Allow' | 'Block' | 'Count'>): CompiledAction {
  const action = record(value, where);
  const kind = onlyKey(action, where, supported);
  const settings = record(action[kind], `${where}.${kind}`);
  if (kind === 'Block') {
    allowKeys(settings, `${where}.Block`, ['CustomResponse']);
    if (settings['CustomResponse'] === undefined) return { kind: 'block', response: { status: 403, custom: false } };
    const customWhere = `${where}.Block.CustomResponse`;
    const custom = record(settings['CustomResponse'], customWhere);
    // ResponseHeaders are refused: how WAF names and orders them is not modelled here
    allowKeys(custom, customWhere, ['ResponseCode', 'CustomResponseBodyKey']);
    const status = integer(custom['ResponseCode'], `${customWhere}.ResponseCode`, 200, 599);
    if (custom['CustomResponseBodyKey'] === undefined) return { kind: 'block', response: { status, custom: true } };
    const key = text(custom['CustomResponseBodyKey'], `${customWhere}.CustomResponseBodyKey`);
    const body = bodies.get(key);
    if (!body) throw new UnsupportedWebAclError(`${customWhere}.CustomResponseBodyKey`, `"${key}" is not a key of CustomResponseBodies (${[...bodies.keys()].join(', ') || 'none declared'})`);
    return { kind: 'block', response: { status, body: body.content, contentType: body.contentType, custom: true } };
  }
  // CustomRequestHandling (headers inserted into the request) is refused: it changes the request
  allowKeys(settings, `${where}.${kind}`, []);
  return kind === 'Allow' ? { kind: 'allow' } : { kind: 'count' };
}

function compileRule(value: unknown, index: number, context: CompileContext, bodies: ReadonlyMap<string, CustomBody>): CompiledRule {
  const rule = record(value, `Rules[${index}]`);
  const name = text(rule['Name'], `Rules[${index}].Name`);
  const where = `rule "${name}"`;
  // RuleLabels, CaptchaConfig, ChallengeConfig and OverrideAction (rule groups) are refused
  allowKeys(rule, where, ['Name', 'Priority', 'Statement', 'Action', 'VisibilityConfig']);
  return {
    name,
    priority: integer(rule['Priority'], `${where} Priority`, 0, Number.MAX_SAFE_INTEGER),
    action: compileAction(rule['Action'], `${where} Action`, bodies, ['Allow', 'Block', 'Count']),
    matches: compileStatement(rule['Statement'], `${where} Statement`, context),
  };
}

// --- statements ------------------------------------------------------------------------------

const STATEMENTS = ['ByteMatchStatement', 'RegexMatchStatement', 'SizeConstraintStatement', 'AndStatement', 'OrStatement', 'NotStatement'] as const;

function compileStatement(value: unknown, where: string, context: CompileContext): Matcher {
  const statement = record(value, where);
  const kind = onlyKey(statement, where, STATEMENTS);
  const body = record(statement[kind], `${where}.${kind}`);
  const path = `${where}.${kind}`;
  switch (kind) {
    case 'AndStatement':
    case 'OrStatement': {
      allowKeys(body, path, ['Statements']);
      const parts = list(body['Statements'], `${path}.Statements`).map((part, i) => compileStatement(part, `${path}.Statements[${i}]`, context));
      if (parts.length < 2) throw new UnsupportedWebAclError(`${path}.Statements`, `WAF requires at least two statements, got ${parts.length}`);
      return kind === 'AndStatement' ? (request) => parts.every((part) => part(request)) : (request) => parts.some((part) => part(request));
    }
    case 'NotStatement': {
      allowKeys(body, path, ['Statement']);
      const inner = compileStatement(body['Statement'], `${path}.Statement`, context);
      return (request) => !inner(request);
    }
    case 'SizeConstraintStatement':
      allowKeys(body, path, ['FieldToMatch', 'ComparisonOperator', 'Size', 'TextTransformations']);
      return inspecting(body, path, context, sizeConstraint(body, path));
    case 'ByteMatchStatement':
      allowKeys(body, path, ['FieldToMatch', 'PositionalConstraint', 'SearchString', 'SearchStringBase64', 'TextTransformations']);
      return inspecting(body, path, context, byteMatch(body, path));
    case 'RegexMatchStatement': {
      allowKeys(body, path, ['FieldToMatch', 'RegexString', 'TextTransformations']);
      const pattern = text(body['RegexString'], `${path}.RegexString`);
      let regex: RegExp;
      try {
        regex = wafRegex(pattern);
      } catch (error) {
        throw new UnsupportedWebAclError(`${path}.RegexString`, (error as Error).message);
      }
      return inspecting(body, path, context, (component) => regex.test(component.toString('latin1')));
    }
  }
}

type ComponentTest = (component: Buffer) => boolean;

/**
 * The component named by FieldToMatch, transformed, then tested; an absent component follows
 * `absentComponent`, an oversize body its OversizeHandling.
 */
function inspecting(body: Record<string, unknown>, path: string, context: CompileContext, test: ComponentTest): Matcher {
  const { key, extract } = compileFieldToMatch(body['FieldToMatch'], `${path}.FieldToMatch`, context);
  const transform = compileTransformations(body['TextTransformations'], `${path}.TextTransformations`);
  return (request) => {
    const component = request.component(key, extract);
    if (component === 'match' || component === 'no-match') return component === 'match';
    if (component === undefined) return context.absentComponent === 'empty' ? test(transform(Buffer.alloc(0))) : false;
    return test(transform(component));
  };
}

const OPERATORS: Record<string, (size: number, limit: number) => boolean> = {
  EQ: (size, limit) => size === limit,
  NE: (size, limit) => size !== limit,
  LE: (size, limit) => size <= limit,
  LT: (size, limit) => size < limit,
  GE: (size, limit) => size >= limit,
  GT: (size, limit) => size > limit,
};

/** https://docs.aws.amazon.com/waf/latest/developerguide/waf-rule-statement-type-size-constraint-match.html */
function sizeConstraint(body: Record<string, unknown>, path: string): ComponentTest {
  const operatorName = text(body['ComparisonOperator'], `${path}.ComparisonOperator`);
  const operator = OPERATORS[operatorName];
  if (!operator) throw new UnsupportedWebAclError(`${path}.ComparisonOperator`, `expected one of ${Object.keys(OPERATORS).join(', ')}, got ${operatorName}`);
  // API_SizeConstraintStatement: Size 0 to 21474836480
  const size = integer(body['Size'], `${path}.Size`, 0, 21_474_836_480);
  return (component) => operator(component.length, size);
}

/**
 * A byte comparison, so case-sensitive ("If SearchString includes alphabetic characters A-Z and
 * a-z, note that the value is case sensitive"); a LOWERCASE transformation makes it insensitive.
 * https://docs.aws.amazon.com/waf/latest/APIReference/API_ByteMatchStatement.html
 */
function byteMatch(body: Record<string, unknown>, path: string): ComponentTest {
  if ((body['SearchString'] === undefined) === (body['SearchStringBase64'] === undefined)) throw new UnsupportedWebAclError(path, 'expected exactly one of SearchString, SearchStringBase64');
  const search =
    body['SearchString'] !== undefined ? Buffer.from(text(body['SearchString'], `${path}.SearchString`), 'utf8') : Buffer.from(text(body['SearchStringBase64'], `${path}.SearchStringBase64`), 'base64');
  if (search.length === 0 || search.length > 50) throw new UnsupportedWebAclError(path, `the search string has ${search.length} bytes; WAF takes 1 to 50`);
  const constraint = text(body['PositionalConstraint'], `${path}.PositionalConstraint`);
  switch (constraint) {
    case 'EXACTLY':
      return (component) => component.equals(search);
    case 'STARTS_WITH':
      return (component) => component.length >= search.length && component.subarray(0, search.length).equals(search);
    case 'ENDS_WITH':
      return (component) => component.length >= search.length && component.subarray(component.length - search.length).equals(search);
    case 'CONTAINS':
      return (component) => component.includes(search);
    case 'CONTAINS_WORD': {
      // SearchString must be word characters only, and match where neither neighbour is one
      if (!/^[A-Za-z0-9_]+$/.test(search.toString('latin1'))) throw new UnsupportedWebAclError(`${path}.SearchString`, 'CONTAINS_WORD takes only A-Z, a-z, 0-9 and _');
      const isWordByte = (byte: number | undefined) => byte !== undefined && /[A-Za-z0-9_]/.test(String.fromCharCode(byte));
      return (component) => {
        for (let at = component.indexOf(search); at !== -1; at = component.indexOf(search, at + 1)) {
          if (!isWordByte(at === 0 ? undefined : component[at - 1]) && !isWordByte(component[at + search.length])) return true;
        }
        return false;
      };
    }
    default:
      throw new UnsupportedWebAclError(`${path}.PositionalConstraint`, `expected one of EXACTLY, STARTS_WITH, ENDS_WITH, CONTAINS, CONTAINS_WORD, got ${constraint}`);
  }
}

// --- request components ----------------------------------------------------------------------

type Extracted = Buffer | undefined | 'match' | 'no-match';

const FIELDS = ['SingleHeader', 'Method', 'UriPath', 'QueryString', 'Body'] as const;

/** https://docs.aws.amazon.com/waf/latest/developerguide/waf-rule-statement-fields-list.html */
function compileFieldToMatch(value: unknown, where: string, context: CompileContext): { readonly key: string; readonly extract: (request: PreparedRequest) => Extracted } {
  const field = record(value, where);
  const kind = onlyKey(field, where, FIELDS);
  const settings = record(field[kind], `${where}.${kind}`);
  switch (kind) {
    case 'SingleHeader': {
      allowKeys(settings, `${where}.SingleHeader`, ['Name']);
      // "The string match for the name is not case sensitive."
      const name = text(settings['Name'], `${where}.SingleHeader.Name`).toLowerCase();
      return {
        key: `header:${name}`,
        extract: (request) => {
          const headerValue = request.header(name);
          return headerValue === undefined ? undefined : bytes(headerValue);
        },
      };
    }
    case 'Method':
      allowKeys(settings, `${where}.Method`, []);
      return { key: 'method', extract: (request) => bytes(request.method) };
    case 'UriPath':
      // inspected "exactly as it receives it from the client", without normalizing
      allowKeys(settings, `${where}.UriPath`, []);
      return { key: 'uriPath', extract: (request) => bytes(request.uriPath) };
    case 'QueryString':
      allowKeys(settings, `${where}.QueryString`, []);
      return { key: 'queryString', extract: (request) => (request.queryString === undefined ? undefined : bytes(request.queryString)) };
    case 'Body': {
      allowKeys(settings, `${where}.Body`, ['OversizeHandling']);
      // WAF receives only the first bodyLimit bytes; OversizeHandling says what a longer body does
      // (CONTINUE inspects what was received, the default). https://docs.aws.amazon.com/waf/latest/developerguide/waf-oversize-request-components.html
      const handling = settings['OversizeHandling'] === undefined ? 'CONTINUE' : text(settings['OversizeHandling'], `${where}.Body.OversizeHandling`);
      if (!['CONTINUE', 'MATCH', 'NO_MATCH'].includes(handling)) throw new UnsupportedWebAclError(`${where}.Body.OversizeHandling`, `expected CONTINUE, MATCH or NO_MATCH, got ${handling}`);
      const limit = context.bodyLimit;
      return {
        key: `body:${handling}`,
        extract: (request) => {
          const body = request.body;
          if (body === undefined || body.length === 0) return undefined;
          if (body.length > limit && handling !== 'CONTINUE') return handling === 'MATCH' ? 'match' : 'no-match';
          return Buffer.from(body.buffer, body.byteOffset, Math.min(body.length, limit));
        },
      };
    }
  }
}

/** A string as the bytes WAF sees: Node gives header values one character per byte (latin1). */
function bytes(value: string): Buffer {
  return /[^\u0000-\u00ff]/.test(value) ? Buffer.from(value, 'utf8') : Buffer.from(value, 'latin1');
}

// --- text transformations --------------------------------------------------------------------

const TRANSFORMATIONS: Record<string, (component: Buffer) => Buffer> = {
  NONE: (component) => component,
  // ASCII A-Z only: WAF transforms bytes, not Unicode text
  LOWERCASE: (component) => Buffer.from(component.map((byte) => (byte >= 0x41 && byte <= 0x5a ? byte + 0x20 : byte))),
};

/**
 * Applied lowest Priority first. https://docs.aws.amazon.com/waf/latest/developerguide/waf-rule-statement-transformation.html
 */
function compileTransformations(value: unknown, where: string): (component: Buffer) => Buffer {
  const steps = list(value, where).map((item, index) => {
    const step = record(item, `${where}[${index}]`);
    allowKeys(step, `${where}[${index}]`, ['Priority', 'Type']);
    const type = text(step['Type'], `${where}[${index}].Type`);
    const transformation = TRANSFORMATIONS[type];
    if (!transformation) throw new UnsupportedWebAclError(`${where}[${index}].Type`, `${type} is not supported by the local WAF evaluator (supported: ${Object.keys(TRANSFORMATIONS).join(', ')})`);
    return { priority: integer(step['Priority'], `${where}[${index}].Priority`, 0, Number.MAX_SAFE_INTEGER), transformation };
  });
  if (steps.length === 0) throw new UnsupportedWebAclError(where, 'WAF requires at least one text transformation (NONE for none)');
  steps.sort((a, b) => a.priority - b.priority);
  const changing = steps.filter((step) => step.transformation !== TRANSFORMATIONS.NONE);
  if (changing.length === 0) return (component) => component;
  return (component) => changing.reduce((current, step) => step.transformation(current), component);
}
