import type { RequestTrace } from '../../../lambdas/runtime/trace';
import type { AccessLogEntry } from './gateway-app';

export interface RecordedRequest {
  /** Increases with every request: what a poller asks for "after". */
  readonly seq: number;
  readonly access: AccessLogEntry;
  readonly trace?: RequestTrace;
}

/** The last requests the local gateway served, with their chain traces: a bounded ring, newest last. */
export class TraceStore {
  private readonly entries: RecordedRequest[] = [];
  private readonly pending = new Map<string, RequestTrace>();
  private seq = 0;

  constructor(private readonly capacity = 1_000) {}

  /** Traces arrive before their access-log entry (the handler answers first). */
  trace(trace: RequestTrace): void {
    this.pending.set(trace.requestId, trace);
    if (this.pending.size > this.capacity) this.pending.delete(this.pending.keys().next().value!);
  }

  access(entry: AccessLogEntry): void {
    const trace = this.pending.get(entry.requestId);
    this.pending.delete(entry.requestId);
    this.entries.push({ seq: ++this.seq, access: entry, ...(trace ? { trace } : {}) });
    if (this.entries.length > this.capacity) this.entries.shift();
  }

  list(): readonly RecordedRequest[] {
    return this.entries;
  }

  after(seq: number, limit = 200): readonly RecordedRequest[] {
    return this.entries.filter((entry) => entry.seq > seq).slice(-limit);
  }

  get(requestId: string): RecordedRequest | undefined {
    return this.entries.find((entry) => entry.access.requestId === requestId);
  }
}
