import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, type Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { Construct } from 'constructs';
import { AppApiStack, type AppApiStackProps, type AppDeclaration } from '../../lib';
import { validateTemplatesThroughCache } from './cfn-validate-cache';
import { temporaryFolder } from './temporary-folder';

// every synth of a test validates its templates once across processes and runs (see cfn-validate-cache.ts)
validateTemplatesThroughCache();

const projectContext = JSON.parse(readFileSync(join(__dirname, '..', '..', 'cdk.json'), 'utf8')).context as Record<string, unknown>;

/** An App with the project's cdk.json context (feature flags included), as `cdk synth` has it. */
export function newApp(context: Record<string, unknown> = {}): App {
  return new App({ context: { ...projectContext, ...context }, outdir: temporaryFolder('appapi-test-') });
}

/** One environment stack declaring the given apps. */
export function environmentStack(apps: readonly AppDeclaration[], props: Partial<AppApiStackProps> = {}, app = newApp()): AppApiStack {
  return new AppApiStack(app, `AppApi-${props.environment ?? 'dev'}`, { environment: 'dev', apps, ...props });
}

/** The templates of a stack and of every nested stack under it. */
export function allTemplates(stack: Stack): Array<{ stack: Stack; template: Template }> {
  const stacks = [stack, ...stack.node.findAll().filter((c: Construct): c is Stack => c !== stack && (c as Stack).templateFile !== undefined && (c as Stack).nested)];
  return stacks.map((s) => ({ stack: s, template: Template.fromStack(s) }));
}

export interface ValidationViolation {
  readonly plugin: string;
  readonly ruleName: string;
  readonly severity: string;
  readonly constructPaths: readonly string[];
}

/**
 * Findings of CDK's validation report (cdk-nag, CloudFormation Validate, annotations) after a
 * synth; empty when the report was not written because nothing was found.
 */
export function validationFindings(assemblyDirectory: string): { violations: ValidationViolation[]; acknowledged: ValidationViolation[] } {
  const path = join(assemblyDirectory, 'validation-report.json');
  if (!existsSync(path)) return { violations: [], acknowledged: [] };
  const report = JSON.parse(readFileSync(path, 'utf8')) as {
    pluginReports: Array<{
      pluginName: string;
      violations?: Array<{ ruleName: string; severity: string; violatingConstructs: Array<{ constructPath: string }> }>;
      suppressedViolations?: Array<{ ruleName: string; severity: string; violatingConstructs: Array<{ constructPath: string }> }>;
    }>;
  };
  const flatten = (plugin: string, list: NonNullable<(typeof report.pluginReports)[number]['violations']> = []): ValidationViolation[] =>
    list.map((v) => ({ plugin, ruleName: v.ruleName, severity: v.severity, constructPaths: v.violatingConstructs.map((c) => c.constructPath) }));
  return {
    violations: report.pluginReports.flatMap((r) => flatten(r.pluginName, r.violations)),
    acknowledged: report.pluginReports.flatMap((r) => flatten(r.pluginName, r.suppressedViolations)),
  };
}
