import type { RouteManifest } from '../../lambdas/shared/manifest';

/** CloudFormation allows 500 resources per template; keep room for parameters-driven growth. */
export const MAX_RESOURCES_PER_NESTED_STACK = 400;
/** What one App API costs in its nested stack: function, role, log group, invoke permission, method, body model. */
export const RESOURCES_PER_ROUTE = 6;
/** What a path with App APIs costs besides them: its resource, the 405 fallback and a CORS preflight method. */
const RESOURCES_PER_PATH_WITH_ROUTES = 3;

/** The routes of one nested stack: the subtree of path resources under `basePath`. */
export interface RouteGroup {
  /** Stable construct id suffix derived from the base path, e.g. `customers` or `customers+{customerId}`; empty for the root resource. */
  readonly name: string;
  /** `/` for routes on the root resource, else the first path this group creates. */
  readonly basePath: string;
  /** Every path (ancestors first) whose resource this group creates. Empty for the root group. */
  readonly paths: readonly string[];
  readonly routes: readonly RouteManifest[];
}

interface PathNode {
  readonly path: string;
  readonly children: Map<string, PathNode>;
  readonly routes: RouteManifest[];
}

/**
 * Places App APIs into nested stacks by path subtree, so that every API Gateway resource is
 * created by exactly one stack and a route never moves while its subtree fits one stack: adding
 * App APIs under `/customers` never moves those under `/bookings`. A subtree too large for one
 * stack is split at its children, each child subtree becoming a group of its own.
 */
export function placeRoutes(routes: readonly RouteManifest[], maxResources = MAX_RESOURCES_PER_NESTED_STACK): RouteGroup[] {
  const root: PathNode = { path: '/', children: new Map(), routes: [] };
  for (const route of routes) {
    let node = root;
    const parts = route.path === '/' ? [] : route.path.slice(1).split('/');
    for (const part of parts) {
      let child = node.children.get(part);
      if (!child) {
        child = { path: node.path === '/' ? `/${part}` : `${node.path}/${part}`, children: new Map(), routes: [] };
        node.children.set(part, child);
      }
      node = child;
    }
    node.routes.push(route);
  }
  const groups: RouteGroup[] = [];
  if (root.routes.length > 0) groups.push({ name: '', basePath: '/', paths: [], routes: root.routes });
  const place = (node: PathNode): void => {
    if (cost(node) <= maxResources) {
      groups.push({ name: groupName(node.path), basePath: node.path, paths: subtreePaths(node), routes: subtreeRoutes(node) });
      return;
    }
    groups.push({ name: groupName(node.path), basePath: node.path, paths: [node.path], routes: node.routes });
    for (const child of node.children.values()) place(child);
  };
  for (const child of root.children.values()) place(child);
  return groups;
}

function cost(node: PathNode): number {
  let total = (node.routes.length ? RESOURCES_PER_PATH_WITH_ROUTES : 1) + node.routes.length * RESOURCES_PER_ROUTE;
  for (const child of node.children.values()) total += cost(child);
  return total;
}

function subtreePaths(node: PathNode): string[] {
  return [node.path, ...[...node.children.values()].flatMap(subtreePaths)];
}

function subtreeRoutes(node: PathNode): RouteManifest[] {
  return [...node.routes, ...[...node.children.values()].flatMap(subtreeRoutes)];
}

/** `/customers/{customerId}/notes` → `customers+{customerId}+notes`: "+" never appears in a path segment. */
function groupName(path: string): string {
  return path.slice(1).replace(/\//g, '+');
}

/** Number of API Gateway resources (path parts) the routes need, root excluded. */
export function countPathResources(routes: readonly RouteManifest[]): number {
  const paths = new Set<string>();
  for (const route of routes) {
    const parts = route.path === '/' ? [] : route.path.slice(1).split('/');
    parts.forEach((_, index) => paths.add(parts.slice(0, index + 1).join('/')));
  }
  return paths.size;
}
