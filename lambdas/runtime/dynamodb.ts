import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { LIMITS } from '../shared/limits';
import { HttpProblem } from './problem-error';

/**
 * The runtime's DynamoDB client, created once per cold start. Timeouts are short and bounded so an
 * unreachable or throttling DynamoDB becomes a 503 well within the function's timeout, never a hang.
 * `APPAPI_DYNAMODB_ENDPOINT` points it at DynamoDB Local.
 */
export function createDocumentClient(endpoint = process.env.APPAPI_DYNAMODB_ENDPOINT): DynamoDBDocumentClient {
  const client = new DynamoDBClient({
    maxAttempts: LIMITS.dynamoAttempts.value,
    requestHandler: { connectionTimeout: LIMITS.dynamoConnectionTimeout.value, requestTimeout: LIMITS.dynamoRequestTimeout.value },
    ...(endpoint ? { endpoint, region: process.env.AWS_REGION ?? 'local', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } } : {}),
  });
  return DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
}

const UNAVAILABLE = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'RequestLimitExceeded',
  'InternalServerError',
  'ServiceUnavailable',
  'TimeoutError',
  'RequestTimeout',
]);

/** Maps a DynamoDB failure the caller can retry to 503 + Retry-After; anything else is rethrown. */
export function unavailableProblem(error: unknown): HttpProblem | undefined {
  const details = error as { name?: string; code?: string; $metadata?: { httpStatusCode?: number } };
  const networkFailure = ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE'].includes(details.code ?? '');
  if (!networkFailure && !UNAVAILABLE.has(details.name ?? '') && (details.$metadata?.httpStatusCode ?? 0) < 500) return undefined;
  return new HttpProblem('storage_unavailable', `DynamoDB is unavailable: ${[details.name, details.code].filter(Boolean).join(' ')}.`, {}, { 'Retry-After': '1' });
}
