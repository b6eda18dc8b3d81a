import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import { GATEWAY_PROBLEMS, gatewayProblemBody } from '../gateway-problems';

/**
 * An ANY method answering 405 with `Allow`, for a resource that has methods: API Gateway picks a
 * declared method before ANY, so only undeclared methods reach it (instead of REST APIs' 403).
 */
export function addMethodNotAllowed(resource: apigateway.IResource, allow: readonly string[]): apigateway.Method {
  return resource.addMethod(
    'ANY',
    new apigateway.MockIntegration({
      passthroughBehavior: apigateway.PassthroughBehavior.WHEN_NO_MATCH,
      requestTemplates: { 'application/json': '{"statusCode": 405}' },
      integrationResponses: [
        {
          statusCode: '405',
          responseTemplates: { 'application/json': JSON.stringify(gatewayProblemBody(GATEWAY_PROBLEMS.methodNotAllowed, '$context.requestId')) },
          responseParameters: {
            'method.response.header.Content-Type': "'application/problem+json'",
            'method.response.header.Allow': `'${[...allow].sort().join(', ')}'`,
          },
        },
      ],
    }),
    {
      authorizationType: apigateway.AuthorizationType.NONE,
      methodResponses: [{ statusCode: '405', responseParameters: { 'method.response.header.Content-Type': true, 'method.response.header.Allow': true } }],
    },
  );
}
