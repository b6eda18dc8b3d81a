import { Stack, type CfnResource } from 'aws-cdk-lib';
import { CfnTable } from 'aws-cdk-lib/aws-dynamodb';
import { CfnSecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { IConstruct } from 'constructs';
import { AirDataModel } from '../constructs/airdata-model';
import { AppApi } from '../constructs/app-api';
import type { EnvironmentLock, KeyLock, ModelLock, SecretLock, TableLock } from './stateful-resources';

interface KeySchemaElement {
  readonly attributeName: string;
  readonly keyType: string;
}
interface IndexDefinition {
  readonly indexName: string;
  readonly keySchema: readonly KeySchemaElement[];
}

/**
 * The stateful resources of one environment stack as CloudFormation will see them: every
 * DynamoDB table and Secrets Manager secret of the stack itself (nested stacks hold none), read
 * from their L1 resources after the declarations ran.
 */
export function snapshotEnvironment(stack: Stack): EnvironmentLock {
  const models = new Map<IConstruct, AirDataModel>();
  for (const child of stack.node.findAll()) {
    if (child instanceof AirDataModel && child.table.node.defaultChild) models.set(child.table.node.defaultChild, child);
  }
  const snapshot = { stack: stack.stackName, models: {} as Record<string, ModelLock>, tables: {} as Record<string, TableLock>, secrets: {} as Record<string, SecretLock>, appApis: {} as Record<string, string> };
  for (const child of stack.node.findAll()) {
    if (Stack.of(child) !== stack) continue;
    if (child instanceof CfnTable) {
      const table = tableLock(stack, child);
      const model = models.get(child);
      if (model) {
        const fields = model.manifest.fields;
        snapshot.models[model.manifestKey] = {
          ...table,
          fields: Object.fromEntries(Object.entries(fields).map(([name, definition]) => [name, definition.type])),
          unique: Object.keys(fields).filter((name) => fields[name]!.unique),
        };
      } else snapshot.tables[label(stack, child)] = table;
    } else if (child instanceof AppApi && child.manifestId === child.routeId) {
      snapshot.appApis[child.routeId] = child.app.appName;
    } else if (child instanceof CfnSecret) {
      snapshot.secrets[label(stack, child)] = { logicalId: logicalId(stack, child), secretName: String(stack.resolve(child.name)), deletionPolicy: deletionPolicy(child) };
    }
  }
  return sorted(snapshot);
}

function tableLock(stack: Stack, table: CfnTable): TableLock {
  const types = new Map<string, string>();
  for (const definition of (stack.resolve(table.attributeDefinitions) ?? []) as Array<{ attributeName: string; attributeType: string }>) {
    types.set(definition.attributeName, definition.attributeType);
  }
  const keyOf = (schema: readonly KeySchemaElement[]): KeyLock => {
    const attribute = (keyType: string) => {
      const element = schema.find((candidate) => candidate.keyType === keyType);
      return element ? { name: element.attributeName, type: types.get(element.attributeName) ?? '?' } : undefined;
    };
    const sortKey = attribute('RANGE');
    return { partitionKey: attribute('HASH')!, ...(sortKey ? { sortKey } : {}) };
  };
  const indexes = (list: unknown) => Object.fromEntries(((list ?? []) as IndexDefinition[]).map((index) => [index.indexName, keyOf(index.keySchema)]));
  const ttl = stack.resolve(table.timeToLiveSpecification) as { attributeName?: string; enabled?: boolean } | undefined;
  const localIndexes = indexes(stack.resolve(table.localSecondaryIndexes));
  return {
    logicalId: logicalId(stack, table),
    tableName: String(stack.resolve(table.tableName)),
    key: keyOf(stack.resolve(table.keySchema) as KeySchemaElement[]),
    indexes: indexes(stack.resolve(table.globalSecondaryIndexes)),
    ...(Object.keys(localIndexes).length ? { localIndexes } : {}),
    ...(ttl?.enabled && ttl.attributeName ? { timeToLive: ttl.attributeName } : {}),
    deletionProtection: stack.resolve(table.deletionProtectionEnabled) === true,
    deletionPolicy: deletionPolicy(table),
  };
}

function logicalId(stack: Stack, resource: CfnResource): string {
  return String(stack.resolve(resource.logicalId));
}

/** CloudFormation deletes a resource that has no DeletionPolicy. */
function deletionPolicy(resource: CfnResource): string {
  return resource.cfnOptions.deletionPolicy ?? 'Delete';
}

/** `Journeys`, `SigningKey`: the construct path inside the stack, without the L2's `Resource`/`Default` children. */
function label(stack: Stack, resource: CfnResource): string {
  const parts = resource.node.path.slice(stack.node.path.length + 1).split('/');
  while (parts.length > 1 && ['Resource', 'Default'].includes(parts[parts.length - 1]!)) parts.pop();
  return parts.join('/');
}

/** Stable key order, so the committed file changes only where the resources do. */
function sorted<T>(value: T): T {
  if (Array.isArray(value)) return value.map(sorted) as T;
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.keys(value).sort().map((key) => [key, sorted((value as Record<string, unknown>)[key])])) as T;
  }
  return value;
}
