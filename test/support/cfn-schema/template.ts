/** The parts of a CloudFormation template the checker reads. */
export interface CfnTemplate {
  readonly Parameters?: Readonly<Record<string, { readonly Type?: string; readonly Default?: unknown }>>;
  readonly Mappings?: Readonly<Record<string, unknown>>;
  readonly Conditions?: Readonly<Record<string, unknown>>;
  readonly Resources?: Readonly<Record<string, CfnResource>>;
  readonly Outputs?: Readonly<Record<string, { readonly Value?: unknown; readonly Condition?: unknown; readonly Export?: unknown }>>;
  readonly Rules?: Readonly<Record<string, unknown>>;
}

export interface CfnResource {
  readonly Type?: unknown;
  readonly Properties?: unknown;
  readonly DependsOn?: unknown;
  readonly Condition?: unknown;
  readonly [attribute: string]: unknown;
}

/** What one template can name: its own resources, parameters, conditions and mappings, and its nested stacks' templates. */
export class TemplateScope {
  constructor(
    readonly template: CfnTemplate,
    /** Templates of the nested stacks, by the logical id of their AWS::CloudFormation::Stack resource. */
    readonly nestedTemplates: Readonly<Record<string, CfnTemplate>> = {},
  ) {}

  resource(logicalId: string): CfnResource | undefined {
    return Object.hasOwn(this.template.Resources ?? {}, logicalId) ? this.template.Resources![logicalId] : undefined;
  }

  parameter(name: string): { readonly Type?: string } | undefined {
    return Object.hasOwn(this.template.Parameters ?? {}, name) ? this.template.Parameters![name] : undefined;
  }

  hasCondition(name: string): boolean {
    return Object.hasOwn(this.template.Conditions ?? {}, name);
  }

  hasMapping(name: string): boolean {
    return Object.hasOwn(this.template.Mappings ?? {}, name);
  }
}

// https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/pseudo-parameter-reference.html
export const PSEUDO_PARAMETERS: ReadonlySet<string> = new Set([
  'AWS::AccountId',
  'AWS::NotificationARNs',
  'AWS::NoValue',
  'AWS::Partition',
  'AWS::Region',
  'AWS::StackId',
  'AWS::StackName',
  'AWS::URLSuffix',
]);

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `Ref` or `Fn::…` when the value is an intrinsic function call (an object with that single key). */
export function intrinsicName(value: unknown): string | undefined {
  if (!isPlainObject(value)) return undefined;
  const keys = Object.keys(value);
  if (keys.length !== 1) return undefined;
  return keys[0] === 'Ref' || keys[0].startsWith('Fn::') ? keys[0] : undefined;
}

/** `{ "Ref": "AWS::NoValue" }`: the property is removed, as if never written. */
export function isNoValue(value: unknown): boolean {
  return isPlainObject(value) && intrinsicName(value) === 'Ref' && value.Ref === 'AWS::NoValue';
}

/** Fn::GetAtt's target and attribute, from either spelling: `["Id", "Attr"]` or `"Id.Attr"`. */
export function getAttParts(argument: unknown): { logicalId: string; attribute: unknown } | undefined {
  if (typeof argument === 'string') {
    const dot = argument.indexOf('.');
    return dot > 0 ? { logicalId: argument.slice(0, dot), attribute: argument.slice(dot + 1) } : undefined;
  }
  if (Array.isArray(argument) && argument.length === 2 && typeof argument[0] === 'string') return { logicalId: argument[0], attribute: argument[1] };
  return undefined;
}

/** The `${…}` names of an Fn::Sub string that are references (not `${!Literal}` escapes). */
export function subVariables(text: string): string[] {
  return [...text.matchAll(/\$\{([^}]*)\}/g)].map((match) => match[1]).filter((name) => !name.startsWith('!'));
}

export function isCustomResourceType(type: string): boolean {
  return type.startsWith('Custom::') || type === 'AWS::CloudFormation::CustomResource';
}
