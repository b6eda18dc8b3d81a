import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { NestedStack, Stack } from 'aws-cdk-lib';
import type { CfnTemplate } from './template';

export interface SynthesizedTemplate {
  /** The stack's construct path, e.g. `AppApi-dev/Routes/bookings`. */
  readonly name: string;
  readonly template: CfnTemplate;
  /** Templates of the stacks nested directly in this one, by their AWS::CloudFormation::Stack logical id. */
  readonly nestedTemplates: Readonly<Record<string, CfnTemplate>>;
}

/**
 * Every template that a synth wrote for these stacks, nested stacks' included, read from the
 * cloud assembly directory (where `cdk deploy` uploads them from), each with its nested
 * stacks' templates so that their parameters and outputs can be checked.
 */
export function synthesizedTemplates(assemblyDirectory: string, stacks: readonly Stack[]): SynthesizedTemplate[] {
  const read = (stack: Stack): CfnTemplate => JSON.parse(readFileSync(join(assemblyDirectory, stack.templateFile), 'utf8')) as CfnTemplate;
  const all = stacks.flatMap((stack) => [stack, ...stack.node.findAll().filter((child): child is NestedStack => NestedStack.isNestedStack(child))]);
  return all.map((stack) => {
    const children = all.filter((candidate): candidate is NestedStack => NestedStack.isNestedStack(candidate) && candidate.nestedStackParent === stack);
    const nestedTemplates = Object.fromEntries(children.map((child) => [stack.resolve(child.nestedStackResource!.logicalId) as string, read(child)]));
    return { name: stack.node.path, template: read(stack), nestedTemplates };
  });
}
