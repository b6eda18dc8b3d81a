import type { HandlerOptions } from '../../../lambdas/runtime/create-handler';
import type { RequestTrace } from '../../../lambdas/runtime/trace';
import { createLogger, type LogEntry, type LogLevel } from '../../../lambdas/shared/logger';
import type { FunctionConfiguration } from './lambda-functions';

const LEVELS: ReadonlySet<string> = new Set(['debug', 'info', 'warn', 'error']);

/**
 * A handler's options as its function's environment in the template makes the Lambda entry
 * (lambdas/runtime/handler.ts) choose them: APPAPI_LOG_LEVEL sets the logger's level, and at
 * `debug` every request's trace is a log line too. The lines go to the gateway's log when given.
 */
export function functionHandlerOptions(config: FunctionConfiguration, gateway: { readonly onTrace?: (trace: RequestTrace) => void; readonly recordTrace?: () => boolean; readonly log?: (entry: Record<string, unknown>) => void }): HandlerOptions {
  const configured = config.environment.APPAPI_LOG_LEVEL;
  const level = configured !== undefined && LEVELS.has(configured) ? (configured as LogLevel) : undefined;
  const traced = gateway.onTrace ? { onTrace: gateway.onTrace, ...(gateway.recordTrace ? { recordTrace: gateway.recordTrace } : {}) } : {};
  if (!level && !gateway.log) return traced;
  const logger = createLogger({ function: 'handler', ...(level ? { level } : {}), ...(gateway.log ? { sink: gateway.log as (entry: LogEntry) => void } : {}) });
  if (!logger.enabled('debug')) return { logger, ...traced };
  // at debug every request's trace is logged, so every request records one, watched or not
  return {
    logger,
    onTrace: (trace) => {
      logger.debug('trace', { ...trace });
      gateway.onTrace?.(trace);
    },
  };
}
