import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createDocumentClient } from '../../lambdas/runtime/dynamodb';
import type { EnvironmentManifest } from '../../lambdas/shared/manifest';
import { connectLocalDynamo } from './local-dynamo';
import { ensureTables } from './tables';

export interface LocalTables {
  readonly documents: DynamoDBDocumentClient;
  /** Destroys the client and stops DynamoDB Local if this connection started it. */
  close(): Promise<void>;
}

/**
 * A document client on the environment's DynamoDB Local (the running gateway's, else one started
 * for this command) with the manifest's tables in place: what every local CLI command needs.
 */
export async function openLocalTables(home: string, env: string, manifest: EnvironmentManifest): Promise<LocalTables> {
  const dynamo = await connectLocalDynamo(home, env);
  const documents = createDocumentClient(dynamo.endpoint);
  const close = async (): Promise<void> => {
    documents.destroy();
    await dynamo.close();
  };
  try {
    await ensureTables(documents, manifest);
  } catch (error) {
    await close();
    throw error;
  }
  return { documents, close };
}
