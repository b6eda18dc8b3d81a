import type { APIGatewayProxyEvent } from 'aws-lambda';
import { createLogger } from '../shared/logger';
import { loadManifest } from '../shared/manifest-loader';
import { fallbackAnswer, pathMethods, type FallbackAnswer } from './fallback-answer';

/** The parts of API Gateway's REST proxy event (@types/aws-lambda) this function reads. */
type FallbackEvent = Partial<Pick<APIGatewayProxyEvent, 'resource' | 'httpMethod' | 'headers'>> & {
  readonly requestContext?: Partial<Pick<APIGatewayProxyEvent['requestContext'], 'requestId'>>;
};

// Cold start: the environment's paths and their methods, once.
const paths = pathMethods(loadManifest());
const logger = createLogger({ function: 'fallback' });

/**
 * Answers every method no App API declares (405, CORS preflights, 404 on the root). A Lambda proxy
 * integration takes every Content-Type; a MOCK integration answers 500 to a content type it has
 * no request template for, so a `text/plain` DELETE would not get its 405.
 * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/integration-passthrough-behaviors.html
 */
export async function handler(event: FallbackEvent): Promise<FallbackAnswer> {
  const origin = Object.entries(event.headers ?? {}).find(([name]) => name.toLowerCase() === 'origin')?.[1];
  const request = { resource: event.resource ?? '/', method: event.httpMethod ?? 'GET', origin, requestId: event.requestContext?.requestId ?? 'unknown' };
  const answer = fallbackAnswer(paths, request);
  logger.info('fallback answer', { requestId: request.requestId, resource: request.resource, method: request.method, status: answer.statusCode });
  return answer;
}
