import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import { GATEWAY_PROBLEMS, gatewayProblemBody, type GatewayProblem } from '../gateway-problems';

/** Auth failures answered by the gateway: 401, 403, and 503 when the authorizer cannot decide. */
const AUTH_RESPONSES: ReadonlyArray<[apigateway.ResponseType, GatewayProblem]> = [
  [apigateway.ResponseType.UNAUTHORIZED, GATEWAY_PROBLEMS.unauthorized],
  [apigateway.ResponseType.ACCESS_DENIED, GATEWAY_PROBLEMS.forbidden],
  [apigateway.ResponseType.AUTHORIZER_FAILURE, GATEWAY_PROBLEMS.authUnavailable],
  [apigateway.ResponseType.AUTHORIZER_CONFIGURATION_ERROR, GATEWAY_PROBLEMS.internal],
];

export function addAuthProblemResponses(restApi: apigateway.RestApi): void {
  for (const [type, problem] of AUTH_RESPONSES) addProblemResponse(restApi, type, problem);
}

/** A gateway-made error as the same problem+json the local gateway answers. */
export function addProblemResponse(restApi: apigateway.RestApi, type: apigateway.ResponseType, problem: GatewayProblem): void {
  const headers: Record<string, string> = { 'Content-Type': 'application/problem+json', ...problem.headers };
  restApi.addGatewayResponse(`Problem${type.responseType}`, {
    type,
    statusCode: String(problem.status),
    // gateway response header values are literals in single quotes
    responseHeaders: Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, `'${value}'`])),
    templates: { 'application/json': JSON.stringify(gatewayProblemBody(problem, '$context.requestId')) },
  });
}
