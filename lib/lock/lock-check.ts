import type { EnvironmentLock, KeyLock, ModelLock, SecretLock, TableLock } from './stateful-resources';

/**
 * One reason a deploy of an environment would lose or endanger data, or fail half-way.
 * - `error`: synth fails; `allowable` ones pass when the escape hatch names `resource`.
 * - `warning`: the deploy is safe, but data needs a backfill afterwards (the message says which).
 */
export interface LockFinding {
  readonly severity: 'error' | 'warning';
  /** Stable id, e.g. `appapi:lock:tableReplaced`. */
  readonly id: string;
  /** The model, table or secret as the lock names it, e.g. `Customers`, `Journeys`, `SigningKey`. */
  readonly resource: string;
  /** True when the escape hatch (`appapi:allowDataLoss`, `--allow-data-loss`) may accept it. */
  readonly allowable: boolean;
  readonly message: string;
}

export interface CheckOptions {
  /** Names the escape hatch accepts for this environment: models, tables or secrets. */
  readonly allowDataLoss?: readonly string[];
}

type Kind = 'model' | 'table' | 'secret';
interface Entry<T> {
  readonly kind: Kind;
  readonly name: string;
  readonly lock: T;
}

/**
 * Compares an environment as declared now with what its lock says is deployed. Rules follow what
 * CloudFormation and DynamoDB do on an update:
 * - a changed TableName, KeySchema, local index, logical id, or secret Name replaces the resource
 *   (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-dynamodb-table.html,
 *   "Update requires: Replacement"); a resource left out of the template is deleted, or orphaned
 *   when its DeletionPolicy is Retain;
 * - one table update creates or deletes at most one global secondary index, and an index's keys
 *   cannot change in place (https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_UpdateTable.html);
 * - enabling TTL lets DynamoDB delete items whose attribute holds a past time.
 */
export function checkAgainstLock(environment: string, locked: EnvironmentLock, current: EnvironmentLock, options: CheckOptions = {}): LockFinding[] {
  const findings: LockFinding[] = [];
  const lockedEntries = entries(locked);
  const currentEntries = entries(current);
  const claimed = new Set<Entry<TableLock | SecretLock>>();
  const context = { environment, findings };

  for (const before of lockedEntries) {
    const after =
      currentEntries.find((entry) => entry.kind === before.kind && entry.name === before.name) ??
      currentEntries.find((entry) => entry.kind === before.kind && entry.lock.logicalId === before.lock.logicalId && !lockedEntries.some((other) => other.kind === entry.kind && other.name === entry.name));
    if (after) {
      claimed.add(after);
      compare(context, before, after);
      continue;
    }
    const moved = currentEntries.find((entry) => entry.kind === before.kind && physicalName(entry.lock) === physicalName(before.lock) && !lockedEntries.some((other) => other.kind === entry.kind && other.name === entry.name));
    if (moved) {
      claimed.add(moved);
      replaced(context, before, `it is now declared at another construct path (${describe(moved)}), so its logical id changes from ${before.lock.logicalId} to ${moved.lock.logicalId}: CloudFormation creates a new resource (which fails, the name ${physicalName(before.lock)} being taken) and then deletes the old one`, `declare it where it was, or keep its logical id: (${moved.kind === 'secret' ? 'secret' : 'table'}.node.defaultChild as CfnResource).overrideLogicalId('${before.lock.logicalId}')`);
      continue;
    }
    removed(context, before, currentEntries.filter((entry) => entry.kind === before.kind && !lockedEntries.some((other) => other.kind === entry.kind && other.name === entry.name)));
  }

  const allowed = new Set(options.allowDataLoss ?? []);
  return findings.map((finding) => (finding.allowable && allowed.has(finding.resource) ? { ...finding, severity: 'warning' as const, message: `${finding.message} Accepted: appapi:allowDataLoss names ${finding.resource} for ${environment}.` } : finding));
}

interface Context {
  readonly environment: string;
  readonly findings: LockFinding[];
}

function entries(lock: EnvironmentLock): Entry<TableLock | SecretLock>[] {
  return [
    ...Object.entries(lock.models).map(([name, value]) => ({ kind: 'model' as const, name, lock: value })),
    ...Object.entries(lock.tables).map(([name, value]) => ({ kind: 'table' as const, name, lock: value })),
    ...Object.entries(lock.secrets).map(([name, value]) => ({ kind: 'secret' as const, name, lock: value })),
  ];
}

function physicalName(lock: TableLock | SecretLock): string {
  return 'tableName' in lock ? lock.tableName : lock.secretName;
}

function describe(entry: Entry<TableLock | SecretLock>): string {
  if (entry.kind === 'model') return `model ${entry.name} (table ${physicalName(entry.lock)})`;
  if (entry.kind === 'table') return `table ${entry.name} (${physicalName(entry.lock)})`;
  return entry.name === 'SigningKey' ? `the signing-key secret ${physicalName(entry.lock)}` : `secret ${entry.name} (${physicalName(entry.lock)})`;
}

function whatIsLost(entry: Entry<TableLock | SecretLock>, environment: string): string {
  if (entry.kind === 'secret') return entry.name === 'SigningKey' ? `every API token issued for ${environment} would stop working for good` : 'its value would be lost';
  return entry.kind === 'model' ? 'the new table starts empty: every record' : 'every item';
}

function fate(entry: Entry<TableLock | SecretLock>): string {
  return entry.lock.deletionPolicy === 'Retain' ? 'kept but left out of the stack (DeletionPolicy Retain), so the environment no longer sees its data' : 'deleted with its data';
}

function hatch(entry: Entry<TableLock | SecretLock>, environment: string): string {
  return `If losing it is intended, back it up first and name it in cdk.json's "appapi:allowDataLoss": {"${environment}": ["${entry.name}"]} (or appapi deploy --env ${environment} --allow-data-loss ${entry.name}).`;
}

function replaced(context: Context, before: Entry<TableLock | SecretLock>, why: string, safe: string): void {
  context.findings.push({
    severity: 'error',
    id: before.kind === 'secret' ? 'appapi:lock:secretReplaced' : 'appapi:lock:tableReplaced',
    resource: before.name,
    allowable: true,
    message: `${context.environment}: ${describe(before)} would be replaced: ${why}; the old one is ${fate(before)}, and ${whatIsLost(before, context.environment)} is gone from ${context.environment}. Safe way forward: ${safe}. ${hatch(before, context.environment)}`,
  });
}

function removed(context: Context, before: Entry<TableLock | SecretLock>, newcomers: Entry<TableLock | SecretLock>[]): void {
  const renameHint =
    before.kind === 'model' && newcomers.length > 0
      ? ` If ${before.name} was renamed to ${newcomers.map((entry) => entry.name).join(' or ')}, keep its construct id and table: new AirDataModel(scope, '${before.name}', { modelName: '${newcomers[0]!.name}', tableName: '${tableSuffix(physicalName(before.lock), context.environment)}', … }).`
      : '';
  context.findings.push({
    severity: 'error',
    id: before.kind === 'secret' ? 'appapi:lock:secretRemoved' : 'appapi:lock:tableRemoved',
    resource: before.name,
    allowable: true,
    message: `${context.environment}: ${describe(before)} is no longer declared, so the deploy would leave it out of the stack: it is ${fate(before)}. Safe way forward: keep declaring it.${renameHint} ${hatch(before, context.environment)}`,
  });
}

function compare(context: Context, before: Entry<TableLock | SecretLock>, after: Entry<TableLock | SecretLock>): void {
  const { environment } = context;
  const renamed = after.name !== before.name ? ` (now declared as ${after.name})` : '';
  if (before.lock.logicalId !== after.lock.logicalId) {
    replaced(context, before, `its logical id changes from ${before.lock.logicalId} to ${after.lock.logicalId} (its construct id or scope changed)${renamed}`, `keep its construct id and scope, or pin the logical id: (${before.kind === 'secret' ? 'secret' : 'table'}.node.defaultChild as CfnResource).overrideLogicalId('${before.lock.logicalId}')`);
    return;
  }
  if (physicalName(before.lock) !== physicalName(after.lock)) {
    const safe =
      before.kind === 'model'
        ? `keep the table: new AirDataModel(scope, …, { modelName: '${after.name}', tableName: '${tableSuffix(physicalName(before.lock), environment)}', … })`
        : `keep the name ${physicalName(before.lock)}`;
    replaced(context, before, `its name changes from ${physicalName(before.lock)} to ${physicalName(after.lock)}${renamed}, and CloudFormation replaces a resource whose name changes`, safe);
    return;
  }
  if (before.kind === 'secret') return;
  const was = before.lock as TableLock;
  const now = after.lock as TableLock;
  if (keyText(was.key) !== keyText(now.key)) {
    replaced(context, before, `its key changes from ${keyText(was.key)} to ${keyText(now.key)}, which DynamoDB cannot do in place`, `keep the key; to re-key data, declare a new model, copy the records into it, then remove the old one`);
    return;
  }
  if (JSON.stringify(was.localIndexes ?? {}) !== JSON.stringify(now.localIndexes ?? {})) {
    replaced(context, before, 'its local secondary indexes change, which DynamoDB allows only when a table is created', 'keep the local indexes; use a global secondary index for new access patterns');
    return;
  }
  checkIndexes(context, before, was, now);
  if ((was.timeToLive ?? '') !== (now.timeToLive ?? '')) {
    context.findings.push({
      severity: 'error',
      id: 'appapi:lock:timeToLiveChanged',
      resource: before.name,
      allowable: true,
      message: `${environment}: ${describe(before)} changes its TTL attribute from ${was.timeToLive ?? '(none)'} to ${now.timeToLive ?? '(none)'}. With TTL on, DynamoDB deletes every item whose attribute holds a past time (existing items included); DynamoDB also allows one TTL change per table per hour. Safe way forward: keep the TTL attribute. ${hatch(before, environment)}`,
    });
  }
  if (was.deletionProtection && !now.deletionProtection) {
    context.findings.push({
      severity: 'error',
      id: 'appapi:lock:protectionRemoved',
      resource: before.name,
      allowable: true,
      message: `${environment}: ${describe(before)} loses its deletion protection, so a later deploy or destroy could delete it. Safe way forward: keep deletionProtection for ${environment}. ${hatch(before, environment)}`,
    });
  }
  if (before.kind === 'model') checkFields(context, before.name, before.lock as ModelLock, after.lock as ModelLock);
}

function checkIndexes(context: Context, before: Entry<TableLock | SecretLock>, was: TableLock, now: TableLock): void {
  const { environment } = context;
  const added = Object.keys(now.indexes).filter((name) => !was.indexes[name]);
  const removedIndexes = Object.keys(was.indexes).filter((name) => !now.indexes[name]);
  const changed = Object.keys(now.indexes).filter((name) => was.indexes[name] && keyText(was.indexes[name]!) !== keyText(now.indexes[name]!));
  for (const name of changed) {
    context.findings.push({
      severity: 'error',
      id: 'appapi:lock:indexKeysChanged',
      resource: before.name,
      allowable: false,
      message: `${environment}: index ${name} of ${describe(before)} changes its keys from ${keyText(was.indexes[name]!)} to ${keyText(now.indexes[name]!)}; DynamoDB cannot change an index's keys, and CloudFormation refuses the update. Safe way forward: keep ${name} as it is, add the new keys as an index with a new name in one deploy (DynamoDB fills it from the existing items; no backfill needed), then remove ${name} in a later deploy.`,
    });
  }
  const operations = added.length + removedIndexes.length;
  if (operations > 1) {
    const plan = [...added.map((name) => `add ${name}`), ...removedIndexes.map((name) => `remove ${name}`)];
    context.findings.push({
      severity: 'error',
      id: 'appapi:lock:tooManyIndexChanges',
      resource: before.name,
      allowable: false,
      message: `${environment}: ${describe(before)} would ${plan.join(', ')} in one deploy, but DynamoDB creates or deletes one global secondary index per table update, so CloudFormation would fail and roll back. Safe way forward: split it across ${operations} deploys, one index each — first ${plan[0]} (appapi deploy --env ${environment} records it in appapi.lock.json), then ${plan.slice(1).join(', then ')}.`,
    });
  }
}

function checkFields(context: Context, name: string, was: ModelLock, now: ModelLock): void {
  const { environment } = context;
  for (const field of now.unique) {
    if (was.unique.includes(field) || !now.fields[field]) continue;
    const existed = Boolean(was.fields[field]);
    context.findings.push({
      severity: 'warning',
      id: 'appapi:lock:uniqueBackfill',
      resource: name,
      allowable: false,
      message: `${environment}: ${name}.${field} becomes unique.${existed ? ` Records written before this deploy have no marker for their ${field}, so duplicates among them stay undetected and a new record could claim a value an old one holds.` : ''} After deploying, run: appapi migrate unique ${name} ${field} --env ${environment}${environment === 'dev' ? '' : ' --aws'} (it writes the missing markers and lists every duplicate without changing data).`,
    });
  }
  const gone = Object.keys(was.fields).filter((field) => !now.fields[field]);
  const arrived = Object.keys(now.fields).filter((field) => !was.fields[field]);
  for (const from of gone) {
    const candidates = arrived.filter((to) => now.fields[to] === was.fields[from]);
    if (candidates.length === 0) continue;
    context.findings.push({
      severity: 'warning',
      id: 'appapi:lock:fieldRenamed',
      resource: name,
      allowable: false,
      message: `${environment}: ${name} no longer declares ${from} and now declares ${candidates.join(', ')} of the same type. Stored records keep their ${from} values, which reads no longer return. If ${from} was renamed, declare ${candidates[0]} optional, deploy, then run: appapi migrate rename-field ${name} ${from} ${candidates[0]} --env ${environment}${environment === 'dev' ? '' : ' --aws'}.`,
    });
  }
}

function keyText(key: KeyLock): string {
  return `${key.partitionKey.name} (${key.partitionKey.type})${key.sortKey ? ` + ${key.sortKey.name} (${key.sortKey.type})` : ''}`;
}

/** `appapi-dev-customer-notes` → `customer-notes`: what AirDataModel's tableName takes. */
function tableSuffix(tableName: string, environment: string): string {
  const marker = `-${environment}-`;
  const at = tableName.indexOf(marker);
  return at < 0 ? tableName : tableName.slice(at + marker.length);
}
