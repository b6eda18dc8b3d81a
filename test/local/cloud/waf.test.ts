// Shares a process: units (its tests call functions and close the servers and sockets they open; see scripts/run-tests.ts)
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compileWebAcl, UnsupportedWebAclError, type WafDecision, type WafEvaluatorOptions, type WafRequest } from '../../../lib/local/cloud/waf';
import { wafRegex } from '../../../lib/local/cloud/waf-regex';

const NONE = [{ Priority: 0, Type: 'NONE' }];
const header = (name: string) => ({ SingleHeader: { Name: name } });
const size = (field: unknown, operator: string, bytes: number, transformations: unknown = NONE) => ({
  SizeConstraintStatement: { FieldToMatch: field, ComparisonOperator: operator, Size: bytes, TextTransformations: transformations },
});
const bytes = (field: unknown, constraint: string, search: string, transformations: unknown = NONE) => ({
  ByteMatchStatement: { FieldToMatch: field, PositionalConstraint: constraint, SearchString: search, TextTransformations: transformations },
});
const regex = (field: unknown, pattern: string) => ({ RegexMatchStatement: { FieldToMatch: field, RegexString: pattern, TextTransformations: NONE } });
const block = (status = 418, key?: string) => ({ Block: { CustomResponse: { ResponseCode: status, ...(key ? { CustomResponseBodyKey: key } : {}) } } });

function webAcl(rules: unknown[], extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    Scope: 'REGIONAL',
    DefaultAction: { Allow: {} },
    VisibilityConfig: { CloudWatchMetricsEnabled: false, MetricName: 'acl', SampledRequestsEnabled: false },
    Rules: rules.map((rule, index) => ({ Name: `Rule${index}`, Priority: index, Action: block(), VisibilityConfig: {}, ...(rule as object) })),
    ...extra,
  };
}

/** Whether the one rule's statement matches the request. */
function matches(statement: unknown, request: Partial<WafRequest>, options?: WafEvaluatorOptions, extra?: Record<string, unknown>): boolean {
  const decision = compileWebAcl(webAcl([{ Statement: statement }], extra), options)({ method: 'GET', headers: {}, uriPath: '/', ...request });
  return decision.action === 'block';
}

function refusal(properties: unknown): string {
  try {
    compileWebAcl(properties);
  } catch (error) {
    assert.ok(error instanceof UnsupportedWebAclError, `${String(error)} is an UnsupportedWebAclError`);
    return error.message;
  }
  assert.fail('compiled');
}

describe('compileWebAcl: rules and actions', () => {
  const always = size({ Method: {} }, 'GT', 0);

  it('runs rules by Priority, not by their order in the list; the first terminating action decides', () => {
    const acl = compileWebAcl(
      webAcl([], {
        Rules: [
          { Name: 'Late', Priority: 20, Statement: always, Action: block(401), VisibilityConfig: {} },
          { Name: 'Early', Priority: 10, Statement: always, Action: block(402), VisibilityConfig: {} },
        ],
      }),
    );
    const decision = acl({ method: 'GET', headers: {}, uriPath: '/' });
    assert.equal(decision.action, 'block');
    assert.equal(decision.terminatingRule, 'Early');
    assert.equal(decision.action === 'block' && decision.response.status, 402);
  });

  it('Count records the match and goes on; Allow stops before later Blocks', () => {
    const acl = compileWebAcl(webAcl([{ Statement: always, Action: { Count: {} } }, { Statement: always, Action: { Allow: {} } }, { Statement: always }]));
    assert.deepEqual(acl({ method: 'GET', headers: {}, uriPath: '/' }), { action: 'allow', terminatingRule: 'Rule1', countedRules: ['Rule0'] });
  });

  it('with no terminating match the default action applies; a Block without CustomResponse is a plain 403', () => {
    const never = size({ Method: {} }, 'EQ', 0);
    const allowByDefault = compileWebAcl(webAcl([{ Statement: never }]));
    assert.deepEqual(allowByDefault({ method: 'GET', headers: {}, uriPath: '/' }), { action: 'allow', terminatingRule: undefined, countedRules: [] });
    const blockByDefault = compileWebAcl(webAcl([{ Statement: never }], { DefaultAction: { Block: {} } }));
    const decision: WafDecision = blockByDefault({ method: 'GET', headers: {}, uriPath: '/' });
    assert.deepEqual(decision, { action: 'block', terminatingRule: undefined, countedRules: [], response: { status: 403, custom: false } });
  });

  it('a custom response carries its code and the body and content type named by its key', () => {
    const acl = compileWebAcl(
      webAcl([{ Statement: always, Action: block(413, 'TooBig') }], { CustomResponseBodies: { TooBig: { ContentType: 'APPLICATION_JSON', Content: '{"status":413}' }, Other: { ContentType: 'TEXT_PLAIN', Content: 'x' } } }),
    );
    const decision = acl({ method: 'GET', headers: {}, uriPath: '/' });
    assert.deepEqual(decision.action === 'block' && decision.response, { status: 413, body: '{"status":413}', contentType: 'application/json', custom: true });
    const withoutBody = compileWebAcl(webAcl([{ Statement: always, Action: block(429) }]))({ method: 'GET', headers: {}, uriPath: '/' });
    assert.deepEqual(withoutBody.action === 'block' && withoutBody.response, { status: 429, custom: true });
  });
});

describe('compileWebAcl: SizeConstraintStatement', () => {
  const cases: Array<[string, number, number, boolean]> = [
    ['EQ', 3, 3, true], ['EQ', 3, 4, false],
    ['NE', 3, 4, true], ['NE', 3, 3, false],
    ['LE', 3, 3, true], ['LE', 3, 4, true], ['LE', 4, 3, false],
    ['LT', 3, 4, true], ['LT', 3, 3, false],
    ['GE', 3, 3, true], ['GE', 4, 3, true], ['GE', 3, 4, false],
    ['GT', 4, 3, true], ['GT', 3, 3, false],
  ];
  for (const [operator, actual, limit, expected] of cases) {
    it(`${operator} ${limit} on a ${actual}-byte header is ${expected ? 'a match' : 'no match'}`, () => {
      assert.equal(matches(size(header('x-probe'), operator, limit), { headers: { 'x-probe': 'a'.repeat(actual) } }), expected);
    });
  }

  it('counts bytes, not characters', () => {
    // Node gives header values one character per byte: "é" in UTF-8 arrives as two characters
    assert.ok(matches(size(header('x-probe'), 'EQ', 2), { headers: { 'x-probe': Buffer.from('é').toString('latin1') } }));
    assert.ok(matches(size({ UriPath: {} }, 'EQ', 9), { uriPath: '/logo.jpg' }));
  });

  it('an absent header does not match, so NOT of it does (as documented); as an empty component it has size 0', () => {
    assert.equal(matches(size(header('x-absent'), 'GE', 0), {}), false);
    assert.equal(matches(size(header('x-absent'), 'EQ', 0), {}), false);
    assert.equal(matches({ NotStatement: { Statement: size(header('x-absent'), 'GE', 0) } }, {}), true);
    assert.equal(matches(size(header('x-absent'), 'GE', 0), {}, { absentComponent: 'empty' }), true);
    assert.equal(matches(size(header('x-absent'), 'GT', 0), {}, { absentComponent: 'empty' }), false);
    // a header sent empty is present, with size 0
    assert.equal(matches(size(header('x-empty'), 'GE', 0), { headers: { 'x-empty': '' } }), true);
    assert.equal(matches(size(header('x-empty'), 'GT', 0), { headers: { 'x-empty': '' } }), false);
  });
});

describe('compileWebAcl: ByteMatchStatement', () => {
  const cases: Array<[string, string, string, boolean]> = [
    ['EXACTLY', 'abc', 'abc', true], ['EXACTLY', 'abc', 'abcd', false],
    ['STARTS_WITH', 'ab', 'abc', true], ['STARTS_WITH', 'bc', 'abc', false], ['STARTS_WITH', 'abcd', 'abc', false],
    ['ENDS_WITH', 'bc', 'abc', true], ['ENDS_WITH', 'ab', 'abc', false],
    ['CONTAINS', 'b', 'abc', true], ['CONTAINS', 'x', 'abc', false],
    ['CONTAINS_WORD', 'BadBot', 'BadBot', true], ['CONTAINS_WORD', 'BadBot', ';BadBot', true], ['CONTAINS_WORD', 'BadBot', '-BadBot;', true],
    ['CONTAINS_WORD', 'BadBot', 'BadBots', false], ['CONTAINS_WORD', 'BadBot', 'a_BadBot', false], ['CONTAINS_WORD', 'BadBot', 'BadBots BadBot', true],
  ];
  for (const [constraint, search, value, expected] of cases) {
    it(`${constraint} ${JSON.stringify(search)} on ${JSON.stringify(value)} is ${expected ? 'a match' : 'no match'}`, () => {
      assert.equal(matches(bytes(header('user-agent'), constraint, search), { headers: { 'user-agent': value } }), expected);
    });
  }

  it('is case-sensitive unless a LOWERCASE transformation runs first', () => {
    assert.equal(matches(bytes({ Method: {} }, 'EXACTLY', 'post'), { method: 'POST' }), false);
    assert.equal(matches(bytes({ Method: {} }, 'EXACTLY', 'post', [{ Priority: 0, Type: 'LOWERCASE' }]), { method: 'POST' }), true);
  });

  it('takes SearchStringBase64', () => {
    const statement = { ByteMatchStatement: { FieldToMatch: { Method: {} }, PositionalConstraint: 'EXACTLY', SearchStringBase64: Buffer.from('GET').toString('base64'), TextTransformations: NONE } };
    assert.equal(matches(statement, { method: 'GET' }), true);
    assert.equal(matches(statement, { method: 'PUT' }), false);
  });

  it('against an absent header: no match as documented; "" as an empty component', () => {
    assert.equal(matches(bytes(header('x-absent'), 'CONTAINS', 'a'), {}), false);
    assert.equal(matches({ NotStatement: { Statement: bytes(header('x-absent'), 'CONTAINS', 'a') } }, {}), true);
    assert.equal(matches({ NotStatement: { Statement: bytes(header('x-absent'), 'CONTAINS', 'a') } }, {}, { absentComponent: 'empty' }), true);
  });
});

describe('compileWebAcl: request components', () => {
  it('matches SingleHeader names case-insensitively, whatever the spelling on either side', () => {
    assert.ok(matches(bytes(header('Content-Type'), 'EXACTLY', 'text/plain'), { headers: { 'content-type': 'text/plain' } }));
    assert.ok(matches(bytes(header('content-type'), 'EXACTLY', 'text/plain'), { headers: { 'Content-Type': 'text/plain' } }));
  });

  it('inspects the URI path as received, not decoded', () => {
    assert.ok(matches(bytes({ UriPath: {} }, 'EXACTLY', '/a%20b'), { uriPath: '/a%20b' }));
    assert.ok(!matches(bytes({ UriPath: {} }, 'EXACTLY', '/a b'), { uriPath: '/a%20b' }));
  });

  it('the query string is what follows "?"; without "?" there is none', () => {
    assert.ok(matches(bytes({ QueryString: {} }, 'EXACTLY', 'a=1&b=2'), { queryString: 'a=1&b=2' }));
    assert.ok(matches(size({ QueryString: {} }, 'EQ', 0), { queryString: '' }));
    assert.ok(!matches(size({ QueryString: {} }, 'EQ', 0), {}));
    assert.ok(matches(size({ QueryString: {} }, 'EQ', 0), {}, { absentComponent: 'empty' }));
  });

  it('inspects only the first 16 KB of a body unless the web ACL raises the limit, and follows OversizeHandling', () => {
    const body = Buffer.alloc(20_000, 'a');
    const bodyField = (handling?: string) => ({ Body: handling ? { OversizeHandling: handling } : {} });
    assert.ok(matches(size(bodyField(), 'EQ', 16_384), { body }));
    assert.ok(matches(size(bodyField('CONTINUE'), 'EQ', 16_384), { body }));
    assert.ok(matches(size(bodyField('MATCH'), 'EQ', 1), { body }), 'MATCH matches an oversize body whatever the statement says');
    assert.ok(!matches(size(bodyField('NO_MATCH'), 'GT', 0), { body }));
    assert.ok(matches(size(bodyField('NO_MATCH'), 'EQ', 3), { body: Buffer.from('abc') }), 'a body within the limit is inspected');
    const raised = { AssociationConfig: { RequestBody: { API_GATEWAY: { DefaultSizeInspectionLimit: 'KB_64' } } } };
    assert.ok(matches(size(bodyField(), 'EQ', 20_000), { body }, {}, raised));
    assert.ok(!matches(size(bodyField(), 'GE', 0), {}), 'no body: the component is absent');
  });
});

describe('compileWebAcl: RegexMatchStatement', () => {
  it('searches anywhere in the component unless anchored', () => {
    assert.ok(matches(regex(header('content-length'), '[^0-9]'), { headers: { 'content-length': '12a' } }));
    assert.ok(!matches(regex(header('content-length'), '[^0-9]'), { headers: { 'content-length': '123' } }));
    assert.ok(!matches(regex(header('content-length'), '^1$'), { headers: { 'content-length': '12' } }));
  });

  it('against an absent header: no match as documented, the empty string as an empty component', () => {
    assert.ok(!matches(regex(header('x-absent'), '^$'), {}));
    assert.ok(matches(regex(header('x-absent'), '^$'), {}, { absentComponent: 'empty' }));
  });

  it('refuses a pattern it cannot translate, naming the rule', () => {
    const message = refusal(webAcl([{ Name: 'Lookahead', Statement: regex(header('a'), 'a(?=b)') }]));
    assert.match(message, /rule "Lookahead"/);
    assert.match(message, /lookaround/);
  });
});

describe('wafRegex: PCRE meaning in JavaScript', () => {
  const cases: Array<[string, string, boolean]> = [
    ['^abc$', 'abc', true],
    ['^abc$', 'abc\n', true], // PCRE's $ also matches before a final newline
    ['^abc$', 'abc\n\n', false],
    ['^abc\\z', 'abc\n', false],
    ['^abc\\Z', 'abc\n', true],
    ['\\Aabc', 'abc', true],
    ['^a.c$', 'a\rc', true], // PCRE's . excludes only \n
    ['^a.c$', 'a\nc', false],
    ['^\\s$', '\x0b', true], // \s includes VT
    ['^\\s$', '\xa0', false], // but not the non-breaking space JavaScript's \s has
    ['^\\S$', '\xa0', true],
    ['^[\\s]$', '\xa0', false],
    ['^[]a]+$', ']a]', true], // "]" first in a class is a literal in PCRE
    ['^[^]a]$', 'b', true],
    ['^[^]a]$', ']', false],
    ['^(ab|cd){2}$', 'abcd', true],
    ['^(?:ab)+?$', 'abab', true],
    ['^a{2,}$', 'a', false],
    ['^a{2,3}$', 'aaa', true],
    ['^\\x41\\.\\-$', 'A.-', true],
    ['\\bword\\b', 'a word.', true],
    ['\\bword\\b', 'swords', false],
    ['^[a\\-z]+$', '-', true],
    ['^\\d+$', '٣', false],
  ];
  for (const [pattern, subject, expected] of cases) {
    it(`${pattern} on ${JSON.stringify(subject)} is ${expected ? 'a match' : 'no match'}`, () => assert.equal(wafRegex(pattern).test(subject), expected));
  }

  const refused: Array<[string, RegExp]> = [
    ['(a)\\1', /\\1 is not translated/],
    ['a(?=b)', /lookaround/],
    ['a(?<=b)', /lookaround/],
    ['(?i)a', /inline options/],
    ['(?<name>a)', /named/],
    ['(?>a)', /atomic/],
    ['a*+', /possessive/],
    ['a++', /possessive/],
    ['a**', /follows a quantifier/],
    ['*a', /nothing it can repeat/],
    ['^*', /nothing it can repeat/],
    ['a{,3}', /not a quantifier/],
    ['a{3,2}', /reversed/],
    ['\\v', /\\v is not translated/],
    ['\\h', /\\h is not translated/],
    ['\\R', /\\R is not translated/],
    ['\\K', /\\K is not translated/],
    ['\\Qa\\E', /\\Q is not translated/],
    ['\\p{L}', /\\p is not translated/],
    ['[[:alpha:]]', /POSIX/],
    ['[\\S]', /inside a character class/],
    ['[a-\\d]', /range next to/],
    ['[\\w-z]', /range next to/],
    ['é', /printable ASCII/],
    ['(a', /never closed/],
    ['a)', /closes no group/],
    ['[a', /never closed/],
    ['\\x4', /\\xhh/],
    ['', /1 to 512/],
    ['a'.repeat(513), /1 to 512/],
  ];
  for (const [pattern, reason] of refused) {
    it(`refuses ${JSON.stringify(pattern.length > 20 ? `${pattern.slice(0, 10)}…` : pattern)}`, () => assert.throws(() => wafRegex(pattern), reason));
  }
});

describe('compileWebAcl: And, Or, Not', () => {
  const yes = size({ Method: {} }, 'GT', 0);
  const no = size({ Method: {} }, 'EQ', 0);
  const truth: Array<[string, unknown, boolean]> = [
    ['And(yes, yes)', { AndStatement: { Statements: [yes, yes] } }, true],
    ['And(yes, no)', { AndStatement: { Statements: [yes, no] } }, false],
    ['Or(no, yes)', { OrStatement: { Statements: [no, yes] } }, true],
    ['Or(no, no)', { OrStatement: { Statements: [no, no] } }, false],
    ['Not(no)', { NotStatement: { Statement: no } }, true],
    ['Not(yes)', { NotStatement: { Statement: yes } }, false],
    ['And(Or(no, yes), Not(no))', { AndStatement: { Statements: [{ OrStatement: { Statements: [no, yes] } }, { NotStatement: { Statement: no } }] } }, true],
  ];
  for (const [name, statement, expected] of truth) it(`${name} is ${expected}`, () => assert.equal(matches(statement, {}), expected));
});

describe('compileWebAcl: text transformations', () => {
  it('applies them lowest Priority first', () => {
    const lowerThenNone = [{ Priority: 5, Type: 'NONE' }, { Priority: 1, Type: 'LOWERCASE' }];
    assert.ok(matches(bytes(header('x'), 'EXACTLY', 'abc', lowerThenNone), { headers: { x: 'AbC' } }));
  });

  it('LOWERCASE changes only A-Z', () => {
    assert.ok(matches(bytes(header('x'), 'EXACTLY', 'az09-', [{ Priority: 0, Type: 'LOWERCASE' }]), { headers: { x: 'AZ09-' } }));
    // É (0xC9, one byte as Node gives it) stays as it is
    assert.ok(matches(regex(header('x'), '^\\xc9$'), { headers: { x: '\xc9' } }));
    assert.ok(!matches({ RegexMatchStatement: { FieldToMatch: header('x'), RegexString: '^\\xe9$', TextTransformations: [{ Priority: 0, Type: 'LOWERCASE' }] } }, { headers: { x: '\xc9' } }));
  });
});

describe('compileWebAcl refuses what it does not implement, naming the rule', () => {
  const refusals: Array<[string, Record<string, unknown>, RegExp]> = [
    ['a statement type', webAcl([{ Name: 'Xss', Statement: { XssMatchStatement: { FieldToMatch: { Body: {} }, TextTransformations: NONE } } }]), /rule "Xss" Statement: XssMatchStatement is not supported/],
    ['a rate-based statement', webAcl([{ Name: 'Rate', Statement: { RateBasedStatement: { Limit: 100, AggregateKeyType: 'IP' } } }]), /rule "Rate".*RateBasedStatement is not supported/],
    ['a nested unknown statement', webAcl([{ Name: 'Deep', Statement: { NotStatement: { Statement: { LabelMatchStatement: { Scope: 'LABEL', Key: 'a' } } } } }]), /rule "Deep" Statement.NotStatement.Statement: LabelMatchStatement/],
    ['a request component', webAcl([{ Name: 'Cookie', Statement: size({ Cookies: { MatchPattern: { All: {} }, MatchScope: 'ALL', OversizeHandling: 'MATCH' } }, 'GT', 0) }]), /rule "Cookie".*FieldToMatch: Cookies is not supported/],
    ['a text transformation', webAcl([{ Name: 'Decode', Statement: size({ UriPath: {} }, 'GT', 0, [{ Priority: 0, Type: 'URL_DECODE' }]) }]), /rule "Decode".*URL_DECODE is not supported/],
    ['rule labels', webAcl([{ Name: 'Labels', Statement: size({ Method: {} }, 'GT', 0), RuleLabels: [{ Name: 'a' }] }]), /rule "Labels": RuleLabels is not supported/],
    ['a CAPTCHA action', webAcl([{ Name: 'Captcha', Statement: size({ Method: {} }, 'GT', 0), Action: { Captcha: {} } }]), /rule "Captcha" Action: Captcha is not supported/],
    ['custom request handling', webAcl([{ Name: 'Insert', Statement: size({ Method: {} }, 'GT', 0), Action: { Allow: { CustomRequestHandling: { InsertHeaders: [] } } } }]), /rule "Insert" Action.Allow: CustomRequestHandling/],
    ['custom response headers', webAcl([{ Name: 'Headers', Statement: size({ Method: {} }, 'GT', 0), Action: { Block: { CustomResponse: { ResponseCode: 400, ResponseHeaders: [] } } } }]), /ResponseHeaders is not supported/],
    ['an unknown body key', webAcl([{ Name: 'Body', Statement: size({ Method: {} }, 'GT', 0), Action: block(400, 'Missing') }]), /"Missing" is not a key of CustomResponseBodies/],
    ['an unknown operator', webAcl([{ Name: 'Op', Statement: size({ Method: {} }, 'GTE', 0) }]), /rule "Op".*expected one of EQ, NE, LE, LT, GE, GT, got GTE/],
    ['CONTAINS_WORD with a non-word search string', webAcl([{ Name: 'Word', Statement: bytes(header('a'), 'CONTAINS_WORD', 'a b') }]), /rule "Word".*CONTAINS_WORD takes only/],
    ['a one-statement And', webAcl([{ Name: 'And', Statement: { AndStatement: { Statements: [size({ Method: {} }, 'GT', 0)] } } }]), /at least two statements/],
    ['no text transformation', webAcl([{ Name: 'NoTransform', Statement: size({ Method: {} }, 'GT', 0, []) }]), /at least one text transformation/],
    ['an unresolved intrinsic', webAcl([{ Name: 'Ref', Statement: size(header({ Ref: 'HeaderName' } as never), 'GT', 0) }]), /rule "Ref".*SingleHeader.Name: expected a string, got \{"Ref":"HeaderName"\}/],
    ['duplicate priorities', webAcl([], { Rules: [{ Name: 'A', Priority: 1, Statement: size({ Method: {} }, 'GT', 0), Action: block(), VisibilityConfig: {} }, { Name: 'B', Priority: 1, Statement: size({ Method: {} }, 'GT', 0), Action: block(), VisibilityConfig: {} }] }), /Priority 1 is also the priority of/],
    ['an unknown web ACL property', webAcl([], { ChallengeConfig: {} }), /ChallengeConfig is not supported/],
  ];
  for (const [what, properties, message] of refusals) it(what, () => assert.match(refusal(properties), message));
});
