import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { TransactWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { ModelManifest } from '../../lambdas/shared/manifest';
import { markerId } from '../../lambdas/runtime/store/unique-markers';
import type { BackfillFinding, BackfillStep, Item } from './backfill-run';
import { markerOwners } from './unique-backfill';

type TransactItem = NonNullable<ConstructorParameters<typeof TransactWriteCommand>[0]['TransactItems']>[number];

/**
 * `appapi migrate rename-field MODEL FROM TO`: moves each stored record's FROM value to TO, in one
 * transaction per record with the unique-value markers that go with it (TO's claimed when TO is
 * unique; FROM's released when FROM was unique). Only a record holding FROM and no TO is changed,
 * conditionally on exactly that, so re-runs and concurrent requests are safe. Reported, not changed:
 * a record holding both (a request wrote TO since the deploy; its FROM is left in place, unread),
 * and a record whose value another record holds in a unique TO.
 */
export function renameFieldBackfill(documents: DynamoDBDocumentClient, model: ModelManifest, from: string, to: string): BackfillStep {
  const toUnique = model.fields[to]?.unique === true;
  // FROM is no longer declared; its markers (if it was unique) were keyed like TO's type
  const asFrom: ModelManifest = { ...model, fields: { ...model.fields, [from]: model.fields[to]! } };
  const wouldClaim = new Map<string, string>();
  return {
    checkpointId: `#migration#rename#${from}#${to}`,
    async page(records, run) {
      const counts = { records: 0, renamed: 0, alreadyRenamed: 0, withoutField: 0, bothSet: 0, duplicates: 0, changedMeanwhile: 0 };
      const findings: BackfillFinding[] = [];
      const holding = records.filter((record) => has(record, from) && !has(record, to));
      const markers = [...new Set(holding.flatMap((record) => [markerId(model, to, record[from]), markerId(asFrom, from, record[from])]))];
      const owners = await markerOwners(documents, model.table, markers);
      for (const record of records) {
        if (run.signal?.aborted) break;
        counts.records += 1;
        const id = String(record.id);
        if (!has(record, from)) {
          if (has(record, to)) counts.alreadyRenamed += 1;
          else counts.withoutField += 1;
          continue;
        }
        if (has(record, to)) {
          counts.bothSet += 1;
          findings.push({ kind: 'bothSet', message: `${model.name} record ${id} holds both ${from} and ${to} (a request wrote ${to} since the deploy): ${to} is kept, ${from} ${JSON.stringify(record[from])} is left in place and no longer read` });
          continue;
        }
        const value = record[from];
        const toMarker = markerId(model, to, value);
        const toOwner = toUnique ? (owners.get(toMarker) ?? (run.dryRun ? wouldClaim.get(toMarker) : undefined)) : undefined;
        if (toOwner !== undefined && toOwner !== id) {
          counts.duplicates += 1;
          findings.push({ kind: 'duplicate', message: `${model.name}.${to} ${JSON.stringify(value)} of record ${id} is already held by record ${toOwner}; record ${id} keeps ${from} until one of them changes` });
          continue;
        }
        if (run.dryRun) {
          if (toUnique) wouldClaim.set(toMarker, id);
          counts.renamed += 1;
          continue;
        }
        const writes: TransactItem[] = [
          {
            Update: {
              TableName: model.table,
              Key: { id },
              UpdateExpression: 'SET #to = :value REMOVE #from',
              ConditionExpression: '#from = :value AND attribute_not_exists(#to)',
              ExpressionAttributeNames: { '#from': from, '#to': to },
              ExpressionAttributeValues: { ':value': value },
            },
          },
        ];
        if (toUnique && toOwner === undefined) writes.push({ Put: { TableName: model.table, Item: { id: toMarker, recordId: id }, ConditionExpression: 'attribute_not_exists(id)' } });
        const fromMarker = markerId(asFrom, from, value);
        if (owners.get(fromMarker) === id) {
          writes.push({ Delete: { TableName: model.table, Key: { id: fromMarker }, ConditionExpression: '#recordId = :id', ExpressionAttributeNames: { '#recordId': 'recordId' }, ExpressionAttributeValues: { ':id': id } } });
        }
        try {
          await documents.send(new TransactWriteCommand({ TransactItems: writes }));
          if (toUnique) owners.set(toMarker, id);
          counts.renamed += 1;
        } catch (error) {
          if (!(error instanceof TransactionCanceledException) || !(error.CancellationReasons ?? []).some((reason) => reason.Code === 'ConditionalCheckFailed')) throw error;
          // the record or a marker changed since the page was read: the next run reads it afresh
          counts.changedMeanwhile += 1;
          findings.push({ kind: 'changedMeanwhile', message: `${model.name} record ${id} changed while it was being renamed; run the command again to rename it` });
        }
      }
      return { counts, findings };
    },
  };
}

function has(record: Item, field: string): boolean {
  return record[field] !== undefined && record[field] !== null;
}
