import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Stage, Validations, type Environment } from 'aws-cdk-lib';
import { apps as declaredApps } from './apps';
import { AccountSetupStack } from './constructs/account-setup-stack';
import { AppApiStack, type AppApiStackProps, type AppDeclaration } from './constructs/app-api-stack';
import { ENVIRONMENTS_CONTEXT, findEnvironmentTarget, parseEnvironmentTargets, stackName, type EnvironmentTarget } from './environment-targets';
import { APPS_CONTEXT, listedApps } from './listed-apps';
import { ALLOW_DATA_LOSS_CONTEXT, parseAllowDataLoss } from './lock/allow-data-loss';
import { readLockFile } from './lock/lock-file';
import { guardStatefulResources } from './lock/stateful-guard';
import type { LockFile } from './lock/stateful-resources';
import { projectContext } from './project-context';

export { projectContext } from './project-context';
export { findEnvironmentTarget, stackName } from './environment-targets';
export { DEFAULT_ENVIRONMENTS, ENVIRONMENTS_CONTEXT, EnvironmentConfigError, type EnvironmentTarget } from './environment-targets';

/** The CloudFormation name of the account-setup stack, the same in every account and region. */
export const ACCOUNT_STACK_NAME = 'AppApi-account';


/** The environments of cdk.json's context (`appapi:environments`), with their accounts and regions. */
export function environmentTargets(app: App): EnvironmentTarget[] {
  return parseEnvironmentTargets(app.node.tryGetContext(ENVIRONMENTS_CONTEXT));
}

/** The names of the environments of cdk.json's context. */
export function environmentNames(app: App): string[] {
  return environmentTargets(app).map((target) => target.name);
}

/**
 * The account and region an environment's stacks are deployed to: its entry's, else the CLI's
 * defaults (the credentials and profile `cdk` runs with); unset, the stack is environment-agnostic.
 */
export function stackEnvironment(target: EnvironmentTarget): Environment {
  return { account: target.account ?? process.env.CDK_DEFAULT_ACCOUNT, region: target.region ?? process.env.CDK_DEFAULT_REGION };
}

/**
 * The project's apps: those lib/apps/index.ts lists, then those of the modules cdk.json's
 * `appapi:apps` lists (apps in folders or packages of their own; see lib/listed-apps.ts).
 */
export function projectApps(context: Record<string, unknown> = projectContext()): AppDeclaration[] {
  return [...declaredApps, ...listedApps(context[APPS_CONTEXT])];
}

export interface BuildOptions {
  /** @default - the project's apps: lib/apps, then the modules cdk.json's `appapi:apps` lists */
  readonly apps?: readonly AppDeclaration[];
  /**
   * Run cdk-nag's AwsSolutions pack as a validation plugin: any unacknowledged finding fails synth.
   * @default true
   */
  readonly nag?: boolean;
  /**
   * What each environment has deployed: synth fails on a change that would replace or delete a
   * table or secret of it (see README, "Changing a model safely"); `null` checks nothing.
   * @default - the project's appapi.lock.json when the apps are the project's own (lib/apps), else null
   */
  readonly lock?: LockFile | null;
}

export interface AppApiStacks {
  /** One per environment, in the order of cdk.json. */
  readonly environments: AppApiStack[];
  /** One per distinct account and region of the environments; each environment depends on its own. */
  readonly accounts: AccountSetupStack[];
}

/**
 * Exactly what `cdk synth` builds: an AccountSetupStack per account and region the environments
 * use, and an AppApiStack per environment depending on the account stack of its account and region.
 */
export function buildStacks(app: App, options: BuildOptions = {}): AppApiStacks {
  if (options.nag ?? true) {
    // loaded only here (about 0.4 s): local mode and the CLI build without it
    const { AwsSolutionsChecks } = require('cdk-nag') as typeof import('cdk-nag');
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  }
  const placed = environmentTargets(app).map((target) => ({ target, env: stackEnvironment(target) }));
  const places = [...new Map(placed.map(({ env }) => [placeKey(env), env])).entries()];
  const accounts = new Map(
    places.map(([key, env]) => [
      key,
      // one CloudFormation name everywhere; the construct id (what `cdk deploy` selects) tells them apart when there are several
      new AccountSetupStack(app, places.length === 1 ? ACCOUNT_STACK_NAME : `${ACCOUNT_STACK_NAME}-${placeLabel(env)}`, { stackName: ACCOUNT_STACK_NAME, env }),
    ]),
  );
  const lock = options.lock !== undefined ? options.lock : options.apps === undefined || options.apps === declaredApps ? readLockFile() : null;
  const apps = options.apps ?? [...declaredApps, ...listedApps(app.node.tryGetContext(APPS_CONTEXT))];
  // names stay pinned to the project's deployed state even for other apps: pins only keep names
  const pins = options.lock !== undefined ? options.lock : readLockFile();
  const allowDataLoss = parseAllowDataLoss(app.node.tryGetContext(ALLOW_DATA_LOSS_CONTEXT));
  const environments = placed.map(({ target, env }) => {
    const stack = new AppApiStack(app, stackName(target.name), {
      environment: target.name,
      apps,
      env,
      accountSetup: accounts.get(placeKey(env))!,
      ...operationsSettings(target),
      ...deployedNames(pins, target.name),
    });
    if (lock) guardStatefulResources(stack, target.name, lock.environments[target.name], allowDataLoss[target.name]);
    return stack;
  });
  return { environments, accounts: [...accounts.values()] };
}

/** One AppApiStack per environment (and, behind them, the account-setup stacks): what `cdk synth` builds. */
export function buildEnvironments(app: App, options: BuildOptions = {}): AppApiStack[] {
  return buildStacks(app, options).environments;
}

/**
 * One environment's stack, built from the same declarations and cdk.json context as `cdk synth`
 * (without cdk-nag and the account-setup stack, which the CLI and the local gateway do not need):
 * what local mode and the CLI read their manifest from. Throws, listing the environments, for an
 * unknown name. `resourcePrefix` renames the tables for local mode only (see lib/local/table-prefix.ts);
 * `context` replaces cdk.json's (its `appapi:apps` paths still start at the project folder).
 */
export function loadEnvironment(
  environment: string,
  apps?: readonly AppDeclaration[],
  options: { readonly resourcePrefix?: string; readonly context?: Record<string, unknown>; /** Build the Lambda bundles. @default true */ readonly bundling?: boolean } = {},
): AppApiStack {
  const given = options.context ?? projectContext();
  // CDK's own switch (as `cdk synth --exclusively` uses it): no stack is bundled
  const context = options.bundling === false ? { ...given, 'aws:cdk:bundling-stacks': [] } : given;
  const target = findEnvironmentTarget(environment, context);
  const app = new App({ context, outdir: temporaryOutdir() });
  return new AppApiStack(app, stackName(environment), {
    environment,
    apps: apps ?? projectApps(context),
    env: stackEnvironment(target),
    ...operationsSettings(target),
    ...deployedNames(readLockFile(), environment),
    ...(options.resourcePrefix ? { resourcePrefix: options.resourcePrefix } : {}),
  });
}

const OUTDIRS = Symbol.for('appapi.environmentOutdirs');

/**
 * Removes the folder a loadEnvironment stack would synthesize into (CDK creates one for every
 * App, and stages assets into it as they are declared): for callers that read the stack without
 * synthesizing it. Whatever a caller does not release goes when the process exits.
 */
export function releaseEnvironment(stack: AppApiStack): void {
  const outdir = Stage.of(stack)?.outdir;
  if (outdir && temporaryOutdirs.delete(outdir)) rmSync(outdir, { recursive: true, force: true });
}

/**
 * The outdirs not released yet, removed at exit: one set per process, not per load of this module
 * (the local gateway loads it afresh on every reload), so that one exit listener serves them all.
 */
const temporaryOutdirs: Set<string> = ((globalThis as { [OUTDIRS]?: Set<string> })[OUTDIRS] ??= processOutdirs());

function processOutdirs(): Set<string> {
  const outdirs = new Set<string>();
  process.once('exit', () => {
    for (const outdir of outdirs) rmSync(outdir, { recursive: true, force: true });
  });
  return outdirs;
}

function temporaryOutdir(): string {
  const outdir = mkdtempSync(join(tmpdir(), 'appapi-env-'));
  temporaryOutdirs.add(outdir);
  return outdir;
}

/** The names the lock records as deployed bare in an environment (lib/scoped-names.ts). */
function deployedNames(lock: LockFile | null | undefined, environment: string): Pick<AppApiStackProps, 'deployedNames'> {
  const locked = lock?.environments[environment];
  return locked ? { deployedNames: { models: locked.models, ...(locked.appApis ? { appApis: locked.appApis } : {}) } } : {};
}

/** An entry's monitoring, alarm e-mail and tracing, as AppApiStack props (absent keys keep its defaults). */
function operationsSettings(target: EnvironmentTarget): Pick<AppApiStackProps, 'monitoring' | 'alarmEmail' | 'tracing'> {
  return {
    ...(target.monitoring !== undefined ? { monitoring: target.monitoring } : {}),
    ...(target.alarmEmail !== undefined ? { alarmEmail: target.alarmEmail } : {}),
    ...(target.tracing !== undefined ? { tracing: target.tracing } : {}),
  };
}

function placeKey(env: Environment): string {
  return `${env.account ?? '*'}/${env.region ?? '*'}`;
}

function placeLabel(env: Environment): string {
  return [env.account, env.region].filter(Boolean).join('-') || 'default';
}
