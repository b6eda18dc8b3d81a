import { parseArgs } from 'node:util';
import { relative } from 'node:path';
import type { AppDeclaration } from '../constructs/app-api-stack';
import { loadEnvironment, projectContext } from '../environments';
import { ENVIRONMENTS_CONTEXT, parseEnvironmentTargets } from '../environment-targets';
import { ALLOW_DATA_LOSS_CONTEXT, parseAllowDataLoss } from '../lock/allow-data-loss';
import { snapshotEnvironment } from '../lock/environment-snapshot';
import { checkAgainstLock } from '../lock/lock-check';
import { PROJECT_LOCK_FILE, readLockFile, writeLockEnvironments } from '../lock/lock-file';
import type { EnvironmentLock } from '../lock/stateful-resources';
import { UsageError, type CommandIo } from './io';

export const LOCK_USAGE = `  appapi lock [--env ENV]... [--check] [--allow-data-loss NAME]...
      Records the tables (names, keys, indexes, TTL) and secrets of each environment (all of
      cdk.json's by default) in appapi.lock.json, the deployed state cdk synth checks changes
      against. appapi deploy does this after each deploy; run it by hand only for what is deployed.
      Refuses, like synth, a change that would replace or delete one unless it is named.
      --check compares and writes nothing.`;

/** A change the lock refuses to record; the message lists each with its way forward. */
export class LockRefusedError extends Error {}

export interface LockCommandDeps {
  /** @default - the apps of lib/apps */
  readonly apps?: readonly AppDeclaration[];
  /** @default - the project's appapi.lock.json */
  readonly lockFile?: string;
  /** @default - cdk.json's context */
  readonly context?: Record<string, unknown>;
}

export function lockCommand(argv: readonly string[], io: CommandIo, deps: LockCommandDeps = {}): number {
  const { values, positionals } = parseArgs({
    args: [...argv],
    options: { env: { type: 'string', multiple: true }, check: { type: 'boolean', default: false }, 'allow-data-loss': { type: 'string', multiple: true }, help: { type: 'boolean', short: 'h', default: false } },
    allowPositionals: true,
    strict: true,
  });
  if (values.help) {
    io.out(`Usage:\n${LOCK_USAGE}`);
    return 0;
  }
  if (positionals.length > 0) throw new UsageError(`lock takes no positional arguments (received ${positionals.join(' ')}); name environments with --env.`);
  const context = deps.context ?? projectContext();
  const lockFile = deps.lockFile ?? PROJECT_LOCK_FILE;
  const environments = values.env ?? parseEnvironmentTargets(context[ENVIRONMENTS_CONTEXT]).map((target) => target.name);
  const fromContext = parseAllowDataLoss(context[ALLOW_DATA_LOSS_CONTEXT]);
  const recorded = readLockFile(lockFile)?.environments ?? {};
  const updates: Record<string, EnvironmentLock> = {};
  const refusals: string[] = [];
  for (const env of environments) {
    const current = snapshotEnvironment(loadEnvironment(env, deps.apps));
    const locked = recorded[env];
    const findings = locked ? checkAgainstLock(env, locked, current, { allowDataLoss: [...(fromContext[env] ?? []), ...(values['allow-data-loss'] ?? [])] }) : [];
    for (const finding of findings) {
      if (finding.severity === 'error') refusals.push(finding.message);
      else io.out(`Note: ${finding.message}`);
    }
    const same = locked !== undefined && JSON.stringify(locked) === JSON.stringify(current);
    io.out(`${env}: ${locked === undefined ? 'not recorded yet' : same ? 'recorded as declared' : 'declarations differ from what is recorded'}.`);
    if (!same) updates[env] = current;
  }
  if (refusals.length > 0) {
    throw new LockRefusedError(`Not recording${values.check ? '' : ' anything'}; these changes would replace or delete data:\n${refusals.map((line) => `- ${line}`).join('\n')}`);
  }
  if (values.check || Object.keys(updates).length === 0) return 0;
  writeLockEnvironments(updates, lockFile);
  io.out(`Recorded ${Object.keys(updates).join(', ')} in ${relative(process.cwd(), lockFile) || lockFile}. Commit it.`);
  return 0;
}
