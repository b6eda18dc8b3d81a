import * as apigateway from 'aws-cdk-lib/aws-apigateway';

/**
 * An ANY method for a resource that has methods, integrated with the environment's fallback
 * function (405 with `Allow`): API Gateway picks a declared method before ANY, so only undeclared
 * methods reach it (instead of REST APIs' 403).
 */
export function addMethodNotAllowed(resource: apigateway.IResource, fallback: apigateway.Integration): apigateway.Method {
  return resource.addMethod('ANY', fallback, { authorizationType: apigateway.AuthorizationType.NONE });
}
