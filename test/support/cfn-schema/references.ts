import type { CfnSpec, SpecType } from './spec';
import { getAttParts, intrinsicName, isCustomResourceType, isPlainObject, PSEUDO_PARAMETERS, subVariables, type TemplateScope } from './template';

export interface Problem {
  readonly path: string;
  readonly problem: string;
}

export type AttributeLookup = { readonly found: true; readonly type?: SpecType } | { readonly found: false; readonly known: readonly string[] };

/**
 * What `Fn::GetAtt [logicalId, attribute]` names: the attribute's type from the spec, or the list
 * of attributes the resource type has. Custom resources return whatever their provider sends,
 * and a nested stack's `Outputs.Name` is checked against that stack's template when it is known.
 */
export function lookupAttribute(scope: TemplateScope, spec: CfnSpec, logicalId: string, attribute: string): AttributeLookup {
  const type = scope.resource(logicalId)?.Type;
  if (typeof type !== 'string' || isCustomResourceType(type)) return { found: true };
  if (type === 'AWS::CloudFormation::Stack' && attribute.startsWith('Outputs.')) {
    const nested = scope.nestedTemplates[logicalId];
    if (!nested) return { found: true };
    const outputs = Object.keys(nested.Outputs ?? {});
    return outputs.includes(attribute.slice('Outputs.'.length)) ? { found: true } : { found: false, known: outputs.map((name) => `Outputs.${name}`) };
  }
  const resource = spec.resource(type);
  if (!resource) return { found: true }; // the unknown type is reported on the resource itself
  return Object.hasOwn(resource.attributes, attribute)
    ? { found: true, type: resource.attributes[attribute].type }
    : { found: false, known: Object.keys(resource.attributes) };
}

/**
 * Problems with what the intrinsic functions anywhere inside `value` name: Ref and Fn::Sub
 * targets that are neither resources, parameters nor pseudo parameters; Fn::GetAtt targets and
 * attribute names; Fn::If conditions; Fn::FindInMap mappings; `{ "Condition": name }` in the
 * Conditions section (pass `inConditions`).
 */
export function referenceProblems(value: unknown, path: string, scope: TemplateScope, spec: CfnSpec, inConditions = false): Problem[] {
  const problems: Problem[] = [];
  const refTarget = (name: string, at: string): void => {
    if (!scope.resource(name) && !scope.parameter(name) && !PSEUDO_PARAMETERS.has(name)) {
      problems.push({ path: at, problem: `Ref to "${name}", which is neither a resource, a parameter nor a pseudo parameter of this template` });
    }
  };
  const getAttTarget = (logicalId: string, attribute: unknown, at: string): void => {
    if (!scope.resource(logicalId)) {
      problems.push({ path: at, problem: `Fn::GetAtt on "${logicalId}", which is not a resource of this template` });
      return;
    }
    if (typeof attribute !== 'string') return; // an attribute name computed by Ref is resolved at deploy time
    const lookup = lookupAttribute(scope, spec, logicalId, attribute);
    if (!lookup.found) {
      problems.push({ path: at, problem: `Fn::GetAtt "${logicalId}.${attribute}": ${String(scope.resource(logicalId)?.Type)} has no attribute "${attribute}" (it has: ${lookup.known.join(', ') || 'none'})` });
    }
  };

  const walk = (node: unknown, at: string): void => {
    if (Array.isArray(node)) {
      node.forEach((element, index) => walk(element, `${at}[${index}]`));
      return;
    }
    if (!isPlainObject(node)) return;
    const name = intrinsicName(node);
    if (inConditions && Object.keys(node).length === 1 && 'Condition' in node) {
      if (typeof node.Condition !== 'string' || !scope.hasCondition(node.Condition)) {
        problems.push({ path: at, problem: `Condition ${JSON.stringify(node.Condition)} is not declared in Conditions` });
      }
      return;
    }
    if (name === undefined) {
      for (const [key, child] of Object.entries(node)) walk(child, `${at}.${key}`);
      return;
    }
    const argument = node[name];
    const here = `${at}.${name}`;
    switch (name) {
      case 'Ref':
        if (typeof argument === 'string') refTarget(argument, here);
        else problems.push({ path: here, problem: `Ref takes a logical id or parameter name, got ${JSON.stringify(argument)}` });
        return;
      case 'Fn::GetAtt': {
        const parts = getAttParts(argument);
        if (parts) getAttTarget(parts.logicalId, parts.attribute, here);
        else problems.push({ path: here, problem: `Fn::GetAtt takes [logicalId, attributeName], got ${JSON.stringify(argument)}` });
        if (parts && typeof parts.attribute !== 'string') walk(parts.attribute, `${here}[1]`);
        return;
      }
      case 'Fn::Sub': {
        const [text, variables] = Array.isArray(argument) ? argument : [argument, {}];
        if (typeof text !== 'string' || !isPlainObject(variables)) {
          problems.push({ path: here, problem: `Fn::Sub takes a string or [string, { variables }], got ${JSON.stringify(argument)}` });
          return;
        }
        for (const variable of subVariables(text)) {
          if (Object.hasOwn(variables, variable)) continue;
          const dot = variable.indexOf('.');
          if (dot > 0) getAttTarget(variable.slice(0, dot), variable.slice(dot + 1), here);
          else refTarget(variable, here);
        }
        walk(variables, `${here}[1]`);
        return;
      }
      case 'Fn::If':
        if (Array.isArray(argument) && (typeof argument[0] !== 'string' || !scope.hasCondition(argument[0]))) {
          problems.push({ path: here, problem: `Fn::If names condition ${JSON.stringify(argument[0])}, which is not declared in Conditions` });
        }
        break;
      case 'Fn::FindInMap':
        if (Array.isArray(argument) && typeof argument[0] === 'string' && !scope.hasMapping(argument[0])) {
          problems.push({ path: here, problem: `Fn::FindInMap names mapping "${argument[0]}", which is not declared in Mappings` });
        }
        break;
    }
    walk(argument, here);
  };

  walk(value, path);
  return problems;
}
