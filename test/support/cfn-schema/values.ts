import { lookupAttribute, type Problem } from './references';
import type { CfnSpec, SpecProperty, SpecType } from './spec';
import { getAttParts, intrinsicName, isNoValue, isPlainObject, type TemplateScope } from './template';

/** What an intrinsic function can evaluate to, as far as can be known before deploy. */
type Produced = 'string' | 'number' | 'boolean' | 'list' | 'any';

/**
 * Which spec types a value of each kind may fill. CloudFormation converts scalars between string,
 * number and boolean where the text allows it (a Ref to a String parameter fills an Integer
 * property), so a string fits every scalar type; only shapes (scalar, list, object) must agree.
 */
const FITS: Record<Exclude<Produced, 'any'>, ReadonlySet<SpecType['type']>> = {
  string: new Set(['string', 'number', 'integer', 'boolean', 'json', 'date-time']),
  number: new Set(['string', 'number', 'integer', 'json']),
  boolean: new Set(['string', 'boolean', 'json']),
  list: new Set(['array', 'json']),
};

const STRING_FUNCTIONS = new Set(['Fn::Join', 'Fn::Sub', 'Fn::Base64', 'Fn::ImportValue', 'Fn::ToJsonString']);
const LIST_FUNCTIONS = new Set(['Fn::Split', 'Fn::GetAZs', 'Fn::Cidr']);
const CONDITION_FUNCTIONS = new Set(['Fn::Equals', 'Fn::And', 'Fn::Or', 'Fn::Not', 'Fn::Contains', 'Fn::EachMemberEquals', 'Fn::EachMemberIn']);

type Shape = 'scalar' | 'list' | 'object' | 'null' | 'any';

/** Checks literal values and intrinsic results against the spec's property types. */
export class ValueChecker {
  constructor(
    private readonly spec: CfnSpec,
    private readonly scope: TemplateScope,
  ) {}

  /**
   * Problems of an object against a resource's or a property type's properties: unknown names
   * (unless `allowUnknown`, as for custom resources), missing required ones, and each value's type.
   */
  propertiesProblems(value: unknown, properties: Readonly<Record<string, SpecProperty>>, path: string, owner: string, allowUnknown = false): Problem[] {
    if (!isPlainObject(value)) return [{ path, problem: `expected an object (${owner}), got ${describeValue(value)}` }];
    const problems: Problem[] = [];
    for (const [name, child] of Object.entries(value)) {
      const property = Object.hasOwn(properties, name) ? properties[name] : undefined;
      if (!property) {
        if (!allowUnknown) problems.push({ path: `${path}.${name}`, problem: `unknown property "${name}" of ${owner} (known: ${Object.keys(properties).sort().join(', ')})` });
        continue;
      }
      const types = [property.type, ...(property.previousTypes ?? [])];
      problems.push(...this.valueProblems(child, types.length === 1 ? types[0] : { type: 'union', types }, `${path}.${name}`));
    }
    for (const [name, property] of Object.entries(properties)) {
      if (property.required && (!Object.hasOwn(value, name) || isNoValue(value[name]))) {
        problems.push({ path: `${path}.${name}`, problem: `required property "${name}" of ${owner} is missing` });
      }
    }
    return problems;
  }

  valueProblems(value: unknown, type: SpecType, path: string): Problem[] {
    if (intrinsicName(value) !== undefined) return this.intrinsicProblems(value as Record<string, unknown>, type, path);
    const mismatch = (): Problem[] => [{ path, problem: `expected ${this.describeType(type)}, got ${describeValue(value)}` }];
    switch (type.type) {
      case 'string': {
        if (!['string', 'number', 'boolean'].includes(typeof value)) return mismatch();
        const allowed = type.allowedValues;
        return allowed && !allowed.includes(String(value)) ? [{ path, problem: `"${String(value)}" is not one of the allowed values: ${allowed.join(', ')}` }] : [];
      }
      case 'integer': {
        const isInteger = (typeof value === 'number' && Number.isInteger(value)) || (typeof value === 'string' && /^-?\d+$/.test(value));
        if (!isInteger) return mismatch();
        const allowed = type.allowedValues;
        return allowed && !allowed.includes(Number(value)) ? [{ path, problem: `${String(value)} is not one of the allowed values: ${allowed.join(', ')}` }] : [];
      }
      case 'number':
        return typeof value === 'number' || (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) ? [] : mismatch();
      case 'boolean':
        return typeof value === 'boolean' || (typeof value === 'string' && /^(true|false)$/i.test(value)) ? [] : mismatch();
      case 'date-time':
        return typeof value === 'string' ? [] : mismatch();
      case 'null':
        return value === null ? [] : mismatch();
      case 'json':
        return [];
      case 'tag':
        return this.propertiesProblems(value, TAG_PROPERTIES, path, 'Tag');
      case 'ref': {
        const definition = this.spec.typeDefinition(type.reference.$ref);
        return this.propertiesProblems(value, definition.properties, path, definition.name);
      }
      case 'array':
        return Array.isArray(value) ? value.flatMap((element, index) => this.valueProblems(element, type.element, `${path}[${index}]`)) : mismatch();
      case 'map':
        return isPlainObject(value) ? Object.entries(value).flatMap(([key, element]) => this.valueProblems(element, type.element, `${path}.${key}`)) : mismatch();
      case 'union':
        return this.unionProblems(value, type.types, path);
    }
  }

  /** Fine when some member fits; otherwise the problems of the closest member of the value's shape. */
  private unionProblems(value: unknown, types: readonly SpecType[], path: string): Problem[] {
    const candidates = types.map((member) => ({ member, problems: this.valueProblems(value, member, path) }));
    if (candidates.some((candidate) => candidate.problems.length === 0)) return [];
    const sameShape = candidates.filter((candidate) => [valueShape(value), 'any'].includes(typeShape(candidate.member)));
    if (sameShape.length === 0) return [{ path, problem: `expected ${types.map((member) => this.describeType(member)).join(' or ')}, got ${describeValue(value)}` }];
    return sameShape.reduce((best, candidate) => (candidate.problems.length < best.problems.length ? candidate : best)).problems;
  }

  private intrinsicProblems(call: Record<string, unknown>, type: SpecType, path: string): Problem[] {
    const name = intrinsicName(call)!;
    if (name === 'Fn::If') {
      const branches = call[name];
      if (!Array.isArray(branches) || branches.length !== 3) return [{ path: `${path}.Fn::If`, problem: `Fn::If takes [condition, valueIfTrue, valueIfFalse], got ${JSON.stringify(branches)}` }];
      return [1, 2].flatMap((index) => (isNoValue(branches[index]) ? [] : this.valueProblems(branches[index], type, `${path}.Fn::If[${index}]`)));
    }
    if (isNoValue(call)) return [];
    const produced = this.produced(call, name);
    if (this.fits(produced, type)) return [];
    return [{ path, problem: `${name} produces a ${produced}, but ${this.describeType(type)} is expected` }];
  }

  private fits(produced: Produced, type: SpecType): boolean {
    if (produced === 'any') return true;
    if (type.type === 'union') return type.types.some((member) => this.fits(produced, member));
    return FITS[produced].has(type.type);
  }

  private produced(call: Record<string, unknown>, name: string): Produced {
    if (STRING_FUNCTIONS.has(name)) return 'string';
    if (LIST_FUNCTIONS.has(name)) return 'list';
    if (CONDITION_FUNCTIONS.has(name)) return 'boolean';
    if (name === 'Fn::Length') return 'number';
    if (name === 'Ref') return this.producedByRef(call.Ref);
    if (name === 'Fn::GetAtt') {
      const parts = getAttParts(call[name]);
      if (!parts || typeof parts.attribute !== 'string') return 'any';
      const lookup = lookupAttribute(this.scope, this.spec, parts.logicalId, parts.attribute);
      return lookup.found && lookup.type ? producedBySpecType(lookup.type) : 'any';
    }
    return 'any'; // Fn::Select, Fn::FindInMap, Fn::Transform, …: whatever their arguments hold
  }

  // https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/parameters-section-structure.html#parameters-section-structure-properties-type
  private producedByRef(target: unknown): Produced {
    if (typeof target !== 'string') return 'any';
    if (target === 'AWS::NotificationARNs') return 'list';
    if (this.scope.resource(target)) return 'string'; // Ref of a resource is always its string identifier
    const parameterType = this.scope.parameter(target)?.Type;
    if (parameterType === undefined) return target.startsWith('AWS::') ? 'string' : 'any';
    if (/(^|<)(List<|CommaDelimitedList)/.test(parameterType)) return 'list';
    return parameterType === 'Number' ? 'number' : 'string';
  }

  private describeType(type: SpecType): string {
    switch (type.type) {
      case 'string':
        return type.allowedValues ? `a string (one of ${type.allowedValues.join(', ')})` : 'a string';
      case 'integer':
        return 'an integer';
      case 'ref':
        return `an object (${this.spec.typeDefinition(type.reference.$ref).name})`;
      case 'array':
        return `a list of ${this.describeType(type.element)}`;
      case 'map':
        return `a map of ${this.describeType(type.element)}`;
      case 'union':
        return type.types.map((member) => this.describeType(member)).join(' or ');
      case 'tag':
        return 'a tag { Key, Value }';
      case 'json':
        return 'JSON';
      default:
        return `a ${type.type}`;
    }
  }
}

const TAG_PROPERTIES: Record<string, SpecProperty> = { Key: { type: { type: 'string' }, required: true }, Value: { type: { type: 'string' }, required: true } };

function producedBySpecType(type: SpecType): Produced {
  switch (type.type) {
    case 'string':
    case 'date-time':
      return 'string';
    case 'integer':
    case 'number':
      return 'number';
    case 'boolean':
      return 'boolean';
    case 'array':
      return 'list';
    default:
      return 'any';
  }
}

function typeShape(type: SpecType): Shape {
  switch (type.type) {
    case 'array':
      return 'list';
    case 'ref':
    case 'map':
    case 'tag':
      return 'object';
    case 'null':
      return 'null';
    case 'json':
    case 'union':
      return 'any';
    default:
      return 'scalar';
  }
}

function valueShape(value: unknown): Shape {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'list';
  return isPlainObject(value) ? 'object' : 'scalar';
}

function describeValue(value: unknown): string {
  if (Array.isArray(value)) return 'a list';
  if (isPlainObject(value)) return 'an object';
  if (typeof value === 'string') return `the string ${JSON.stringify(value)}`;
  return `${typeof value} ${JSON.stringify(value)}`;
}
