import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, GetCommand, TransactWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { ModelManifest } from '../../lambdas/shared/manifest';
import { markerId } from '../../lambdas/runtime/store/unique-markers';
import type { BackfillFinding, BackfillStep, Item, PageResult, PageRun } from './backfill-run';

/**
 * `appapi migrate unique MODEL FIELD`: writes the marker item the runtime would have written for
 * every record that holds a value of a field made unique after the record was written, and reports
 * each value two records hold. It changes no record: a duplicate keeps its value, and the marker
 * stays with the record that claimed it first (in scan order, or by a write since the deploy).
 *
 * Each marker is written in a transaction with a check that the record still holds the value, and
 * only if no marker exists, so concurrent requests (which claim markers themselves since the deploy)
 * and re-runs never move or duplicate one.
 */
export function uniqueBackfill(documents: DynamoDBDocumentClient, model: ModelManifest, field: string): BackfillStep {
  // a dry run writes no markers, so the values it would have claimed are remembered for later pages
  // (memory grows with the distinct values: about 100 bytes each)
  const wouldClaim = new Map<string, string>();
  return {
    checkpointId: `#migration#unique#${field}`,
    async page(records, run) {
      return markPage(documents, model, field, records, run, wouldClaim);
    },
  };
}

async function markPage(documents: DynamoDBDocumentClient, model: ModelManifest, field: string, records: readonly Item[], run: PageRun, wouldClaim: Map<string, string>): Promise<PageResult> {
  const counts = { records: 0, withValue: 0, markersWritten: 0, alreadyMarked: 0, duplicates: 0, changedMeanwhile: 0 };
  const findings: BackfillFinding[] = [];
  const holding = records.filter((record) => record[field] !== undefined && record[field] !== null);
  const owners = await markerOwners(documents, model.table, [...new Set(holding.map((record) => markerId(model, field, record[field])))]);
  for (const record of records) {
    if (run.signal?.aborted) break;
    counts.records += 1;
    const value = record[field];
    if (value === undefined || value === null) continue;
    counts.withValue += 1;
    const id = String(record.id);
    const marker = markerId(model, field, value);
    let owner = owners.get(marker) ?? (run.dryRun ? wouldClaim.get(marker) : undefined);
    if (owner === undefined) {
      if (run.dryRun) {
        wouldClaim.set(marker, id);
        counts.markersWritten += 1;
        continue;
      }
      const outcome = await claim(documents, model.table, field, id, value, marker);
      if (outcome === 'claimed') {
        owners.set(marker, id);
        counts.markersWritten += 1;
        continue;
      }
      if (outcome === 'recordChanged') {
        counts.changedMeanwhile += 1;
        continue;
      }
      owner = await markerOwner(documents, model.table, marker);
      if (owner === undefined) {
        counts.changedMeanwhile += 1;
        continue;
      }
      owners.set(marker, owner);
    }
    if (owner === id) {
      counts.alreadyMarked += 1;
      continue;
    }
    counts.duplicates += 1;
    findings.push({
      kind: 'duplicate',
      message: `${model.name}.${field} ${JSON.stringify(value)} is held by record ${id} and by record ${owner}, which has the marker${model.fields[field]?.type === 'email' ? ' (e-mails compare without case)' : ''}`,
    });
  }
  return { counts, findings };
}

/** The marker, written only if absent, with the record still holding the value it was read with. */
async function claim(documents: DynamoDBDocumentClient, table: string, field: string, id: string, value: unknown, marker: string): Promise<'claimed' | 'recordChanged' | 'markerExists'> {
  try {
    await documents.send(
      new TransactWriteCommand({
        TransactItems: [
          { ConditionCheck: { TableName: table, Key: { id }, ConditionExpression: 'attribute_exists(id) AND #field = :value', ExpressionAttributeNames: { '#field': field }, ExpressionAttributeValues: { ':value': value } } },
          { Put: { TableName: table, Item: { id: marker, recordId: id }, ConditionExpression: 'attribute_not_exists(id)' } },
        ],
      }),
    );
    return 'claimed';
  } catch (error) {
    if (!(error instanceof TransactionCanceledException)) throw error;
    const [recordCheck, markerPut] = error.CancellationReasons ?? [];
    if (recordCheck?.Code === 'ConditionalCheckFailed') return 'recordChanged';
    if (markerPut?.Code === 'ConditionalCheckFailed') return 'markerExists';
    throw error;
  }
}

async function markerOwner(documents: DynamoDBDocumentClient, table: string, marker: string): Promise<string | undefined> {
  const { Item } = await documents.send(new GetCommand({ TableName: table, Key: { id: marker }, ConsistentRead: true }));
  return Item ? String(Item.recordId) : undefined;
}

/** The record id each existing marker names; BatchGetItem reads 100 keys at a time and may leave some for a retry. */
export async function markerOwners(documents: DynamoDBDocumentClient, table: string, markers: readonly string[]): Promise<Map<string, string>> {
  const owners = new Map<string, string>();
  for (let start = 0; start < markers.length; start += 100) {
    let keys: Item[] = markers.slice(start, start + 100).map((id) => ({ id }));
    for (let attempt = 0; keys.length > 0; attempt += 1) {
      if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, Math.min(2_000, 50 * 2 ** attempt)));
      const answer = await documents.send(new BatchGetCommand({ RequestItems: { [table]: { Keys: keys, ConsistentRead: true } } }));
      for (const item of answer.Responses?.[table] ?? []) owners.set(String(item.id), String(item.recordId));
      keys = (answer.UnprocessedKeys?.[table]?.Keys as Item[] | undefined) ?? [];
      if (attempt > 10 && keys.length > 0) throw new Error(`DynamoDB left ${keys.length} marker reads of ${table} unprocessed after 10 retries; run the command again to resume.`);
    }
  }
  return owners;
}
