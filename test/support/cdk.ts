import { readFileSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, type Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { Construct } from 'constructs';
import { AppApiStack, type AppApiStackProps, type AppDeclaration } from '../../lib';

const projectContext = JSON.parse(readFileSync(join(__dirname, '..', '..', 'cdk.json'), 'utf8')).context as Record<string, unknown>;

/** An App with the project's cdk.json context (feature flags included), as `cdk synth` has it. */
export function newApp(context: Record<string, unknown> = {}): App {
  return new App({ context: { ...projectContext, ...context }, outdir: mkdtempSync(join(tmpdir(), 'appapi-test-')) });
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
