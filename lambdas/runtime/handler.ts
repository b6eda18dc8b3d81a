import type { Context } from 'aws-lambda';
import { createLogger } from '../shared/logger';
import { loadManifest } from '../shared/manifest-loader';
import { schemaValidators } from '../shared/schema-validators';
import { createHandler } from './create-handler';
import type { ProxyEvent, ProxyResult } from './proxy-event';
import type { RequestTrace } from './trace';
import { xraySubsegments } from './xray-subsegments';

// Cold start: the manifest is read and the route's expressions and schemas compiled once.
const route = process.env.APPAPI_ROUTE;
const logger = createLogger({ function: 'handler', fields: { route } });
// traces go to the logs at debug level only: off by default, they cost a line per step
const debug = logger.enabled('debug');
// with X-Ray active tracing, the same trace becomes subsegments of the function's segment
const xray = process.env.APPAPI_TRACING === 'active' ? xraySubsegments() : undefined;
const onTrace = (trace: RequestTrace): void => {
  if (debug) logger.debug('trace', { ...trace });
  xray?.send(trace);
};
// the route's JSON Schemas come compiled in the asset (validators.js): ajv's compiler is not loaded
const validatorOf = schemaValidators(__dirname);
const handle = (() => {
  try {
    return createHandler(loadManifest(), route, undefined, debug || xray ? { logger, onTrace, validatorOf } : { logger, validatorOf });
  } catch (error) {
    // Lambda reports the failed init too, but with the bundle's lines: this line names the TypeScript
    logger.error('cold start failed', { error });
    throw error;
  }
})();

/**
 * The Lambda entry: one structured log line per request, carrying API Gateway's request id (the
 * one in the access log and in every problem+json), so a request can be followed from one to the other.
 */
export async function handler(event: ProxyEvent, context?: Partial<Context>): Promise<ProxyResult> {
  const started = Date.now();
  const result = await handle(event, context);
  const authorizer = event.requestContext?.authorizer;
  logger.info('request', {
    requestId: event.requestContext?.requestId,
    method: event.httpMethod,
    status: result.statusCode,
    latencyMs: Date.now() - started,
    ...(authorizer?.principalId ? { keyId: authorizer.principalId } : {}),
  });
  return result;
}
