import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { LIMITS } from '../shared/limits';
import type { PreparedRoute } from './prepare-route';
import { HttpProblem } from './problem-error';
import type { ProxyEvent, ProxyResult } from './proxy-event';
import { runChain } from './run-chain';
import { AirDataStore } from './store/airdata-store';
import { answerWrite, idempotentRequest, storedAnswer } from './store/idempotency';
import { JourneyStore } from './store/journey-store';
import { WriteBatch, WriteConflict, type PendingWrite } from './store/write-batch';
import type { Bindings } from './templates';
import type { TraceRecorder } from './trace';
import type { Deadline } from './middlewares/deadline';

/** Runs of one request when concurrent requests keep changing what it read. */
const MAX_ATTEMPTS = LIMITS.chainAttempts.value;

/**
 * One request: replay of an Idempotency-Key's first answer, else the chain, whose writes commit as
 * one transaction once it has answered. When a concurrent request changed what the chain read,
 * the transaction is refused as a whole and the chain runs again on fresh data. Once the deadline
 * has passed (the caller has its 503), nothing is committed and no attempt starts.
 */
export async function runRequest(prepared: PreparedRoute, event: ProxyEvent, bindings: Bindings, recorder?: TraceRecorder, deadline?: Deadline): Promise<ProxyResult> {
  const { route, manifest } = prepared;
  const dynamo = recorder ? recorder.client(prepared.dynamo) : prepared.dynamo;
  const headers = bindings.headers as Record<string, string>;
  const auth = bindings.auth as { keyId: string | null };
  const idempotent =
    route.method === 'POST' ? idempotentRequest(route.id, auth.keyId, headers['idempotency-key'], event.path ?? route.path, rawBody(event)) : undefined;
  if (idempotent) {
    const stored = await storedAnswer(dynamo, manifest.tables.idempotency, idempotent, new Date());
    if (stored) return stored;
  }
  // what a refused commit taught about items this request does not own, kept across its attempts
  const contendedIdentifiers = new Set<string>();
  const notOwnedMarkers = new Set<string>();
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt += 1) {
    const now = new Date();
    const batch = new WriteBatch();
    if (recorder) recorder.attempts = attempt;
    const stores = {
      airdata: new AirDataStore(dynamo, batch, prepared.recordValidators, notOwnedMarkers),
      journeys: new JourneyStore(dynamo, manifest.tables.journeys, route.app, batch, now, contendedIdentifiers),
      dynamo,
      ...(recorder ? { recorder } : {}),
    };
    try {
      const answer = await runChain(prepared, bindings, stores);
      const record = idempotent ? answerWrite(manifest.tables.idempotency, idempotent, answer, now) : undefined;
      if (deadline?.passed()) throw new HttpProblem('deadline_exceeded', 'The deadline passed before the writes were committed; none was.');
      await commit(batch, dynamo, record, recorder);
      return answer;
    } catch (error) {
      // a concurrent request with the same key may have won, and its answer is the one to give
      if (idempotent && (error instanceof WriteConflict || error instanceof HttpProblem)) {
        const stored = await storedAnswer(dynamo, manifest.tables.idempotency, idempotent, new Date());
        if (stored) return stored;
      }
      if (!(error instanceof WriteConflict)) throw error;
      if (attempt < MAX_ATTEMPTS) await sleep(Math.random() * 20 * attempt);
      if (deadline?.passed()) throw new HttpProblem('deadline_exceeded', 'The deadline passed between attempts.');
    }
  }
  throw new HttpProblem('write_conflict', 'Concurrent requests kept changing the data this request writes; retry it.', {}, { 'Retry-After': '1' });
}

/**
 * Commits the request's writes. Conditions decide conflicts there rather than reads before (a
 * unique value held, a journey no longer active), so a refused commit shows in the trace as a
 * step of its own, with the problem it answers.
 */
async function commit(batch: WriteBatch, dynamo: DynamoDBDocumentClient, record: PendingWrite | undefined, recorder: TraceRecorder | undefined): Promise<void> {
  const startMs = recorder?.elapsed() ?? 0;
  try {
    await batch.commit(dynamo, record ? [record] : []);
  } catch (error) {
    recorder?.steps.push({ step: 'commit', op: 'commit', startMs, ms: recorder.elapsed() - startMs, error: error instanceof HttpProblem ? error.code : (error as Error).name });
    throw error;
  }
}

function rawBody(event: ProxyEvent): string {
  if (!event.body) return '';
  return event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('latin1') : event.body;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
