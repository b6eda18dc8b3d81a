import type { EnvironmentManifest, RouteManifest } from '../../lambdas/shared/manifest';
import { localName, qualifiedName } from '../scoped-names';

/** A name that matches no App API, or several; the message says what to write instead. */
export class RouteNameError extends Error {}

/**
 * The App API a command line names: `app.Id` (`shop.GetCustomer`) always, the bare id when one
 * app alone declares it; case is forgiven when nothing matches exactly.
 */
export function findRouteByName(manifest: EnvironmentManifest, name: string): RouteManifest {
  const matching = (same: (a: string, b: string) => boolean) =>
    manifest.routes.filter((route) => same(qualifiedName(route.app, localName(route.id)), name) || same(localName(route.id), name) || same(route.id, name));
  let candidates = matching((a, b) => a === b);
  if (candidates.length === 0) candidates = matching((a, b) => a.toLowerCase() === b.toLowerCase());
  if (candidates.length === 1) return candidates[0]!;
  if (candidates.length > 1) {
    const names = candidates.map((route) => qualifiedName(route.app, localName(route.id)));
    throw new RouteNameError(`"${name}" names App APIs of ${candidates.length} apps in ${manifest.env} (${names.join(', ')}): write the app too, e.g. ${names[0]}.`);
  }
  const names = manifest.routes.map((route) => routeDisplayName(manifest.routes, route));
  throw new RouteNameError(`No App API "${name}" in ${manifest.env}. It has: ${names.slice(0, 20).join(', ')}${names.length > 20 ? `, … (${names.length}; see appapi routes --env ${manifest.env})` : ''}.`);
}

/** The shortest name {@link findRouteByName} accepts for a route: its id, or `app.Id` when another app declares the same id. */
export function routeDisplayName(routes: readonly RouteManifest[], route: RouteManifest): string {
  const name = localName(route.id);
  const shared = routes.some((other) => other !== route && localName(other.id) === name);
  return shared ? qualifiedName(route.app, name) : name;
}

/** The key of the AirData model a command line names: the key, `app.Model`, or the bare name when one app alone declares it. */
export function findModelKey(manifest: EnvironmentManifest, name: string): string | undefined {
  const matches = Object.entries(manifest.models).filter(([key, model]) => key === name || qualifiedName(model.app, model.name) === name || model.name === name);
  if (matches.length > 1) throw new RouteNameError(`"${name}" names AirData models of ${matches.length} apps in ${manifest.env} (${matches.map(([, model]) => qualifiedName(model.app, model.name)).join(', ')}): write the app too, e.g. ${qualifiedName(matches[0]![1].app, matches[0]![1].name)}.`);
  return matches[0]?.[0];
}
