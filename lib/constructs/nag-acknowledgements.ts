import { Stack, Token, Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import type { AccountSetupStack } from './account-setup-stack';
import type { AppApiStack } from './app-api-stack';

const acknowledge = (scope: IConstruct, id: string, reason: string): void => Validations.of(scope).acknowledge({ id: `AwsSolutions::${id}`, reason });

/**
 * Every cdk-nag (AwsSolutions pack) finding an environment accepts, each with its reason. This file
 * is the one place acknowledgements live: any other finding fails `cdk synth` and the tests.
 */
export function acknowledgeEnvironmentFindings(stack: AppApiStack): void {
  acknowledge(stack, 'AwsSolutions-L1', 'Handlers and the authorizer run on nodejs22.x, the runtime the project targets and tests; moving to a newer runtime is a deliberate upgrade.');
  acknowledge(
    stack,
    'AwsSolutions-COG4',
    'Callers are external systems holding API tokens issued per environment (JWTs), verified by the environment\'s Lambda authorizer; there are no Cognito users.',
  );
  acknowledge(
    stack.signingKeySecret,
    'AwsSolutions-SMG4',
    'Rotating the signing key invalidates every API token of the environment, so rotation is an operator action described in the README, not a schedule.',
  );
  acknowledge(
    stack.restApi.root,
    'AwsSolutions-APIG4',
    'The root\'s ANY method answers 404 problem+json for undeclared methods on "/" from the fallback function, which reads nothing.',
  );
  for (const { role, logGroupNames } of stack.handlerRoles.roles) {
    // cdk-nag names the finding by the ARN as resolved: literals where the stack's environment is known
    const roleStack = Stack.of(role);
    const known = (value: string, pseudo: string): string => (Token.isUnresolved(value) ? `<${pseudo}>` : value);
    const arnPrefix = `arn:${known(roleStack.partition, 'AWS::Partition')}:logs:${known(roleStack.region, 'AWS::Region')}:${known(roleStack.account, 'AWS::AccountId')}`;
    for (const name of logGroupNames) {
      acknowledge(role, `AwsSolutions-IAM5[Resource::${arnPrefix}:log-group:${name}:*]`, `Log streams (named by Lambda) of ${name}, the log group of a handler using this role.`);
    }
  }
  if (stack.handlerRoles.tracing) {
    const xray = 'X-Ray\'s write actions (xray:PutTraceSegments, xray:PutTelemetryRecords) take no resource but "*"; this is what active tracing needs (https://docs.aws.amazon.com/xray/latest/devguide/security_iam_id-based-policy-examples.html).';
    for (const { role } of stack.handlerRoles.roles) acknowledge(role, 'AwsSolutions-IAM5[Resource::*]', xray);
    acknowledge(stack.authorizer.function.role!, 'AwsSolutions-IAM5[Resource::*]', xray);
  }
  for (const routeStack of stack.routeStacks) {
    for (const fallback of routeStack.methodNotAllowed) {
      acknowledge(fallback, 'AwsSolutions-APIG4', `The ANY method of ${fallback.resource.path} answers 405 with Allow for undeclared methods from the fallback function, which reads nothing.`);
    }
    for (const preflight of routeStack.preflights) {
      acknowledge(preflight, 'AwsSolutions-APIG4', `The OPTIONS method of ${preflight.resource.path} answers CORS preflights from the fallback function; browsers send no credentials with them.`);
    }
    for (const route of routeStack.group.routes) {
      if (route.auth.type !== 'public') continue;
      acknowledge(routeStack.methods.get(route.id)!, 'AwsSolutions-APIG4', `App API "${route.id}" (${route.method} ${route.path}) is declared public with ApiAuth.public().`);
    }
  }
}

/** The findings the account-setup stack accepts, each with its reason. */
export function acknowledgeAccountFindings(stack: AccountSetupStack): void {
  acknowledge(
    stack.cloudWatchRole,
    'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
    'API Gateway\'s account-level CloudWatch role needs AWS\'s managed push-to-logs policy; it is what API Gateway documents for access and execution logs.',
  );
}
