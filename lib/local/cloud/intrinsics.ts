/** The values local mode gives CloudFormation's pseudo parameters. */
export const LOCAL_PSEUDO_PARAMETERS: Readonly<Record<string, string>> = {
  'AWS::Partition': 'aws',
  'AWS::Region': 'local',
  'AWS::AccountId': '000000000000',
  'AWS::URLSuffix': 'amazonaws.com',
};

/**
 * A template value with its intrinsic functions resolved locally: `Ref` to a pseudo parameter,
 * `Fn::Join`, `Fn::Sub` over pseudo parameters. Anything else (a `Ref` to a resource, `Fn::GetAtt`,
 * `Fn::If`, …) is refused, naming where it was found, rather than guessed.
 */
export function resolveLocally(value: unknown, where: string, pseudo: Readonly<Record<string, string>> = LOCAL_PSEUDO_PARAMETERS, getAtt?: (logicalId: string, attribute: string) => string | undefined): unknown {
  if (Array.isArray(value)) return value.map((item, index) => resolveLocally(item, `${where}[${index}]`, pseudo, getAtt));
  if (value === null || typeof value !== 'object') return value;
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length === 1 && (entries[0]![0] === 'Ref' || entries[0]![0].startsWith('Fn::'))) {
    const [name, argument] = entries[0]!;
    if (name === 'Ref' && typeof argument === 'string' && argument in pseudo) return pseudo[argument];
    if (name === 'Fn::GetAtt' && Array.isArray(argument) && getAtt) {
      const resolved = getAtt(String(argument[0]), String(argument[1]));
      if (resolved !== undefined) return resolved;
    }
    if (name === 'Fn::Join' && Array.isArray(argument) && typeof argument[0] === 'string' && Array.isArray(argument[1])) {
      return (argument[1] as unknown[]).map((part, index) => String(resolveLocally(part, `${where}.Fn::Join[${index}]`, pseudo, getAtt))).join(argument[0]);
    }
    if (name === 'Fn::Sub' && typeof argument === 'string') {
      return argument.replace(/\$\{([^}]+)\}/g, (_, variable: string) => {
        if (!(variable in pseudo)) throw new Error(`${where}: Fn::Sub of \${${variable}} cannot be resolved locally.`);
        return pseudo[variable]!;
      });
    }
    throw new Error(`${where}: ${name} ${JSON.stringify(argument)} cannot be resolved locally.`);
  }
  return Object.fromEntries(entries.map(([key, item]) => [key, resolveLocally(item, `${where}.${key}`, pseudo, getAtt)]));
}
