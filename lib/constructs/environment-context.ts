import type { IConstruct } from 'constructs';

const ENVIRONMENT = Symbol.for('appapi.environment');

/** What every construct of an environment needs to know about it. */
export interface EnvironmentSettings {
  /** e.g. `dev`: the stage name and the token audience. */
  readonly environmentName: string;
  /** Prefix of every physical resource name, e.g. `appapi`. */
  readonly resourcePrefix: string;
  /** True where data must survive a `cdk destroy` (prod by default). */
  readonly deletionProtection: boolean;
}

export function markEnvironment(scope: IConstruct, settings: EnvironmentSettings): void {
  Object.defineProperty(scope, ENVIRONMENT, { value: settings, enumerable: false });
}

/** The environment a construct is declared in, or undefined outside an AppApiStack. */
export function findEnvironment(scope: IConstruct): EnvironmentSettings | undefined {
  for (let node: IConstruct | undefined = scope; node; node = node.node.scope) {
    const settings = (node as unknown as { [ENVIRONMENT]?: EnvironmentSettings })[ENVIRONMENT];
    if (settings) return settings;
  }
  return undefined;
}

export function requireEnvironment(scope: IConstruct, what: string): EnvironmentSettings {
  const settings = findEnvironment(scope);
  if (!settings) {
    throw new Error(`${what} "${scope.node.path}" is declared outside an AppApiStack. Declare it in one of the stack's apps: new AppApiStack(app, 'AppApi-dev', { environment: 'dev', apps: [...] }).`);
  }
  return settings;
}

/** `CustomerNotes` → `customer-notes`: physical names are lower-case. */
export function kebabCase(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .replace(/[^A-Za-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .toLowerCase();
}
