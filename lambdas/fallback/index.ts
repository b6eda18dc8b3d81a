import { loadManifest } from '../shared/manifest-loader';
import { fallbackAnswer, pathMethods, type FallbackAnswer } from './fallback-answer';

/** The subset of API Gateway's REST proxy event this function reads. */
interface FallbackEvent {
  readonly resource?: string;
  readonly httpMethod?: string;
  readonly headers?: Record<string, string | undefined> | null;
  readonly requestContext?: { readonly requestId?: string };
}

// Cold start: the environment's paths and their methods, once.
const paths = pathMethods(loadManifest());

/**
 * Answers every method no App API declares (405, CORS preflights, 404 on the root). A Lambda proxy
 * integration takes every Content-Type; a MOCK integration answers 500 to a content type it has
 * no request template for, so a `text/plain` DELETE would not get its 405.
 * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/integration-passthrough-behaviors.html
 */
export async function handler(event: FallbackEvent): Promise<FallbackAnswer> {
  const origin = Object.entries(event.headers ?? {}).find(([name]) => name.toLowerCase() === 'origin')?.[1];
  return fallbackAnswer(paths, {
    resource: event.resource ?? '/',
    method: event.httpMethod ?? 'GET',
    origin,
    requestId: event.requestContext?.requestId ?? 'unknown',
  });
}
