// npm run bench -- roundtrips: per route of the reference app, the DynamoDB calls one request
// makes and the capacity they consume, from the request's trace (lambdas/runtime/trace.ts).
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { EnvironmentManifest } from '../lambdas/shared/manifest';
import { bookingRequests, runTraced } from '../test/support/booking-requests';

export async function roundTrips(line: (text: string) => void, documents: DynamoDBDocumentClient, manifest: EnvironmentManifest): Promise<void> {
  const traced = await runTraced(manifest, documents, bookingRequests(Date.now().toString(36)));
  line('\nRound trips per request, reference app (DynamoDB calls from the trace; capacity units as DynamoDB Local reports them)');
  line(`  ${'route'.padEnd(18)} ${'request'.padEnd(32)} ${'answer'.padEnd(30)} calls  ${'kinds'.padEnd(34)} capacity`);
  for (const { request, answer, calls } of traced) {
    const status = `${answer.status}${answer.body?.code ? ` ${answer.body.code}` : ''}`;
    const expected = `${request.status}${request.problem ? ` ${request.problem}` : ''}`;
    const kinds = calls.map((call) => `${call.command}${call.error ? `(${call.error})` : ''}`).join(' + ') || '—';
    const capacity = calls.reduce((sum, call) => sum + (call.consumedCapacity ?? 0), 0);
    line(`  ${request.route.padEnd(18)} ${request.name.padEnd(32)} ${(status === expected ? status : `${status} (expected ${expected})`).padEnd(30)} ${String(calls.length).padStart(5)}  ${kinds.padEnd(34)} ${capacity.toFixed(1)}`);
  }
}
