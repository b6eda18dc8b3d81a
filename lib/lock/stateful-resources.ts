import type { FieldType } from '../../lambdas/shared/manifest';

/**
 * What appapi.lock.json records of one environment: every resource whose loss loses data or
 * tokens (tables and the signing-key secret), as CloudFormation knows it (logical id, physical
 * name, keys, indexes, TTL, protection). Plain JSON, compared by {@link checkAgainstLock}.
 */
export interface EnvironmentLock {
  /** The CloudFormation stack, e.g. `AppApi-dev`. */
  readonly stack: string;
  /** AirData models by model name. */
  readonly models: { readonly [modelName: string]: ModelLock };
  /** Other tables of the stack (journeys, API keys, Idempotency-Key answers) by construct id. */
  readonly tables: { readonly [name: string]: TableLock };
  /** Secrets by construct id; `SigningKey` signs every token of the environment. */
  readonly secrets: { readonly [name: string]: SecretLock };
  /**
   * App API ids deployed bare (not scoped by their app), each with its app: when another app
   * declares the same id later, this one keeps its name (handler, operationId) and the new one is
   * `app.Id`. Models need no such entry: `models` pins them by logical id. Absent in locks written
   * before names were scoped.
   */
  readonly appApis?: { readonly [id: string]: string };
}

export interface KeyAttribute {
  readonly name: string;
  /** DynamoDB's attribute type: `S`, `N` or `B`. */
  readonly type: string;
}

export interface KeyLock {
  readonly partitionKey: KeyAttribute;
  readonly sortKey?: KeyAttribute;
}

export interface TableLock {
  /** The resource's logical id: changing it makes CloudFormation create a new table. */
  readonly logicalId: string;
  readonly tableName: string;
  readonly key: KeyLock;
  /** Global secondary indexes by name. */
  readonly indexes: { readonly [indexName: string]: KeyLock };
  /** Local secondary indexes by name (never created by AirDataModel; changing them replaces the table). */
  readonly localIndexes?: { readonly [indexName: string]: KeyLock };
  /** The TTL attribute, when TTL is enabled. */
  readonly timeToLive?: string;
  readonly deletionProtection: boolean;
  /** CloudFormation's DeletionPolicy: `Retain` keeps the table when it leaves the stack. */
  readonly deletionPolicy: string;
}

export interface ModelLock extends TableLock {
  /** Declared fields and their types: a field that disappears while another appears may be a rename. */
  readonly fields: { readonly [fieldName: string]: FieldType };
  /** Fields whose values are claimed by marker items. */
  readonly unique: readonly string[];
}

export interface SecretLock {
  readonly logicalId: string;
  readonly secretName: string;
  readonly deletionPolicy: string;
}

export const LOCK_VERSION = 1;

export interface LockFile {
  readonly version: typeof LOCK_VERSION;
  readonly environments: { readonly [environment: string]: EnvironmentLock };
}
