import { createHash } from 'node:crypto';

/**
 * App API ids and AirData model names are scoped by their app, as construct ids are scoped by
 * their parent in aws-cdk-lib: `new AppApi(shop, 'GetCustomer')` and `new AppApi(booking,
 * 'GetCustomer')` are two things. Each declaration gets one environment-wide key (the manifest's
 * route id or model key, and through it handler logical ids, OpenAPI operation ids, table names):
 *
 * - `app.Name` when another app declares the same name;
 * - the bare `Name` when its app declares it alone, as every declaration was named before names were
 *   scoped, so existing deployments keep their tables, functions and operation ids;
 * - the bare `Name` for the app the environment's deployed state (appapi.lock.json) records as its
 *   owner, whatever other apps declare later: a new app never renames what is deployed.
 *
 * `.` appears in neither app names nor ids, so a scoped key never equals a bare one.
 */
export const SCOPE_SEPARATOR = '.';

export interface ScopedDeclaration<T> {
  readonly item: T;
  /** The declaring app, or undefined for a model declared outside any app (visible to every app). */
  readonly app: string | undefined;
  readonly name: string;
}

/** `shop.GetCustomer`; a declaration outside any app keeps its bare name. */
export function qualifiedName(app: string | undefined, name: string): string {
  return app === undefined ? name : `${app}${SCOPE_SEPARATOR}${name}`;
}

/** The app and the name of a reference written `app.Name`, or undefined for a bare name. */
export function splitQualified(reference: string): { readonly app: string; readonly name: string } | undefined {
  const at = reference.indexOf(SCOPE_SEPARATOR);
  return at < 0 ? undefined : { app: reference.slice(0, at), name: reference.slice(at + 1) };
}

/**
 * The key of every declaration. `deployedOwner(name)` is the app that holds the bare name in the
 * deployed environment, if any (only counted when that app still declares it).
 */
export function assignKeys<T>(declarations: readonly ScopedDeclaration<T>[], deployedOwner: (name: string, candidates: readonly ScopedDeclaration<T>[]) => ScopedDeclaration<T> | undefined = () => undefined): Map<T, string> {
  const byName = new Map<string, ScopedDeclaration<T>[]>();
  for (const declaration of declarations) byName.set(declaration.name, [...(byName.get(declaration.name) ?? []), declaration]);
  const keys = new Map<T, string>();
  for (const [name, candidates] of byName) {
    const apps = new Set(candidates.map((candidate) => candidate.app));
    const owner = deployedOwner(name, candidates);
    for (const candidate of candidates) {
      const bare = candidate === owner || candidate.app === undefined || (!owner && apps.size === 1);
      keys.set(candidate.item, bare ? name : qualifiedName(candidate.app, name));
    }
  }
  return keys;
}

/**
 * `name` if it fits in `max` characters, else its start and a hash of the whole: deterministic, so
 * the same declaration always gets the same physical name, and distinct long names stay distinct.
 */
export function fitName(name: string, max: number): string {
  if (name.length <= max) return name;
  const hash = createHash('sha256').update(name).digest('hex').slice(0, 8);
  return `${name.slice(0, max - hash.length - 1)}-${hash}`;
}

/** The App API's id within its app (`GetCustomer` of `shop.GetCustomer`). */
export function localName(key: string): string {
  return splitQualified(key)?.name ?? key;
}
