// Shares a process: units (its tests call functions and close the servers and sockets they open; see scripts/run-tests.ts)
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { HttpProblem } from '../../lambdas/runtime/problem-error';
import { WriteBatch, WriteConflict } from '../../lambdas/runtime/store/write-batch';

// DynamoDB Local never throttles and never reports TransactionConflict, so for those outcomes the
// documented TransactionCanceledException shapes are handed to the batch directly. Everything else
// about commits is tested against DynamoDB Local (atomic-writes, airdata-writes, journeys).
function failingWith(error: unknown): DynamoDBDocumentClient {
  return { send: async () => Promise.reject(error) } as unknown as DynamoDBDocumentClient;
}

function cancelled(...codes: Array<{ Code: string; Message?: string }>): TransactionCanceledException {
  return new TransactionCanceledException({ message: 'Transaction cancelled', $metadata: {}, CancellationReasons: codes });
}

const conflict = new HttpProblem('unique_conflict', 'taken');

function batchOf(): WriteBatch {
  const batch = new WriteBatch();
  batch.set({ kind: 'put', table: 't', key: { id: 'a' }, item: { x: 1 }, onConditionFailed: 'retry' });
  batch.set({ kind: 'put', table: 't', key: { id: '#unique#email#a' }, item: { recordId: 'a' }, onConditionFailed: conflict });
  return batch;
}

async function outcome(error: unknown): Promise<unknown> {
  return batchOf()
    .commit(failingWith(error))
    .then(
      () => 'committed',
      (failure: unknown) => failure,
    );
}

describe('WriteBatch commit outcomes DynamoDB Local cannot produce', () => {
  it('a throttled transaction is 503 with Retry-After', async () => {
    const result = (await outcome(cancelled({ Code: 'None' }, { Code: 'ThrottlingError' }))) as HttpProblem;
    assert.equal(result.status, 503);
    assert.equal(result.headers['Retry-After'], '1');
    const throttled = (await outcome(Object.assign(new Error('slow down'), { name: 'ProvisionedThroughputExceededException' }))) as HttpProblem;
    assert.equal(throttled.status, 503);
  });

  it('a transaction conflict runs the chain again; a failed condition answers what that write declared', async () => {
    const retry = await outcome(cancelled({ Code: 'TransactionConflict' }, { Code: 'None' }));
    assert.ok(retry instanceof WriteConflict && retry.onConditionFailed === 'retry');
    assert.equal(await outcome(cancelled({ Code: 'None' }, { Code: 'ConditionalCheckFailed' })), conflict);
  });

  it('an item DynamoDB finds too large is 413', async () => {
    const result = (await outcome(cancelled({ Code: 'ValidationError', Message: 'Item size has exceeded the maximum allowed size' }, { Code: 'None' }))) as HttpProblem;
    assert.equal(result.status, 413);
    assert.equal(result.code, 'item_too_large');
  });

  it('more than 100 writes is a 422 before anything is sent', async () => {
    const batch = new WriteBatch();
    for (let n = 0; n < 101; n += 1) batch.set({ kind: 'delete', table: 't', key: { id: `r${n}` }, onConditionFailed: 'retry' });
    const result = await batch.commit(failingWith(new Error('must not be sent'))).catch((error: unknown) => error);
    assert.equal((result as HttpProblem).status, 422);
    assert.equal((result as HttpProblem).code, 'too_many_writes');
  });
});
