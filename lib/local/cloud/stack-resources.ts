import { CfnResource, Stack } from 'aws-cdk-lib';

/** One resource of an environment as its template says it: nested stacks included. */
export interface TemplateResource {
  readonly logicalId: string;
  readonly type: string;
  readonly properties: Record<string, unknown>;
  /** The construct path of its stack, e.g. `AppApi-dev` or `AppApi-dev/Routes+customers`. */
  readonly stackPath: string;
}

/**
 * The environment's resources of the given types, each rendered and resolved as `cdk synth`
 * writes it into its template — escape-hatch overrides included — without a full synth, which
 * costs seconds (asset staging, validation plugins). Aspects, which only a synth runs, are not
 * applied.
 */
export function templateResources(environment: Stack, types: ReadonlySet<string>): TemplateResource[] {
  return environment.node
    .findAll()
    .filter((construct): construct is CfnResource => CfnResource.isCfnResource(construct) && types.has(construct.cfnResourceType))
    .map(renderedResource);
}

/** One resource as its stack renders it into the template (see templateResources). */
export function renderedResource(resource: CfnResource): TemplateResource {
  const stack = Stack.of(resource);
  // _toCloudFormation is how a stack renders its resources into the template
  // through JSON like the template file: properties left undefined are not in it
  const rendered = JSON.parse(JSON.stringify(stack.resolve((resource as unknown as { _toCloudFormation(): unknown })._toCloudFormation()))) as { Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }> };
  const [logicalId, body] = Object.entries(rendered.Resources)[0]!;
  return { logicalId, type: body.Type, properties: body.Properties ?? {}, stackPath: stack.node.path };
}

/**
 * The Properties of the WAF web ACL associated with the environment's stage, as the template has
 * them; undefined when no web ACL is associated.
 */
export function stageWebAclProperties(environment: Stack): Record<string, unknown> | undefined {
  const resources = templateResources(environment, new Set(['AWS::WAFv2::WebACL', 'AWS::WAFv2::WebACLAssociation']));
  const associated = resources
    .filter((resource) => resource.type === 'AWS::WAFv2::WebACLAssociation')
    .map((association) => (association.properties.WebACLArn as { 'Fn::GetAtt'?: [string, string] } | undefined)?.['Fn::GetAtt']?.[0]);
  const acls = resources.filter((resource) => resource.type === 'AWS::WAFv2::WebACL' && associated.includes(resource.logicalId));
  if (acls.length > 1) throw new Error(`The stage has ${acls.length} web ACLs associated; a resource takes one.`);
  return acls[0]?.properties;
}
