/** What `cdk diff` says an update does to a resource, when it is more than an in-place update. */
export type DiffImpact = 'replace' | 'may be replaced' | 'destroy' | 'orphan';

export interface ResourceImpact {
  readonly type: string;
  readonly logicalId: string;
  /** The construct path cdk prints before the logical id, when it knows it. */
  readonly path?: string;
  readonly impact: DiffImpact;
}

/** Resource types whose replacement or deletion loses data (tables) or every issued token (the signing-key secret). */
export const STATEFUL_TYPES: readonly string[] = ['AWS::DynamoDB::Table', 'AWS::DynamoDB::GlobalTable', 'AWS::SecretsManager::Secret'];

const IMPACTS: readonly DiffImpact[] = ['may be replaced', 'replace', 'destroy', 'orphan'];
// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;]*m/g;
const RESOURCE_LINE = /^\[[-~+\u2190]\] (AWS::[A-Za-z0-9]+::[A-Za-z0-9]+) (.+)$/;

/**
 * The resources `cdk diff` reports as replaced, possibly replaced, destroyed or orphaned, from its
 * text output (colored or not). A resource line reads `[-] AWS::DynamoDB::Table Path/To/Table
 * LogicalId destroy`, as aws-cdk's diff formatter (formatResourceDifference) writes it; with a change
 * set, the impact is CloudFormation's own answer.
 */
export function resourceImpacts(diffOutput: string): ResourceImpact[] {
  const impacts: ResourceImpact[] = [];
  for (const rawLine of diffOutput.split(/\r?\n/)) {
    const match = RESOURCE_LINE.exec(rawLine.replace(ANSI, '').trim());
    if (!match) continue;
    const type = match[1]!;
    let rest = match[2]!.replace(/ \(OR move .*\)$/, '').trim();
    const impact = IMPACTS.find((candidate) => rest.endsWith(` ${candidate}`));
    if (!impact) continue;
    rest = rest.slice(0, -impact.length - 1).trim();
    const words = rest.split(' ');
    const logicalId = words.pop()!;
    impacts.push({ type, logicalId, ...(words.length ? { path: words.join(' ') } : {}), impact });
  }
  return impacts;
}

/** The impacts on tables and secrets: what `appapi deploy` refuses unless the escape hatch names them. */
export function statefulImpacts(diffOutput: string): ResourceImpact[] {
  return resourceImpacts(diffOutput).filter((impact) => STATEFUL_TYPES.includes(impact.type));
}
