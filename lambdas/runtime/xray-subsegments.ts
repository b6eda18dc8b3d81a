import { randomBytes } from 'node:crypto';
import type { Socket } from 'node:dgram';
import type { RequestTrace } from './trace';

/**
 * X-Ray subsegments for a request's DynamoDB and http calls, sent to the X-Ray daemon the Lambda
 * environment runs, under the function's segment. It reuses the request trace the runtime already
 * records, so no X-Ray SDK is bundled or loaded: tracing off, none of this runs.
 *
 * Documents are independent subsegments (UDP, a JSON header line then the document).
 * @see https://docs.aws.amazon.com/xray/latest/devguide/xray-api-sendingdata.html#xray-api-daemon
 * @see https://docs.aws.amazon.com/xray/latest/devguide/xray-api-segmentdocuments.html
 */
export interface XraySubsegments {
  /** Sends the subsegments of one request; `endSeconds` is when it ended (epoch seconds). */
  send(trace: RequestTrace, endSeconds?: number): void;
}

const HEADER = '{"format":"json","version":1}\n';
const THROTTLES = new Set(['ProvisionedThroughputExceededException', 'ThrottlingException', 'RequestLimitExceeded']);

/**
 * `_X_AMZN_TRACE_ID` (set by Lambda per invocation): `Root=1-…;Parent=…;Sampled=1`.
 * @see https://docs.aws.amazon.com/xray/latest/devguide/xray-concepts.html#xray-concepts-tracingheader
 */
export function parseTraceHeader(header: string | undefined): { root: string; parent: string; sampled: boolean } | undefined {
  if (!header) return undefined;
  const fields = Object.fromEntries(header.split(';').map((part) => part.trim().split('=') as [string, string]));
  if (!fields.Root || !fields.Parent) return undefined;
  return { root: fields.Root, parent: fields.Parent, sampled: fields.Sampled === '1' };
}

/** `169.254.79.129:2000`, or `tcp:… udp:…` with both: where UDP documents go. */
function daemonAddress(value: string | undefined): { host: string; port: number } {
  const udp = (value ?? '127.0.0.1:2000').split(/\s+/).map((part) => part.replace(/^udp:/, '')).find((part) => !part.startsWith('tcp:')) ?? '127.0.0.1:2000';
  const separator = udp.lastIndexOf(':');
  return { host: udp.slice(0, separator), port: Number(udp.slice(separator + 1)) };
}

// node:dgram is required here, not at load: a cold start without active tracing never needs it
export function xraySubsegments(env: NodeJS.ProcessEnv = process.env, socket: Socket = (require('node:dgram') as typeof import('node:dgram')).createSocket('udp4')): XraySubsegments {
  // never keeps a Lambda (or a test) alive
  socket.unref();
  const daemon = daemonAddress(env.AWS_XRAY_DAEMON_ADDRESS);
  return {
    send(trace, endSeconds = Date.now() / 1000) {
      const header = parseTraceHeader(env._X_AMZN_TRACE_ID);
      if (!header?.sampled) return;
      const started = endSeconds - trace.ms / 1000;
      const base = (name: string, startMs: number, ms: number) => ({
        name,
        id: randomBytes(8).toString('hex'),
        trace_id: header.root,
        parent_id: header.parent,
        type: 'subsegment',
        start_time: started + startMs / 1000,
        end_time: started + (startMs + ms) / 1000,
      });
      const documents: object[] = [];
      for (const call of trace.dynamo) {
        documents.push({
          ...base('DynamoDB', call.startMs, call.ms),
          namespace: 'aws',
          aws: { operation: call.command, table_name: call.tables.join(','), ...(call.consumedCapacity !== undefined ? { consumed_capacity: call.consumedCapacity } : {}) },
          ...(call.error ? (THROTTLES.has(call.error) ? { error: true, throttle: true } : { fault: true }) : {}),
        });
      }
      for (const step of trace.steps) {
        if (step.op !== 'http') continue;
        documents.push({
          ...base(`http ${step.step}`, step.startMs, step.ms),
          namespace: 'remote',
          metadata: { appapi: { route: trace.route, step: step.step } },
          ...(step.error ? { fault: true } : {}),
        });
      }
      for (const document of documents) socket.send(HEADER + JSON.stringify(document), daemon.port, daemon.host);
    },
  };
}
