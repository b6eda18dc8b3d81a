import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { CloudFormationValidatePlugin, type IPolicyValidationContext, type PolicyValidationPluginReport, type PolicyViolation } from 'aws-cdk-lib';

/**
 * CDK runs "CloudFormation Validate" (a WebAssembly engine holding every resource schema) in every
 * synth, and `Template.fromStack` synthesizes. Starting the engine costs about 6 s of CPU in each
 * process and checking a template about half a second, which made it most of the CPU of the
 * construct tests. Its findings depend only on the template, the stack's place (construct path,
 * account, region) and the engine's version, so here they are kept on disk by those, like the
 * Lambda bundles (lib/constructs/bundle-cache.ts): every template a test synthesizes is still
 * validated, and a template validated before (in this run or an earlier one) is not validated
 * again. What synth does with the findings (fail on errors, the validation report) is CDK's own,
 * unchanged.
 */
const CACHE_DIRECTORY = join(tmpdir(), 'appapi-cfn-validate');

interface StoredViolation extends Omit<PolicyViolation, 'violatingResources'> {
  readonly violatingResources: Array<Omit<PolicyViolation['violatingResources'][number], 'templatePath'>>;
}

/** What decides the engine's answer besides the template: aws-cdk-lib pins the engine and its rules. */
const ENGINE_VERSION = (() => {
  const cdkRoot = dirname(require.resolve('aws-cdk-lib/package.json'));
  const version = (path: string) => (JSON.parse(readFileSync(path, 'utf8')) as { version: string }).version;
  return `aws-cdk-lib@${version(join(cdkRoot, 'package.json'))} ${readFileSync(join(cdkRoot, 'core', 'lib', 'validation', 'rules', 'index.generated.json'), 'utf8')}`;
})();

type Stack = IPolicyValidationContext['stackTemplates'][number];

export class CachedCloudFormationValidate extends CloudFormationValidatePlugin {
  override validate(context: IPolicyValidationContext): PolicyValidationPluginReport {
    const stacks = context.stackTemplates.map((stack) => {
      const key = cacheKey(stack);
      return { stack, key, found: readFindings(key) };
    });
    const unknown = stacks.filter((entry) => entry.found === undefined);
    if (unknown.length) {
      const report = super.validate({ ...context, stackTemplates: unknown.map((entry) => entry.stack) });
      for (const entry of unknown) {
        entry.found = findingsOf(report.violations, entry.stack.templatePath);
        writeFindings(entry.key, entry.found);
      }
    }
    // merged as the plugin merges them: one violation per rule, severity and description
    const violations: Array<PolicyViolation & { violatingResources: PolicyViolation['violatingResources'][number][] }> = [];
    for (const { stack, found } of stacks) {
      for (const stored of found!) {
        const resources = stored.violatingResources.map((resource) => ({ ...resource, templatePath: stack.templatePath }));
        const existing = violations.find((v) => v.ruleName === stored.ruleName && v.severity === stored.severity && v.description === stored.description);
        if (existing) existing.violatingResources.push(...resources);
        else violations.push({ ...stored, violatingResources: resources });
      }
    }
    return { success: violations.every((v) => v.severity !== 'error' && v.severity !== 'fatal'), violations };
  }
}

/**
 * Makes every App of this process validate through the cache: CDK adds the plugin it gets from
 * `CloudFormationValidatePlugin._singletonInstance()` to each synth (unless the app registered its
 * own), so that is where the cached one goes in.
 */
export function validateTemplatesThroughCache(): void {
  const plugin = CloudFormationValidatePlugin as unknown as { _singletonInstance(): CloudFormationValidatePlugin; cached?: CloudFormationValidatePlugin };
  if (plugin.cached) return;
  const cached = new CachedCloudFormationValidate();
  plugin.cached = cached;
  plugin._singletonInstance = () => cached;
}

function cacheKey(stack: Stack): string {
  return createHash('sha256')
    .update(ENGINE_VERSION)
    .update('\0')
    .update(JSON.stringify([stack.stackConstructPath, stack.accountId ?? null, stack.region ?? null]))
    .update('\0')
    .update(readFileSync(stack.templatePath))
    .digest('hex')
    .slice(0, 40);
}

/** The part of the plugin's violations that is about one template, without its (temporary) path. */
function findingsOf(violations: readonly PolicyViolation[], templatePath: string): StoredViolation[] {
  return violations.flatMap((violation) => {
    const resources = violation.violatingResources.filter((resource) => resource.templatePath === templatePath);
    if (!resources.length) return [];
    return [{ ...violation, violatingResources: resources.map(({ templatePath: _path, ...resource }) => resource) }];
  });
}

function readFindings(key: string): StoredViolation[] | undefined {
  try {
    return JSON.parse(readFileSync(join(CACHE_DIRECTORY, `${key}.json`), 'utf8')) as StoredViolation[];
  } catch {
    return undefined;
  }
}

function writeFindings(key: string, findings: readonly StoredViolation[]): void {
  mkdirSync(CACHE_DIRECTORY, { recursive: true });
  // written whole, then renamed: a process reading at the same time sees no record or the whole one
  const path = join(CACHE_DIRECTORY, `${key}.json`);
  const staging = `${path}.${process.pid}.tmp`;
  writeFileSync(staging, JSON.stringify(findings));
  renameSync(staging, path);
}
