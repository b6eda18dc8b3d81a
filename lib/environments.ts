import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { apps as declaredApps } from './apps';
import { AppApiStack, type AppDeclaration } from './constructs/app-api-stack';

export const ENVIRONMENTS_CONTEXT = 'appapi:environments';
export const DEFAULT_ENVIRONMENTS = ['dev', 'staging', 'prod'] as const;

export function stackName(environment: string): string {
  return `AppApi-${environment}`;
}

/** The environments listed in cdk.json's context (`appapi:environments`). */
export function environmentNames(app: App): string[] {
  const value: unknown = app.node.tryGetContext(ENVIRONMENTS_CONTEXT) ?? DEFAULT_ENVIRONMENTS;
  const names = typeof value === 'string' ? value.split(',').map((name) => name.trim()) : value;
  if (!Array.isArray(names) || names.length === 0 || names.some((name) => typeof name !== 'string' || name === '')) {
    throw new Error(`cdk.json context "${ENVIRONMENTS_CONTEXT}" must be a non-empty list of environment names, e.g. ["dev", "staging", "prod"]; received ${JSON.stringify(value)}.`);
  }
  return names as string[];
}

export interface BuildOptions {
  /** @default - the apps of lib/apps */
  readonly apps?: readonly AppDeclaration[];
  /**
   * Run cdk-nag's AwsSolutions pack as a validation plugin: any unacknowledged finding fails synth.
   * @default true
   */
  readonly nag?: boolean;
}

/** One AppApiStack per environment: exactly what `cdk synth` builds. */
export function buildEnvironments(app: App, options: BuildOptions = {}): AppApiStack[] {
  if (options.nag ?? true) Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return environmentNames(app).map(
    (environment) =>
      new AppApiStack(app, stackName(environment), {
        environment,
        apps: options.apps ?? declaredApps,
        env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
      }),
  );
}

/**
 * One environment's stack, built from the same declarations and cdk.json context as `cdk synth`
 * (without cdk-nag, which the CLI and the local gateway do not need): what local mode and the
 * CLI read their manifest from. Throws, listing the environments, for an unknown name.
 * `resourcePrefix` renames the tables for local mode only (see lib/local/table-prefix.ts).
 */
export function loadEnvironment(environment: string, apps: readonly AppDeclaration[] = declaredApps, options: { readonly resourcePrefix?: string } = {}): AppApiStack {
  const cdkJson = JSON.parse(readFileSync(join(__dirname, '..', 'cdk.json'), 'utf8')) as { context?: Record<string, unknown> };
  const app = new App({ context: cdkJson.context ?? {}, outdir: mkdtempSync(join(tmpdir(), 'appapi-env-')) });
  const names = environmentNames(app);
  if (!names.includes(environment)) {
    throw new Error(`Unknown environment "${environment}". cdk.json declares: ${names.join(', ')}.`);
  }
  return new AppApiStack(app, stackName(environment), { environment, apps, ...(options.resourcePrefix ? { resourcePrefix: options.resourcePrefix } : {}) });
}
