import { loadManifest } from '../shared/manifest-loader';
import { createHandler, type InvocationContext } from './create-handler';
import type { ProxyEvent, ProxyResult } from './proxy-event';
import type { RequestTrace } from './trace';
import { xraySubsegments } from './xray-subsegments';

// Cold start: the manifest is read and the route's expressions and schemas compiled once.
const route = process.env.APPAPI_ROUTE;
// traces go to the logs at debug level only: off by default, they cost a line per step
const debug = process.env.APPAPI_LOG_LEVEL === 'debug';
// with X-Ray active tracing, the same trace becomes subsegments of the function's segment
const xray = process.env.APPAPI_TRACING === 'active' ? xraySubsegments() : undefined;
const onTrace = (trace: RequestTrace): void => {
  if (debug) console.debug(JSON.stringify({ level: 'debug', msg: 'trace', ...trace }));
  xray?.send(trace);
};
const handle = createHandler(loadManifest(), route, undefined, debug || xray ? { onTrace } : {});

/**
 * The Lambda entry: one structured log line per request, carrying API Gateway's request id (the
 * one in the access log and in every problem+json), so a request can be followed from one to the other.
 */
export async function handler(event: ProxyEvent, context?: InvocationContext): Promise<ProxyResult> {
  const started = Date.now();
  const result = await handle(event, context);
  const authorizer = event.requestContext?.authorizer;
  console.info(
    JSON.stringify({
      level: 'info',
      msg: 'request',
      requestId: event.requestContext?.requestId,
      route,
      method: event.httpMethod,
      status: result.statusCode,
      latencyMs: Date.now() - started,
      ...(authorizer?.principalId ? { keyId: authorizer.principalId } : {}),
    }),
  );
  return result;
}
