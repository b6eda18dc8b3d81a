import type { HttpMethod, RouteManifest } from '../../../lambdas/shared/manifest';

export interface RouteMatch {
  readonly route: RouteManifest;
  readonly pathParameters: Record<string, string>;
}

export type Resolution =
  | { readonly kind: 'route'; readonly match: RouteMatch }
  | { readonly kind: 'method_not_allowed'; readonly allow: readonly HttpMethod[]; readonly routes: readonly RouteManifest[] }
  | { readonly kind: 'not_found' };

interface ResourceNode {
  readonly literal: Map<string, ResourceNode>;
  parameter?: { readonly name: string; readonly node: ResourceNode };
  readonly methods: Map<HttpMethod, RouteManifest>;
}

const node = (): ResourceNode => ({ literal: new Map(), methods: new Map() });

/**
 * The manifest's routes as API Gateway resolves them: path part by path part, a literal part
 * before a `{parameter}`; a known path without the method is 405 with the methods it has.
 */
export class RouteTable {
  private readonly root = node();

  constructor(routes: readonly RouteManifest[]) {
    for (const route of routes) {
      let current = this.root;
      for (const part of splitPath(route.path)) {
        const parameter = /^\{(.+)\}$/.exec(part)?.[1];
        if (parameter === undefined) {
          let next = current.literal.get(part);
          if (!next) current.literal.set(part, (next = node()));
          current = next;
        } else {
          current.parameter ??= { name: parameter, node: node() };
          current = current.parameter.node;
        }
      }
      current.methods.set(route.method, route);
    }
  }

  /** `path` is the request path as sent (percent-encoded); parameters are decoded like API Gateway does. */
  resolve(method: string, path: string): Resolution {
    const parts = splitPath(path);
    const found = this.find(this.root, parts, 0, {});
    if (!found) return { kind: 'not_found' };
    const route = found.node.methods.get(method as HttpMethod);
    if (!route) {
      if (found.node.methods.size === 0) return { kind: 'not_found' };
      return { kind: 'method_not_allowed', allow: [...found.node.methods.keys()].sort(), routes: [...found.node.methods.values()] };
    }
    return { kind: 'route', match: { route, pathParameters: found.parameters } };
  }

  private find(current: ResourceNode, parts: readonly string[], index: number, parameters: Record<string, string>): { node: ResourceNode; parameters: Record<string, string> } | undefined {
    if (index === parts.length) return current.methods.size ? { node: current, parameters } : undefined;
    const part = parts[index]!;
    const literal = current.literal.get(safeDecode(part) ?? part);
    const viaLiteral = literal && this.find(literal, parts, index + 1, parameters);
    if (viaLiteral) return viaLiteral;
    if (current.parameter && part !== '') {
      const value = safeDecode(part);
      if (value === undefined) return undefined;
      return this.find(current.parameter.node, parts, index + 1, { ...parameters, [current.parameter.name]: value });
    }
    return undefined;
  }
}

function splitPath(path: string): string[] {
  const trimmed = path.replace(/^\/+/, '').replace(/\/+$/, '');
  return trimmed === '' ? [] : trimmed.split('/');
}

function safeDecode(part: string): string | undefined {
  try {
    return decodeURIComponent(part);
  } catch {
    return undefined;
  }
}
