import { CfnResource, type Stack } from 'aws-cdk-lib';
import { PARITY_CATALOGUE, PLATFORM_GAPS, type Parity } from './parity-catalogue';
import { templateResources } from './stack-resources';

export const PARITY_TABLE_BEGIN = '<!-- parity table: rendered from lib/local/cloud/parity-catalogue.ts -->';
export const PARITY_TABLE_END = '<!-- end of parity table -->';

/** One resource type and property a stack's templates use, and what the local gateway does with it. */
export interface UsedProperty {
  readonly type: string;
  readonly property: string;
  /** Undefined when the catalogue has no entry: treat it as not emulated. */
  readonly parity: Parity | undefined;
}

/** Every resource type and top-level property the environment's templates use (nested stacks included), sorted. */
export function stackParity(environment: Stack, catalogue: typeof PARITY_CATALOGUE = PARITY_CATALOGUE): UsedProperty[] {
  const types = new Set(environment.node.findAll().filter(CfnResource.isCfnResource).map((resource) => resource.cfnResourceType));
  const used = new Set<string>();
  for (const resource of templateResources(environment, types)) for (const property of Object.keys(resource.properties)) used.add(`${resource.type}\u0000${property}`);
  return [...used]
    .sort()
    .map((key) => {
      const [type, property] = key.split('\u0000') as [string, string];
      return { type, property, parity: catalogue[type]?.[property] };
    });
}

/** `appapi parity`'s lines: one per type and property, then what no template property covers. */
export function parityLines(used: readonly UsedProperty[]): string[] {
  const width = Math.max(...used.map((entry) => `${entry.type} ${entry.property}`.length));
  const lines = used.map((entry) => `${`${entry.type} ${entry.property}`.padEnd(width)}  ${entry.parity ? `${entry.parity.status}: ${entry.parity.how}` : 'not emulated: no catalogue entry (lib/local/cloud/parity-catalogue.ts)'}`);
  const counts = ['executed', 'partial', 'not emulated'].map((status) => `${used.filter((entry) => (entry.parity?.status ?? 'not emulated') === status).length} ${status}`);
  return [...lines, '', `${used.length} properties: ${counts.join(', ')}`, '', 'Not emulated, whatever the template says:', ...PLATFORM_GAPS.map(([what, why]) => `  ${what}: ${why}`)];
}

/** The README's local/AWS table: the whole catalogue, then the platform's gaps. */
export function parityTable(catalogue: typeof PARITY_CATALOGUE = PARITY_CATALOGUE): string {
  const rows = Object.entries(catalogue).flatMap(([type, properties]) => Object.entries(properties).map(([property, parity]) => `| \`${type}\` | \`${property}\` | ${parity.status} | ${parity.how} |`));
  const gaps = PLATFORM_GAPS.map(([what, why]) => `| — | ${what} | not emulated | ${why} |`);
  return ['| resource type | property | locally | how |', '|---|---|---|---|', ...rows, ...gaps].join('\n');
}
