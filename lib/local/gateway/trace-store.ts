import type { RequestTrace } from '../../../lambdas/runtime/trace';
import type { AccessLogEntry } from './gateway-app';

export interface RecordedRequest {
  /** Increases with every request: what a poller asks for "after". */
  readonly seq: number;
  readonly access: AccessLogEntry;
  readonly trace?: RequestTrace;
}

/** How long after the console's last call it counts as open (the page polls every second). */
export const CONSOLE_OPEN_WINDOW_MS = 30_000;

/**
 * The last requests the local gateway served, with their chain traces: a bounded ring, newest last.
 * The access-log entries are always kept; chain traces (steps, their outputs, DynamoDB calls with
 * consumed capacity) are recorded only while someone reads them — the console is open — or always
 * when asked for, so a gateway nobody watches pays nothing for them.
 */
export class TraceStore {
  private readonly entries: RecordedRequest[] = [];
  private readonly pending = new Map<string, RequestTrace>();
  private seq = 0;
  private watchedAt = -Infinity;

  constructor(
    private readonly capacity = 1_000,
    private readonly always = false,
    private readonly clock: () => number = Date.now,
  ) {}

  /** The console read the store: traces are recorded for the next CONSOLE_OPEN_WINDOW_MS. */
  watched(): void {
    this.watchedAt = this.clock();
  }

  /** Whether the request starting now should record its trace. */
  readonly recording = (): boolean => this.always || this.clock() - this.watchedAt < CONSOLE_OPEN_WINDOW_MS;

  /** Traces arrive before their access-log entry (the handler answers first). */
  trace(trace: RequestTrace): void {
    this.pending.set(trace.requestId, trace);
    if (this.pending.size > this.capacity) this.pending.delete(this.pending.keys().next().value!);
  }

  access(entry: AccessLogEntry): void {
    const trace = this.pending.get(entry.requestId);
    this.pending.delete(entry.requestId);
    this.entries.push(trace ? { seq: ++this.seq, access: entry, trace } : { seq: ++this.seq, access: entry });
    // the oldest go in batches: one shift per request would move the whole ring every time
    if (this.entries.length >= 2 * this.capacity) this.trim();
  }

  list(): readonly RecordedRequest[] {
    return this.trim();
  }

  after(seq: number, limit = 200): readonly RecordedRequest[] {
    return this.trim().filter((entry) => entry.seq > seq).slice(-limit);
  }

  get(requestId: string): RecordedRequest | undefined {
    return this.trim().find((entry) => entry.access.requestId === requestId);
  }

  /** Drops what is beyond the capacity, oldest first. */
  private trim(): RecordedRequest[] {
    if (this.entries.length > this.capacity) this.entries.splice(0, this.entries.length - this.capacity);
    return this.entries;
  }
}
