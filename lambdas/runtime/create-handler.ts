import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { EnvironmentManifest } from '../shared/manifest';
import { createDocumentClient } from './dynamodb';
import { findRoute } from '../shared/manifest-loader';
import { problemResponse } from '../shared/problem';
import { HttpProblem } from './problem-error';
import type { ProxyEvent, ProxyResult } from './proxy-event';
import { requestBindings } from './request-bindings';
import { prepareRoute } from './prepare-route';
import { runRequest } from './run-request';

export type Handler = (event: ProxyEvent) => Promise<ProxyResult>;

/**
 * The handler of one route: everything derivable from the manifest is prepared here, once, so a
 * request only evaluates. Used by the Lambda entry point and by the local gateway alike.
 */
export function createHandler(manifest: EnvironmentManifest, routeId: string | undefined, dynamo: DynamoDBDocumentClient = createDocumentClient()): Handler {
  const route = findRoute(manifest, routeId);
  const prepared = prepareRoute(manifest, route, dynamo);
  const settings = manifest.apps[route.app]?.settings ?? {};
  return async (event) => {
    const requestId = event.requestContext?.requestId ?? 'unknown';
    try {
      return await runRequest(prepared, event, requestBindings(event, route, settings, manifest.env));
    } catch (error) {
      if (error instanceof HttpProblem) {
        if (error.status >= 500) log('error', requestId, route.id, error.code, error.detail);
        return problemResponse(error.toProblem(requestId), error.headers);
      }
      log('error', requestId, route.id, 'unhandled', error instanceof Error ? `${error.name}: ${error.message}` : String(error));
      return problemResponse(new HttpProblem(500, 'internal_error', 'Internal Server Error', '').toProblem(requestId));
    }
  };
}

function log(level: string, requestId: string, route: string, code: string, detail: string): void {
  console.error(JSON.stringify({ level, requestId, route, code, detail }));
}
