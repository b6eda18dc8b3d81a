// Shares a process: cdk-stacks (it only builds and synthesizes CDK apps; see scripts/run-tests.ts)
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Template } from 'aws-cdk-lib/assertions';
import { GATEWAY_PROBLEMS, gatewayProblemBody, type GatewayProblem } from '../../lib/gateway-problems';
import { compileWebAcl, type WafRequest, type WebAclEvaluator } from '../../lib/local/cloud/waf';
import { environmentStack } from '../support/cdk';

/** The payload-limit web ACL exactly as the synthesized template declares it. */
function synthesizedWebAclProperties(): unknown {
  const resources = Template.fromStack(environmentStack([])).toJSON().Resources as Record<string, { Type: string; Properties: unknown }>;
  const acls = Object.values(resources).filter((resource) => resource.Type === 'AWS::WAFv2::WebACL');
  assert.equal(acls.length, 1, 'the environment stack declares one web ACL');
  return acls[0]!.Properties;
}

const request = (method: string, headers: Record<string, string> = {}): WafRequest => ({ method, headers, uriPath: '/health' });

type Expected = 'allowed' | GatewayProblem;

const cases: Array<[string, WafRequest, Expected]> = [
  ['GET without body headers', request('GET'), 'allowed'],
  ['DELETE without body headers', request('DELETE'), 'allowed'],
  ['POST of 100 bytes', request('POST', { 'content-length': '100' }), 'allowed'],
  ['POST of 0 bytes', request('POST', { 'content-length': '0' }), 'allowed'],
  ['POST of exactly 5,242,880 bytes', request('POST', { 'content-length': '5242880' }), 'allowed'],
  ['POST of 5,242,881 bytes', request('POST', { 'content-length': '5242881' }), GATEWAY_PROBLEMS.payloadTooLarge],
  ['GET declaring 5,242,881 bytes', request('GET', { 'content-length': '5242881' }), GATEWAY_PROBLEMS.payloadTooLarge],
  ['Content-Length 005242880 (leading zeros, at the limit)', request('PUT', { 'content-length': '005242880' }), 'allowed'],
  ['Content-Length 0005242881 (leading zeros, over the limit)', request('PUT', { 'content-length': '0005242881' }), GATEWAY_PROBLEMS.payloadTooLarge],
  ['Content-Length of twenty digits', request('POST', { 'content-length': '99999999999999999999' }), GATEWAY_PROBLEMS.payloadTooLarge],
  ['chunked POST', request('POST', { 'transfer-encoding': 'chunked' }), GATEWAY_PROBLEMS.lengthRequired],
  ['chunked DELETE', request('DELETE', { 'transfer-encoding': 'chunked' }), GATEWAY_PROBLEMS.lengthRequired],
  ['POST without Content-Length', request('POST'), GATEWAY_PROBLEMS.lengthRequired],
  ['PUT without Content-Length', request('PUT'), GATEWAY_PROBLEMS.lengthRequired],
  ['PATCH without Content-Length', request('PATCH'), GATEWAY_PROBLEMS.lengthRequired],
  ['POST with an empty Content-Length', request('POST', { 'content-length': '' }), GATEWAY_PROBLEMS.lengthRequired],
  ['POST with Content-Encoding gzip', request('POST', { 'content-length': '100', 'content-encoding': 'gzip' }), GATEWAY_PROBLEMS.contentEncodingUnsupported],
  ['Content-Length 12abc', request('POST', { 'content-length': '12abc' }), GATEWAY_PROBLEMS.badRequest],
  ['Content-Length 1e6', request('POST', { 'content-length': '1e6' }), GATEWAY_PROBLEMS.badRequest],
  ['Content-Length -1', request('POST', { 'content-length': '-1' }), GATEWAY_PROBLEMS.badRequest],
  ['Content-Length 5242881x (over the limit and not a number)', request('POST', { 'content-length': '5242881x' }), GATEWAY_PROBLEMS.badRequest],
];

function assertAnswer(acl: WebAclEvaluator, sample: WafRequest, expected: Expected): void {
  const decision = acl(sample);
  if (expected === 'allowed') {
    assert.equal(decision.action, 'allow', `blocked by ${decision.terminatingRule}`);
    return;
  }
  assert.equal(decision.action, 'block', 'allowed');
  if (decision.action !== 'block') return;
  assert.equal(decision.response.status, expected.status, `answered by ${decision.terminatingRule}`);
  assert.equal(decision.response.contentType, 'application/json');
  // WAF sends a fixed body, so its request id points at the response header instead
  assert.deepEqual(JSON.parse(decision.response.body ?? 'null'), gatewayProblemBody(expected, 'see x-amzn-RequestId'));
}

/** Every RegexString anywhere under the web ACL's properties. */
function regexStrings(value: unknown): string[] {
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([key, child]) => (key === 'RegexString' && typeof child === 'string' ? [child] : regexStrings(child)));
}

describe('the payload-limit web ACL of the synthesized template', () => {
  const properties = synthesizedWebAclProperties();

  it('groups without capturing: AWS lists capturing subexpressions among the PCRE constructs WAF refuses', () => {
    // https://docs.aws.amazon.com/waf/latest/developerguide/waf-regex-pattern-support.html
    const patterns = regexStrings(properties);
    assert.equal(patterns.length, 2);
    for (const pattern of patterns) assert.doesNotMatch(pattern, /(^|[^\\])\((?!\?:)/, pattern);
  });

  // AWS documents that a statement on a component the request lacks does not match; the rules must
  // give the same answers if WAF instead inspected an absent header as an empty one (size 0).
  for (const absentComponent of ['no-match', 'empty'] as const) {
    describe(`with an absent header evaluated as ${absentComponent === 'no-match' ? 'not matching (as documented)' : 'an empty component'}`, () => {
      const acl = compileWebAcl(properties, { absentComponent });
      for (const [name, sample, expected] of cases) {
        it(`${name}: ${expected === 'allowed' ? 'allowed' : expected.status}`, () => assertAnswer(acl, sample, expected));
      }
    });
  }

  it('metric names carry the resource prefix, so two stacks of one environment name never share AWS/WAFV2 metrics', () => {
    const metricNames = (stack: ReturnType<typeof environmentStack>) => {
      const acl = Object.values(Template.fromStack(stack).findResources('AWS::WAFv2::WebACL'))[0]!.Properties as { VisibilityConfig: { MetricName: string }; Rules: Array<{ VisibilityConfig: { MetricName: string } }> };
      return [acl.VisibilityConfig.MetricName, ...acl.Rules.map((rule) => rule.VisibilityConfig.MetricName)];
    };
    const shop = metricNames(environmentStack([], { resourcePrefix: 'shop' }));
    assert.equal(shop[0], 'shop-dev-acl');
    assert.equal(shop.length, 6);
    for (const name of shop) assert.match(name, /^shop-dev-/);
    // the default prefix keeps the names deployed stacks already have
    assert.equal(metricNames(environmentStack([]))[0], 'appapi-dev-acl');
  });
});
