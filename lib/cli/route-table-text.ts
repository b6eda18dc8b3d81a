import type { RouteManifest } from '../../lambdas/shared/manifest';
import { routeDisplayName } from './find-route';

/** Routes as aligned text lines: method, path, auth, app, App API id (with its app when another app declares the same id). */
export function routeLines(routes: readonly RouteManifest[]): string[] {
  const rows = [['METHOD', 'PATH', 'AUTH', 'APP', 'APP API'], ...[...routes].sort((a, b) => a.path.localeCompare(b.path) || a.method.localeCompare(b.method)).map((route) => [
    route.method,
    route.path,
    route.auth.type === 'public' ? 'public' : `keys: ${route.auth.groups.join(', ')}`,
    route.app,
    routeDisplayName(routes, route),
  ])];
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  return rows.map((row) => row.map((cell, column) => cell.padEnd(widths[column]!)).join('  ').trimEnd());
}
