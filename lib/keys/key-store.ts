import { randomBytes } from 'node:crypto';
import { DeleteCommand, PutCommand, ScanCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { ApiKeyRecord } from '../../lambdas/shared/token-format';

const NAME = /^[A-Za-z0-9][A-Za-z0-9 ._-]{0,63}$/;
const GROUP = /^[a-z0-9][a-z0-9_-]{0,63}$/;

/** A user error of the key commands: the CLI prints the message and exits 1. */
export class KeyCommandError extends Error {}

/** The API keys of one environment in its keys table: metadata only, never a token. */
export class ApiKeyStore {
  constructor(
    private readonly documents: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async create(name: string, groups: readonly string[], expiresAt?: Date): Promise<ApiKeyRecord> {
    checkName(name);
    const now = new Date().toISOString();
    const record: ApiKeyRecord = {
      keyId: `key_${randomBytes(10).toString('hex')}`,
      name,
      groups: checkGroups(groups),
      tokenId: randomBytes(16).toString('base64url'),
      createdAt: now,
      updatedAt: now,
      ...(expiresAt ? { expiresAt: expiresAt.toISOString() } : {}),
    };
    await this.documents.send(new PutCommand({ TableName: this.table, Item: record, ConditionExpression: 'attribute_not_exists(keyId)' }));
    return record;
  }

  async list(): Promise<ApiKeyRecord[]> {
    const keys: ApiKeyRecord[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.documents.send(new ScanCommand({ TableName: this.table, ConsistentRead: true, ...(startKey ? { ExclusiveStartKey: startKey } : {}) }));
      keys.push(...((page.Items ?? []) as ApiKeyRecord[]));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return keys.sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.keyId.localeCompare(b.keyId));
  }

  /** Revokes the key: its token stops working once the authorizer's key cache and API Gateway's cache expire (≤ 60 s). */
  async delete(keyId: string): Promise<void> {
    try {
      await this.documents.send(new DeleteCommand({ TableName: this.table, Key: { keyId }, ConditionExpression: 'attribute_exists(keyId)' }));
    } catch (error) {
      throw notFoundOr(error, keyId);
    }
  }

  /** Changes the key's groups; takes effect like a deletion, without a redeploy. */
  async updateGroups(keyId: string, groups: readonly string[]): Promise<ApiKeyRecord> {
    try {
      const result = await this.documents.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { keyId },
          UpdateExpression: 'SET #groups = :groups, updatedAt = :now',
          ConditionExpression: 'attribute_exists(keyId)',
          ExpressionAttributeNames: { '#groups': 'groups' },
          ExpressionAttributeValues: { ':groups': checkGroups(groups), ':now': new Date().toISOString() },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return result.Attributes as ApiKeyRecord;
    } catch (error) {
      throw notFoundOr(error, keyId);
    }
  }
}

function checkName(name: string): void {
  if (!NAME.test(name)) throw new KeyCommandError(`Key name "${name}" must be 1-64 letters, digits, spaces, ".", "_" or "-", starting with a letter or digit.`);
}

function checkGroups(groups: readonly string[]): string[] {
  const unique = [...new Set(groups.map((group) => group.trim()).filter(Boolean))];
  if (unique.length === 0) throw new KeyCommandError('Give at least one group, e.g. --groups partners,ops.');
  for (const group of unique) {
    if (!GROUP.test(group)) throw new KeyCommandError(`Group "${group}" must be lower-case letters, digits, "-" or "_", at most 64 characters (as in ApiAuth.keyGroups).`);
  }
  return unique;
}

function notFoundOr(error: unknown, keyId: string): Error {
  if ((error as { name?: string }).name === 'ConditionalCheckFailedException') return new KeyCommandError(`No key ${keyId} in this environment (see: appapi keys list).`);
  return error as Error;
}
