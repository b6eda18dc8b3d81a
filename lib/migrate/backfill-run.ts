import { DescribeTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, GetCommand, PutCommand, ScanCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { MARKER_PREFIX } from '../../lambdas/runtime/store/unique-markers';

export type Item = Record<string, unknown>;

/** Something a backfill reports about one record without changing it (a duplicate, a conflict). */
export interface BackfillFinding {
  readonly kind: string;
  readonly message: string;
}

/** What one page of records did: counters to add up, and findings to report. */
export interface PageResult {
  readonly counts: Readonly<Record<string, number>>;
  readonly findings: readonly BackfillFinding[];
}

export interface PageRun {
  readonly dryRun: boolean;
  /** Checked between records: when aborted, the step returns at once. */
  readonly signal?: AbortSignal;
}

/** One backfill: what it does to a page of records (only writing when `dryRun` is false). */
export interface BackfillStep {
  /** The checkpoint's id in the model's table, e.g. `#migration#unique#email` (ids starting with `#` are never records). */
  readonly checkpointId: string;
  page(records: readonly Item[], run: PageRun): Promise<PageResult>;
}

export interface BackfillOptions {
  readonly documents: DynamoDBDocumentClient;
  readonly table: string;
  /** Report what would be written, write nothing (not even the checkpoint). @default false */
  readonly dryRun?: boolean;
  /** Ignore an unfinished run's checkpoint and scan from the start. @default false */
  readonly restart?: boolean;
  /** Items per Scan page; the checkpoint moves after each page. @default 100 */
  readonly pageSize?: number;
  /** Stops after the record being processed; the next run resumes from the last finished page. */
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: { readonly scanned: number; readonly total?: number }) => void;
  readonly onFinding?: (finding: BackfillFinding) => void;
}

export interface BackfillSummary {
  /** False when the run was stopped before the end of the table. */
  readonly complete: boolean;
  /** When the run continued an earlier, unfinished one: that run's start. */
  readonly resumedFrom?: string;
  /** Items scanned, over every run since the first of this pass. */
  readonly scanned: number;
  readonly counts: Readonly<Record<string, number>>;
  /** Findings of this pass (the first {@link KEPT_FINDINGS} across runs), and how many there were. */
  readonly findings: readonly BackfillFinding[];
  readonly findingCount: number;
}

/** Findings kept in the checkpoint item for the summary of a resumed run: well within DynamoDB's 400 KB item. */
export const KEPT_FINDINGS = 200;

interface Checkpoint {
  readonly id: string;
  readonly startKey?: string;
  readonly scanned: number;
  readonly counts: Record<string, number>;
  readonly findings: BackfillFinding[];
  readonly findingCount: number;
  readonly startedAt: string;
  readonly updatedAt: string;
}

/** A run stopped by its signal; the checkpoint holds the last finished page. */
export class BackfillInterrupted extends Error {
  constructor(readonly summary: BackfillSummary) {
    super('The backfill was interrupted; run the same command again to resume from the last finished page.');
    this.name = 'BackfillInterrupted';
  }
}

/**
 * Scans a model's table page by page (consistent reads, marker and checkpoint items skipped) and
 * hands each page of records to the step. After each page, the position and counters go to a
 * checkpoint item in the same table, so a run that stops — interrupted, crashed, throttled — resumes
 * where the last finished page ended; a page interrupted half-way is processed again, which every
 * step must therefore tolerate (each write is conditional on the state it expects). The checkpoint
 * is deleted when the scan reaches the end of the table, so the next run is a fresh full pass.
 */
export async function runBackfill(options: BackfillOptions, step: BackfillStep): Promise<BackfillSummary> {
  const { documents, table } = options;
  const dryRun = options.dryRun ?? false;
  const pageSize = options.pageSize ?? 100;
  const now = () => new Date().toISOString();
  const saved = dryRun || options.restart ? undefined : ((await documents.send(new GetCommand({ TableName: table, Key: { id: step.checkpointId }, ConsistentRead: true }))).Item as Checkpoint | undefined);
  let state: Checkpoint = saved ?? { id: step.checkpointId, scanned: 0, counts: {}, findings: [], findingCount: 0, startedAt: now(), updatedAt: now() };
  const total = await approximateItemCount(documents, table);
  const summary = (complete: boolean): BackfillSummary => ({
    complete,
    ...(saved ? { resumedFrom: saved.startedAt } : {}),
    scanned: state.scanned,
    counts: state.counts,
    findings: state.findings,
    findingCount: state.findingCount,
  });
  options.onProgress?.({ scanned: state.scanned, ...(total === undefined ? {} : { total }) });

  let startKey: Item | undefined = state.startKey ? (JSON.parse(state.startKey) as Item) : undefined;
  do {
    const page = await documents.send(new ScanCommand({ TableName: table, ConsistentRead: true, Limit: pageSize, ...(startKey ? { ExclusiveStartKey: startKey } : {}) }));
    const items = page.Items ?? [];
    const records = items.filter((item) => typeof item.id === 'string' && !item.id.startsWith(MARKER_PREFIX));
    const pageResult = await step.page(records, { dryRun, ...(options.signal ? { signal: options.signal } : {}) });
    // the step stops between records when signalled; nothing of this page is counted, and the next run does it again
    if (options.signal?.aborted) throw new BackfillInterrupted(summary(false));
    const counts = { ...state.counts };
    for (const [name, value] of Object.entries(pageResult.counts)) counts[name] = (counts[name] ?? 0) + value;
    for (const finding of pageResult.findings) options.onFinding?.(finding);
    startKey = page.LastEvaluatedKey;
    state = {
      ...state,
      scanned: state.scanned + items.length,
      counts,
      findings: [...state.findings, ...pageResult.findings].slice(0, KEPT_FINDINGS),
      findingCount: state.findingCount + pageResult.findings.length,
      updatedAt: now(),
      ...(startKey ? { startKey: JSON.stringify(startKey) } : {}),
    };
    if (!dryRun && startKey) await documents.send(new PutCommand({ TableName: table, Item: state }));
    options.onProgress?.({ scanned: state.scanned, ...(total === undefined ? {} : { total }) });
  } while (startKey);
  if (!dryRun) await documents.send(new DeleteCommand({ TableName: table, Key: { id: step.checkpointId } }));
  return summary(true);
}

/** DynamoDB's item count, refreshed about every six hours in AWS: good enough for a progress bar. */
async function approximateItemCount(documents: DynamoDBDocumentClient, table: string): Promise<number | undefined> {
  // the document client sends the base client's commands unchanged
  const { Table } = await (documents as unknown as DynamoDBClient).send(new DescribeTableCommand({ TableName: table }));
  return Table?.ItemCount;
}
