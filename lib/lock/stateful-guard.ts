import { Annotations, type Stack } from 'aws-cdk-lib';
import { snapshotEnvironment } from './environment-snapshot';
import { checkAgainstLock } from './lock-check';
import type { EnvironmentLock } from './stateful-resources';

/**
 * Makes synth of an environment stack fail when its tables or secrets differ from what
 * appapi.lock.json records as deployed in a way that would lose data or fail the update; backfills
 * the change needs are warnings. Runs as a validation, after every declaration has been added.
 */
export function guardStatefulResources(stack: Stack, environment: string, locked: EnvironmentLock | undefined, allowDataLoss: readonly string[] = []): void {
  if (!locked) {
    Annotations.of(stack).addInfo(`appapi.lock.json records nothing for ${environment} yet, so nothing is checked against a deployed state. After its first deploy, appapi deploy (or appapi lock --env ${environment}) records it; commit the file.`);
    return;
  }
  stack.node.addValidation({
    validate: () => {
      const findings = checkAgainstLock(environment, locked, snapshotEnvironment(stack), { allowDataLoss });
      for (const finding of findings) if (finding.severity === 'warning') Annotations.of(stack).addWarningV2(finding.id, finding.message);
      return findings.filter((finding) => finding.severity === 'error').map((finding) => `[${finding.id}] ${finding.message}`);
    },
  });
}
