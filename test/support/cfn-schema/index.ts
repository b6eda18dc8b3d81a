import { referenceProblems, type Problem } from './references';
import { CfnSpec } from './spec';
import { isCustomResourceType, isPlainObject, TemplateScope, type CfnResource, type CfnTemplate } from './template';
import { ValueChecker } from './values';

export type { CfnTemplate } from './template';

/** One schema problem, located by the resource's (or output's) logical id and a path inside it. */
export interface CfnSchemaFinding {
  readonly logicalId: string;
  readonly path: string;
  readonly problem: string;
  /** `logicalId path: problem`, one line. */
  readonly message: string;
}

export interface CheckOptions {
  /** Templates of the nested stacks, by the logical id of their AWS::CloudFormation::Stack resource. */
  readonly nestedTemplates?: Readonly<Record<string, CfnTemplate>>;
}

// https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-product-attribute-reference.html
const RESOURCE_ATTRIBUTES = new Set(['Type', 'Properties', 'DependsOn', 'Condition', 'Metadata', 'DeletionPolicy', 'UpdateReplacePolicy', 'CreationPolicy', 'UpdatePolicy']);
const DELETION_POLICIES = ['Delete', 'Retain', 'RetainExceptOnCreate', 'Snapshot'];
const UPDATE_REPLACE_POLICIES = ['Delete', 'Retain', 'Snapshot'];

/**
 * Checks a synthesized template against the CloudFormation resource specification shipped by
 * @aws-cdk/aws-service-spec: resource types, property names, required properties, value types
 * (nested property types too) and enums, Fn::GetAtt attribute names, and the targets of Ref,
 * Fn::GetAtt, Fn::Sub, DependsOn and conditions. Intrinsic functions are accepted wherever what
 * they can produce fits, so a finding is a defect CloudFormation would reject at deploy time.
 */
export function checkTemplate(template: CfnTemplate, options: CheckOptions = {}): CfnSchemaFinding[] {
  const spec = CfnSpec.load();
  const scope = new TemplateScope(template, options.nestedTemplates);
  const findings: CfnSchemaFinding[] = [];
  const add = (logicalId: string, problems: readonly Problem[]): void => {
    for (const { path, problem } of problems) findings.push({ logicalId, path, problem, message: `${logicalId} ${path}: ${problem}` });
  };

  for (const [logicalId, resource] of Object.entries(template.Resources ?? {})) add(logicalId, resourceProblems(resource, logicalId, scope, spec));
  for (const [name, output] of Object.entries(template.Outputs ?? {})) {
    add(name, referenceProblems(output, 'Outputs', scope, spec));
    if (output.Condition !== undefined && (typeof output.Condition !== 'string' || !scope.hasCondition(output.Condition))) {
      add(name, [{ path: 'Outputs.Condition', problem: `condition ${JSON.stringify(output.Condition)} is not declared in Conditions` }]);
    }
  }
  for (const [name, condition] of Object.entries(template.Conditions ?? {})) add(name, referenceProblems(condition, 'Conditions', scope, spec, true));
  for (const [name, rule] of Object.entries(template.Rules ?? {})) add(name, referenceProblems(rule, 'Rules', scope, spec));
  return findings;
}

function resourceProblems(resource: CfnResource, logicalId: string, scope: TemplateScope, spec: CfnSpec): Problem[] {
  if (!isPlainObject(resource)) return [{ path: '', problem: 'a resource must be an object with a Type' }];
  const problems: Problem[] = [];
  for (const key of Object.keys(resource)) {
    if (!RESOURCE_ATTRIBUTES.has(key)) problems.push({ path: key, problem: `unknown resource attribute "${key}"` });
  }
  for (const [key, allowed] of [['DeletionPolicy', DELETION_POLICIES], ['UpdateReplacePolicy', UPDATE_REPLACE_POLICIES]] as const) {
    if (resource[key] !== undefined && !allowed.includes(resource[key] as string)) problems.push({ path: key, problem: `${JSON.stringify(resource[key])} is not one of ${allowed.join(', ')}` });
  }
  if (resource.Condition !== undefined && (typeof resource.Condition !== 'string' || !scope.hasCondition(resource.Condition))) {
    problems.push({ path: 'Condition', problem: `condition ${JSON.stringify(resource.Condition)} is not declared in Conditions` });
  }
  problems.push(...dependsOnProblems(resource.DependsOn, logicalId, scope));
  for (const key of ['Properties', 'CreationPolicy', 'UpdatePolicy']) {
    if (resource[key] !== undefined) problems.push(...referenceProblems(resource[key], key, scope, spec));
  }

  const type = resource.Type;
  if (typeof type !== 'string') return [...problems, { path: 'Type', problem: `expected a resource type name, got ${JSON.stringify(type)}` }];
  const custom = isCustomResourceType(type);
  const resourceSpec = spec.resource(custom ? 'AWS::CloudFormation::CustomResource' : type);
  if (!resourceSpec) return [...problems, { path: 'Type', problem: `"${type}" is not a CloudFormation resource type` }];
  const checker = new ValueChecker(spec, scope);
  // a custom resource passes any property on to its provider; only ServiceToken is CloudFormation's
  problems.push(...checker.propertiesProblems(resource.Properties ?? {}, resourceSpec.properties, 'Properties', type, custom));
  if (type === 'AWS::CloudFormation::Stack') problems.push(...nestedParameterProblems(resource, scope.nestedTemplates[logicalId]));
  return problems;
}

function dependsOnProblems(dependsOn: unknown, logicalId: string, scope: TemplateScope): Problem[] {
  if (dependsOn === undefined) return [];
  const targets = Array.isArray(dependsOn) ? dependsOn : [dependsOn];
  return targets.flatMap((target, index): Problem[] => {
    const path = Array.isArray(dependsOn) ? `DependsOn[${index}]` : 'DependsOn';
    if (typeof target !== 'string') return [{ path, problem: `DependsOn takes logical ids, got ${JSON.stringify(target)}` }];
    if (target === logicalId) return [{ path, problem: 'a resource cannot depend on itself' }];
    return scope.resource(target) ? [] : [{ path, problem: `DependsOn "${target}", which is not a resource of this template` }];
  });
}

/** A nested stack is given exactly the parameters its template declares, and every one without a Default. */
function nestedParameterProblems(resource: CfnResource, nested: CfnTemplate | undefined): Problem[] {
  if (!nested) return [];
  const given = isPlainObject(resource.Properties) && isPlainObject(resource.Properties.Parameters) ? resource.Properties.Parameters : {};
  const declared = nested.Parameters ?? {};
  const problems: Problem[] = Object.keys(given)
    .filter((name) => !Object.hasOwn(declared, name))
    .map((name) => ({ path: `Properties.Parameters.${name}`, problem: `the nested stack's template declares no parameter "${name}"` }));
  for (const [name, parameter] of Object.entries(declared)) {
    if (parameter.Default === undefined && !Object.hasOwn(given, name)) problems.push({ path: `Properties.Parameters.${name}`, problem: `the nested stack's parameter "${name}" has no Default and is not given` });
  }
  return problems;
}
