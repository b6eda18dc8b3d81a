import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import { problemType } from '../../lambdas/shared/problem';
import { GATEWAY_PROBLEMS, gatewayProblemBody, type GatewayProblem } from '../gateway-problems';

/** Every error API Gateway itself answers, as the same problem+json the handlers and the local gateway answer. */
const RESPONSES: ReadonlyArray<[apigateway.ResponseType, GatewayProblem]> = [
  [apigateway.ResponseType.UNAUTHORIZED, GATEWAY_PROBLEMS.unauthorized],
  [apigateway.ResponseType.ACCESS_DENIED, GATEWAY_PROBLEMS.forbidden],
  [apigateway.ResponseType.AUTHORIZER_FAILURE, GATEWAY_PROBLEMS.authUnavailable],
  [apigateway.ResponseType.AUTHORIZER_CONFIGURATION_ERROR, GATEWAY_PROBLEMS.internal],
  // a REST API answers an unknown path (or method) "Missing Authentication Token": it is a 404
  [apigateway.ResponseType.MISSING_AUTHENTICATION_TOKEN, GATEWAY_PROBLEMS.notFound],
  [apigateway.ResponseType.RESOURCE_NOT_FOUND, GATEWAY_PROBLEMS.notFound],
  [apigateway.ResponseType.THROTTLED, GATEWAY_PROBLEMS.throttled],
  [apigateway.ResponseType.QUOTA_EXCEEDED, GATEWAY_PROBLEMS.throttled],
  [apigateway.ResponseType.REQUEST_TOO_LARGE, GATEWAY_PROBLEMS.payloadTooLarge],
  [apigateway.ResponseType.BAD_REQUEST_BODY, GATEWAY_PROBLEMS.requestValidation],
  [apigateway.ResponseType.BAD_REQUEST_PARAMETERS, GATEWAY_PROBLEMS.requestValidation],
  [apigateway.ResponseType.UNSUPPORTED_MEDIA_TYPE, GATEWAY_PROBLEMS.contentEncodingUnsupported],
  [apigateway.ResponseType.WAF_FILTERED, GATEWAY_PROBLEMS.forbidden],
  [apigateway.ResponseType.INTEGRATION_TIMEOUT, GATEWAY_PROBLEMS.integrationTimeout],
  [apigateway.ResponseType.INTEGRATION_FAILURE, GATEWAY_PROBLEMS.integrationFailure],
];

export function addGatewayProblemResponses(restApi: apigateway.RestApi): void {
  for (const [type, problem] of RESPONSES) addProblemResponse(restApi, type, problem);
  // anything else keeps its status; 4xx say what API Gateway said (quoted for JSON), 5xx nothing
  addResponse(restApi, apigateway.ResponseType.DEFAULT_4XX, undefined, {}, `{"type":"${problemType('bad_request')}","title":"Bad Request","detail":$context.error.messageString,"code":"bad_request","requestId":"$context.requestId"}`);
  addResponse(restApi, apigateway.ResponseType.DEFAULT_5XX, undefined, {}, JSON.stringify({ ...gatewayProblemBody(GATEWAY_PROBLEMS.internal, '$context.requestId'), status: undefined }));
}

/** A gateway-made error as the same problem+json the local gateway answers. */
export function addProblemResponse(restApi: apigateway.RestApi, type: apigateway.ResponseType, problem: GatewayProblem): void {
  addResponse(restApi, type, problem.status, problem.headers ?? {}, JSON.stringify(gatewayProblemBody(problem, '$context.requestId')));
}

function addResponse(restApi: apigateway.RestApi, type: apigateway.ResponseType, status: number | undefined, headers: Readonly<Record<string, string>>, template: string): void {
  const all: Record<string, string> = { 'Content-Type': 'application/problem+json', ...headers };
  restApi.addGatewayResponse(`Problem${type.responseType}`, {
    type,
    ...(status === undefined ? {} : { statusCode: String(status) }),
    // gateway response header values are literals in single quotes
    responseHeaders: Object.fromEntries(Object.entries(all).map(([name, value]) => [name, `'${value}'`])),
    templates: { 'application/json': template },
  });
}
