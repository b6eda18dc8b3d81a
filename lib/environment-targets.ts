import { projectContext } from './project-context';

/** One entry of cdk.json's `appapi:environments`: an environment and where it is deployed. */
export interface EnvironmentTarget {
  /** e.g. `dev`: the stack is `AppApi-<name>`. */
  readonly name: string;
  /**
   * The 12-digit AWS account the environment is deployed to.
   * @default - CDK_DEFAULT_ACCOUNT (the account of the credentials `cdk` runs with)
   */
  readonly account?: string;
  /**
   * The AWS region the environment is deployed to, e.g. `eu-west-1`.
   * @default - CDK_DEFAULT_REGION (the region of the profile `cdk` runs with)
   */
  readonly region?: string;
  /**
   * Alarms, their SNS topic and the dashboard of the environment.
   * @default - true for an environment named `prod`, false otherwise
   */
  readonly monitoring?: boolean;
  /**
   * An e-mail address subscribed to the alarm topic (the recipient confirms it once).
   * @default - no subscription: subscribe to the topic yourself
   */
  readonly alarmEmail?: string;
  /**
   * AWS X-Ray active tracing on the stage and the Lambdas.
   * @default false
   */
  readonly tracing?: boolean;
}

/** A mistake in cdk.json's `appapi:environments`; the message says how to write it. */
export class EnvironmentConfigError extends Error {}

export const ENVIRONMENTS_CONTEXT = 'appapi:environments';
export const DEFAULT_ENVIRONMENTS: readonly EnvironmentTarget[] = [{ name: 'dev' }, { name: 'staging' }, { name: 'prod' }];

const ACCOUNT = /^\d{12}$/;
// partition-agnostic shape of every region name AWS has published: us-east-1, eu-central-2, us-gov-west-1, cn-north-1, us-isob-east-1
const REGION = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;
// deliberately loose: SNS sends a confirmation mail, which is the real check
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const ENTRY_KEYS = ['name', 'account', 'region', 'monitoring', 'alarmEmail', 'tracing'];
const EXAMPLE = '["dev", {"name": "prod", "account": "111111111111", "region": "eu-west-1"}]';

/**
 * Reads `appapi:environments` in any of its forms:
 * - a list of names, `["dev", "staging", "prod"]` (or `"dev,staging"` from `cdk -c`);
 * - a list mixing names and `{ "name", "account"?, "region"?, "monitoring"?, "alarmEmail"?, "tracing"? }` objects;
 * - a map from name to `{ "account"?, "region"?, ... }` (or `null` / `{}` for the defaults).
 * Absent, it is dev, staging and prod in the default account and region.
 */
export function parseEnvironmentTargets(value: unknown): EnvironmentTarget[] {
  if (value === undefined || value === null) return [...DEFAULT_ENVIRONMENTS];
  const where = `cdk.json context "${ENVIRONMENTS_CONTEXT}"`;
  if (typeof value === 'string') {
    const text = value.trim();
    // `cdk synth -c appapi:environments='[...]'` hands the JSON over as a string
    if (text.startsWith('[') || text.startsWith('{')) return parseEnvironmentTargets(parseJson(text, where));
    return checked(text.split(',').map((name, index) => entry(name.trim(), `${where} entry ${index + 1}`)), where);
  }
  if (Array.isArray(value)) return checked(value.map((item, index) => entry(item, `${where} entry ${index + 1}`)), where);
  if (typeof value === 'object') {
    return checked(
      Object.entries(value as Record<string, unknown>).map(([name, settings]) => {
        if (settings === null || (typeof settings === 'object' && !Array.isArray(settings))) {
          if (settings && 'name' in settings) throw new EnvironmentConfigError(`${where}: environment "${name}" is named by its key; remove its "name".`);
          return entry({ name, ...(settings ?? {}) }, `${where} environment "${name}"`);
        }
        throw new EnvironmentConfigError(`${where}: environment "${name}" is ${JSON.stringify(settings)}; give it an object such as {"account": "111111111111", "region": "eu-west-1"}, or {} for the default account and region.`);
      }),
      where,
    );
  }
  throw new EnvironmentConfigError(`${where} must list the environments, e.g. ${EXAMPLE}; received ${JSON.stringify(value)}.`);
}

function entry(item: unknown, where: string): EnvironmentTarget {
  if (typeof item === 'string') {
    if (item === '') throw new EnvironmentConfigError(`${where} is an empty name; write a name such as "dev".`);
    return { name: item };
  }
  if (typeof item !== 'object' || item === null || Array.isArray(item)) {
    throw new EnvironmentConfigError(`${where} is ${JSON.stringify(item)}; write a name ("qa") or an object {"name": "qa", "account": "111111111111", "region": "eu-west-1"}.`);
  }
  const fields = item as Record<string, unknown>;
  const unknownKey = Object.keys(fields).find((key) => !ENTRY_KEYS.includes(key));
  if (unknownKey) throw new EnvironmentConfigError(`${where} has the unknown key "${unknownKey}"; the keys are ${ENTRY_KEYS.join(', ')}.`);
  const { name, account, region, monitoring, alarmEmail, tracing } = fields;
  if (typeof name !== 'string' || name === '') throw new EnvironmentConfigError(`${where} needs a "name", e.g. {"name": "qa", "region": "eu-west-1"}.`);
  const label = `cdk.json context "${ENVIRONMENTS_CONTEXT}": environment "${name}"`;
  if (account !== undefined && (typeof account !== 'string' || !ACCOUNT.test(account))) {
    throw new EnvironmentConfigError(`${label}: account ${JSON.stringify(account)} is not an AWS account id; write its 12 digits as a string, e.g. "account": "012345678901" (quoted, so leading zeros survive).`);
  }
  if (region !== undefined && (typeof region !== 'string' || !REGION.test(region))) {
    throw new EnvironmentConfigError(`${label}: region ${JSON.stringify(region)} is not an AWS region name; write it like "eu-west-1" or "us-gov-west-1".`);
  }
  for (const [key, value] of [['monitoring', monitoring], ['tracing', tracing]] as const) {
    if (value !== undefined && typeof value !== 'boolean') {
      throw new EnvironmentConfigError(`${label}: "${key}" is ${JSON.stringify(value)}; write true or false (unquoted), e.g. "${key}": true.`);
    }
  }
  if (alarmEmail !== undefined && (typeof alarmEmail !== 'string' || !EMAIL.test(alarmEmail))) {
    throw new EnvironmentConfigError(`${label}: alarmEmail ${JSON.stringify(alarmEmail)} is not an e-mail address; write one address as a string, e.g. "alarmEmail": "oncall@example.com".`);
  }
  if (alarmEmail !== undefined && monitoring === false) {
    throw new EnvironmentConfigError(`${label}: alarmEmail is set but "monitoring" is false, so there are no alarms to send; remove alarmEmail or set "monitoring": true.`);
  }
  return {
    name,
    ...(account !== undefined ? { account } : {}),
    ...(region !== undefined ? { region } : {}),
    ...(monitoring !== undefined ? { monitoring: monitoring as boolean } : {}),
    ...(alarmEmail !== undefined ? { alarmEmail } : {}),
    ...(tracing !== undefined ? { tracing: tracing as boolean } : {}),
  };
}

function checked(targets: EnvironmentTarget[], where: string): EnvironmentTarget[] {
  if (targets.length === 0) throw new EnvironmentConfigError(`${where} is empty; list at least one environment, e.g. ${EXAMPLE}.`);
  const seen = new Set<string>();
  for (const { name } of targets) {
    if (seen.has(name)) throw new EnvironmentConfigError(`${where} lists environment "${name}" twice; each environment is one stack, so keep one entry.`);
    seen.add(name);
  }
  return targets;
}

function parseJson(text: string, where: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new EnvironmentConfigError(`${where} is not valid JSON (${(error as Error).message}); e.g. ${EXAMPLE}.`);
  }
}

/** The CloudFormation name of an environment's stack. */
export function stackName(environment: string): string {
  return `AppApi-${environment}`;
}

/** The cdk.json entry of one environment; throws, listing the environments, for an unknown name. */
export function findEnvironmentTarget(environment: string, context: Record<string, unknown> = projectContext()): EnvironmentTarget {
  const targets = parseEnvironmentTargets(context[ENVIRONMENTS_CONTEXT]);
  const target = targets.find((candidate) => candidate.name === environment);
  if (!target) throw new Error(`Unknown environment "${environment}". cdk.json declares: ${targets.map((t) => t.name).join(', ')}.`);
  return target;
}
