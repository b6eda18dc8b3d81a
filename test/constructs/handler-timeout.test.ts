// Shares a process: cdk-stacks (it only builds and synthesizes CDK apps; see scripts/run-tests.ts)
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Duration } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { ApiApp, ApiAuth, AppApi, op, type AppDeclaration } from '../../lib';
import { environmentStack } from '../support/cdk';

function callingApp(timeout: Duration): AppDeclaration {
  return (environment) => {
    const app = new ApiApp(environment, 'Calls', { httpHosts: ['partner.example.com'] });
    new AppApi(app, 'CallPartner', {
      method: 'GET',
      path: '/partner',
      auth: ApiAuth.public(),
      chain: [op.http({ url: 'https://partner.example.com/status', timeout, as: 'partner' }), op.respond({ body: '{% $partner.status %}' })],
    });
  };
}

function handlerTimeouts(stack: ReturnType<typeof environmentStack>): number[] {
  return stack.routeStacks.flatMap((routeStack) =>
    Object.values(Template.fromStack(routeStack).findResources('AWS::Lambda::Function')).map((fn) => (fn as { Properties: { Timeout: number } }).Properties.Timeout),
  );
}

describe('handler timeouts', () => {
  it('an http timeout that is not whole seconds synthesizes, the Lambda timeout rounded up to whole seconds', () => {
    const stack = environmentStack([callingApp(Duration.millis(1500))]);
    // 10 s for DynamoDB plus 1.5 s for the call: Lambda gets 12 s, the runtime's own deadline stays 11.5 s
    assert.deepEqual(handlerTimeouts(stack), [12]);
  });

  it('long http timeouts are capped at API Gateway\'s 29 s', () => {
    const stack = environmentStack([callingApp(Duration.millis(25_250))]);
    assert.deepEqual(handlerTimeouts(stack), [29]);
  });

  it('an explicit handlerTimeout that Lambda cannot take is refused with the fix', () => {
    assert.throws(() => environmentStack([callingApp(Duration.seconds(1))], { handlerTimeout: Duration.millis(2500) }), /handlerTimeout of 2500 ms must be whole seconds.*Duration\.seconds\(3\)/);
    assert.throws(() => environmentStack([callingApp(Duration.seconds(1))], { handlerTimeout: Duration.seconds(30) }), /between 1 and 29/);
    assert.deepEqual(handlerTimeouts(environmentStack([callingApp(Duration.seconds(1))], { handlerTimeout: Duration.seconds(20) })), [20]);
  });
});
