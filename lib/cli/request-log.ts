import type { RouteManifest } from '../../lambdas/shared/manifest';

/** One request as the logs tell it: the stage's access log line and the handler's lines, joined by request id. */
export interface RequestRecord {
  readonly requestId: string;
  /** Epoch milliseconds of the earliest line seen. */
  time: number;
  access?: Record<string, unknown>;
  /** The handler's `request` line (status, latency, key). */
  handler?: Record<string, unknown>;
  /** The handler's `trace` line, written at APPAPI_LOG_LEVEL=debug only. */
  trace?: TraceLine;
  /** The handler's error lines (5xx reasons, unhandled errors). */
  errors: Array<Record<string, unknown>>;
}

interface TraceLine {
  readonly ms?: number;
  readonly attempts?: number;
  readonly steps?: ReadonlyArray<{ step?: string; op?: string; as?: string; ms?: number; output?: string; error?: string }>;
  readonly dynamo?: ReadonlyArray<{ command?: string; tables?: readonly string[]; ms?: number; consumedCapacity?: number; error?: string }>;
}

/**
 * The JSON object of a log line, or undefined. Lambda's Node.js runtime prefixes what the
 * function logs with time, request id and level, tab-separated; the access log is bare JSON.
 */
export function parseLogLine(message: string): Record<string, unknown> | undefined {
  const start = message.indexOf('{');
  if (start < 0) return undefined;
  try {
    const value = JSON.parse(message.slice(start)) as unknown;
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** Joins log lines into requests, by request id; lines without one (START, REPORT, …) are left out. */
export class RequestJoin {
  private readonly byId = new Map<string, RequestRecord>();

  /** Adds one line; answers the request it belongs to, or undefined for a line of no request. */
  add(source: 'access' | 'handler', message: string, timestamp: number): RequestRecord | undefined {
    const line = parseLogLine(message);
    const requestId = typeof line?.requestId === 'string' ? line.requestId : undefined;
    if (!line || !requestId) return undefined;
    let record = this.byId.get(requestId);
    if (!record) {
      record = { requestId, time: timestamp, errors: [] };
      this.byId.set(requestId, record);
    }
    record.time = Math.min(record.time, timestamp);
    if (source === 'access') record.access = line;
    // the Lambdas' logger writes `message`; lines of earlier versions wrote `msg`
    else if ((line.message ?? line.msg) === 'trace') record.trace = line as TraceLine;
    else if ((line.message ?? line.msg) === 'request') record.handler = line;
    else if (line.level === 'error' || line.level === 'warn') record.errors.push(line);
    return record;
  }

  get(requestId: string): RequestRecord | undefined {
    return this.byId.get(requestId);
  }

  forget(requestId: string): void {
    this.byId.delete(requestId);
  }

  get size(): number {
    return this.byId.size;
  }

  /** Every request, oldest first. */
  records(): RequestRecord[] {
    return [...this.byId.values()].sort((a, b) => a.time - b.time || a.requestId.localeCompare(b.requestId));
  }
}

const text = (value: unknown): string | undefined => (value === undefined || value === null || value === '' || value === '-' ? undefined : String(value));
const ms = (value: unknown): string => (typeof value === 'number' ? `${Number.isInteger(value) ? value : value.toFixed(1)} ms` : `${value} ms`);

/**
 * One request as lines for a terminal: a summary line (time, method, route, status, latency, App
 * API, key, request id), its handler's errors, and its chain trace when there is one.
 */
export function formatRequest(record: RequestRecord, routes: readonly RouteManifest[]): string[] {
  const access = record.access ?? {};
  const handler = record.handler ?? {};
  const method = text(access.method) ?? text(handler.method) ?? '?';
  const routeId = text(handler.route) ?? routes.find((route) => route.method === access.method && route.path === access.route)?.id;
  const path = text(access.route) ?? routes.find((route) => route.id === routeId)?.path ?? '?';
  const status = text(access.status) ?? text(handler.status) ?? '?';
  const latency = text(access.latencyMs) ?? text(handler.latencyMs);
  const keyId = text(access.keyId) ?? text(handler.keyId);
  const parts = [new Date(record.time).toISOString(), method, path, status, latency === undefined ? '' : ms(Number(latency)), routeId ?? '', keyId ? `key=${keyId}` : '', `request=${record.requestId}`];
  const lines = [parts.filter(Boolean).join('  ')];
  const gatewayError = text(access.error);
  // the gateway's own answers (401 from the authorizer, WAF blocks, throttling) never reach a handler
  if (gatewayError && Number(status) >= 400 && !record.handler) lines.push(`  gateway: ${gatewayError}${text(access.waf) === 'WAF_BLOCK' ? ' (blocked by WAF)' : ''}`);
  if (text(access.integrationStatus) === '429') lines.push('  lambda: throttled (429) — the account\'s concurrency is used up');
  if (!record.access) lines.push('  (not in the access log yet)');
  for (const error of record.errors) lines.push(`  ${error.level ?? 'error'}: ${[error.code, error.detail].filter(Boolean).join(' — ')}`);
  const trace = record.trace;
  if (trace) {
    lines.push(`  trace: ${trace.steps?.length ?? 0} steps, ${trace.dynamo?.length ?? 0} DynamoDB calls, ${ms(trace.ms)}${(trace.attempts ?? 1) > 1 ? `, ${trace.attempts} attempts` : ''}`);
    (trace.steps ?? []).forEach((step, index) => {
      const outcome = step.error ? `error ${step.error}` : step.output !== undefined ? `→ ${step.output}` : '';
      lines.push(`    ${index + 1}. ${[step.step, step.op ? `(${step.op})` : '', step.as ? `as ${step.as}` : '', ms(step.ms), outcome].filter(Boolean).join(' ')}`);
    });
    for (const call of trace.dynamo ?? []) {
      lines.push(`    · ${[call.command, (call.tables ?? []).join(', '), ms(call.ms), call.consumedCapacity !== undefined ? `${call.consumedCapacity} capacity units` : '', call.error ? `error ${call.error}` : ''].filter(Boolean).join(' ')}`);
    }
  }
  return lines;
}
