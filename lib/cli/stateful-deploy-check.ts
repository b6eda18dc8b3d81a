import type { ResourceImpact } from '../lock/cdk-diff-impacts';
import { checkAgainstLock, type LockFinding } from '../lock/lock-check';
import type { EnvironmentLock } from '../lock/stateful-resources';

/** The models, tables and secrets of an environment by logical id, as the lock and the declarations name them. */
export function namesByLogicalId(...snapshots: Array<EnvironmentLock | undefined>): Map<string, string> {
  const names = new Map<string, string>();
  for (const snapshot of snapshots) {
    if (!snapshot) continue;
    for (const group of [snapshot.models, snapshot.tables, snapshot.secrets]) {
      for (const [name, resource] of Object.entries(group)) if (!names.has(resource.logicalId)) names.set(resource.logicalId, name);
    }
  }
  return names;
}

/** The lock check's errors and warnings for one environment; no lock recorded means nothing to compare. */
export function lockFindings(environment: string, locked: EnvironmentLock | undefined, current: EnvironmentLock, allowDataLoss: readonly string[]): LockFinding[] {
  return locked ? checkAgainstLock(environment, locked, current, { allowDataLoss }) : [];
}

/**
 * What `cdk diff` would replace or delete among tables and secrets and the escape hatch does not
 * name, each as a sentence naming the resource, the environment and the way forward.
 */
export function refusedImpacts(environment: string, impacts: readonly ResourceImpact[], names: ReadonlyMap<string, string>, allowDataLoss: readonly string[]): string[] {
  const allowed = new Set(allowDataLoss);
  return impacts
    .filter((impact) => {
      const name = names.get(impact.logicalId);
      return !allowed.has(impact.logicalId) && !(name && allowed.has(name));
    })
    .map((impact) => {
      const name = names.get(impact.logicalId) ?? impact.logicalId;
      const secret = impact.type === 'AWS::SecretsManager::Secret';
      const what = secret ? `secret ${name} (${impact.logicalId})` : `table of ${name} (${impact.logicalId})`;
      const verb = impact.impact === 'orphan' ? 'leave the stack (orphaned, kept in the account)' : impact.impact === 'destroy' ? 'be deleted' : impact.impact === 'replace' ? 'be replaced by a new, empty one' : 'possibly be replaced';
      const loss = secret ? `every API token of ${environment} would stop working` : `${environment} would lose its items`;
      return `${environment}: cdk diff says the ${what} would ${verb}: ${loss}. Keep it as deployed (see README, "Changing a model safely"), or, when losing it is intended and backed up, run appapi deploy --env ${environment} --allow-data-loss ${name}.`;
    });
}
