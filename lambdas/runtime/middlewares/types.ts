import type { MiddlewareObj } from '@middy/core';
import type { Context } from 'aws-lambda';
import type { ProxyEvent, ProxyResult } from '../proxy-event';
import type { TraceRecorder } from '../trace';

/** The Lambda context, plus what the pipeline's middlewares hand to the handler. */
export interface RuntimeContext extends Context {
  /** Set by the requestTrace middleware when traces are recorded. */
  trace?: TraceRecorder;
}

/** A middleware of the handler pipeline. */
export type RuntimeMiddleware = MiddlewareObj<ProxyEvent, ProxyResult, Error, RuntimeContext>;
