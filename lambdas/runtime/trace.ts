import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { commandName } from './command-name';

/** One operation of a chain run, as the trace shows it. */
export interface StepTrace {
  readonly step: string;
  readonly op: string;
  readonly as?: string;
  /** Milliseconds since the request started. */
  readonly startMs: number;
  readonly ms: number;
  readonly output?: string;
  readonly error?: string;
}

export interface DynamoCallTrace {
  readonly command: string;
  readonly tables: readonly string[];
  readonly startMs: number;
  readonly ms: number;
  readonly consumedCapacity?: number;
  readonly error?: string;
}

export interface RequestTrace {
  readonly requestId: string;
  readonly route: string;
  readonly status: number;
  readonly ms: number;
  readonly attempts: number;
  readonly steps: readonly StepTrace[];
  readonly dynamo: readonly DynamoCallTrace[];
}

const MAX_OUTPUT_CHARACTERS = 1_000;
// tokens never reach a trace, even when a chain binds one
const TOKEN = /eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*/g;
const BEARER = /Bearer\s+[^\s"]+/gi;

/** A value as a trace shows it: JSON, tokens redacted, truncated. */
export function traceOutput(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  let text: string;
  try {
    text = JSON.stringify(value) ?? 'undefined';
  } catch {
    text = String(value);
  }
  text = text.replace(TOKEN, '[token]').replace(BEARER, 'Bearer [token]');
  return text.length > MAX_OUTPUT_CHARACTERS ? `${text.slice(0, MAX_OUTPUT_CHARACTERS)}… (${text.length} characters)` : text;
}

/** Collects one request's steps and DynamoDB calls. */
export class TraceRecorder {
  readonly steps: StepTrace[] = [];
  readonly dynamo: DynamoCallTrace[] = [];
  /** Runs of the chain: more than one when a concurrent write made it run again. */
  attempts = 1;
  private readonly started = performance.now();

  elapsed(): number {
    return performance.now() - this.started;
  }

  /** The client the request's stores use: every call recorded, with the capacity it consumed. */
  client(dynamo: DynamoDBDocumentClient): DynamoDBDocumentClient {
    const recorder = this;
    const send = async (command: { constructor: { name: string }; input: Record<string, unknown> }) => {
      command.input.ReturnConsumedCapacity ??= 'TOTAL';
      const startMs = recorder.elapsed();
      const tables = tablesOf(command.input);
      try {
        const result = (await dynamo.send(command as never)) as { ConsumedCapacity?: unknown };
        recorder.dynamo.push({ command: commandName(command), tables, startMs, ms: recorder.elapsed() - startMs, ...capacity(result.ConsumedCapacity) });
        return result;
      } catch (error) {
        recorder.dynamo.push({ command: commandName(command), tables, startMs, ms: recorder.elapsed() - startMs, error: (error as Error).name });
        throw error;
      }
    };
    return { send } as unknown as DynamoDBDocumentClient;
  }
}

function tablesOf(input: Record<string, unknown>): string[] {
  if (typeof input.TableName === 'string') return [input.TableName];
  const items = (input.TransactItems ?? []) as Array<Record<string, { TableName?: string }>>;
  return [...new Set(items.flatMap((item) => Object.values(item).map((part) => part.TableName ?? '')))].filter(Boolean);
}

function capacity(consumed: unknown): { consumedCapacity?: number } {
  const list = Array.isArray(consumed) ? consumed : consumed ? [consumed] : [];
  const total = list.reduce((sum: number, entry: { CapacityUnits?: number }) => sum + (entry.CapacityUnits ?? 0), 0);
  return list.length ? { consumedCapacity: total } : {};
}
