import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import { problemType } from '../../lambdas/shared/problem';

interface ProblemResponse {
  readonly type: apigateway.ResponseType;
  readonly status: number;
  readonly code: string;
  readonly title: string;
  readonly detail: string;
  readonly headers?: Record<string, string>;
}

/** The errors API Gateway itself answers for auth: the same problem+json shape as the handlers'. */
const AUTH_PROBLEMS: readonly ProblemResponse[] = [
  {
    type: apigateway.ResponseType.UNAUTHORIZED,
    status: 401,
    code: 'unauthorized',
    title: 'Unauthorized',
    detail: 'A valid API token of this environment is required: send "Authorization: Bearer <token>".',
    headers: { 'WWW-Authenticate': 'Bearer' },
  },
  { type: apigateway.ResponseType.ACCESS_DENIED, status: 403, code: 'forbidden', title: 'Forbidden', detail: 'This API key may not call this route.' },
  {
    type: apigateway.ResponseType.AUTHORIZER_FAILURE,
    status: 503,
    code: 'auth_unavailable',
    title: 'Service Unavailable',
    detail: 'The request could not be authorized right now. Retry shortly.',
    headers: { 'Retry-After': '1' },
  },
  {
    type: apigateway.ResponseType.AUTHORIZER_CONFIGURATION_ERROR,
    status: 500,
    code: 'internal_error',
    title: 'Internal Server Error',
    detail: 'The request could not be completed. Quote the requestId when reporting this.',
  },
];

/** Auth failures answered by the gateway: 401, 403, and 503 when the authorizer cannot decide. */
export function addAuthProblemResponses(restApi: apigateway.RestApi): void {
  for (const problem of AUTH_PROBLEMS) addProblemResponse(restApi, problem);
}

export function addProblemResponse(restApi: apigateway.RestApi, problem: ProblemResponse): void {
  const body = {
    type: problemType(problem.code),
    title: problem.title,
    status: problem.status,
    detail: problem.detail,
    code: problem.code,
    requestId: '$context.requestId',
  };
  const headers: Record<string, string> = { 'Content-Type': 'application/problem+json', ...problem.headers };
  restApi.addGatewayResponse(`Problem${problem.type.responseType}`, {
    type: problem.type,
    statusCode: String(problem.status),
    // gateway response header values are literals in single quotes
    responseHeaders: Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, `'${value}'`])),
    templates: { 'application/json': JSON.stringify(body) },
  });
}
