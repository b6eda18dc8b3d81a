const LITERAL_SEGMENT = /^[A-Za-z0-9._~-]+$/;
const PARAMETER_SEGMENT = /^\{([A-Za-z_][A-Za-z0-9_]*)\}$/;

export class RoutePathError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RoutePathError';
  }
}

export type PathSegment = { readonly kind: 'literal'; readonly value: string } | { readonly kind: 'parameter'; readonly name: string };

/**
 * An API Gateway path template such as `/customers/{customerId}`, checked once on creation so the
 * rest of the code never re-checks it.
 */
export class RoutePath {
  /** Parses a path template. Throws RoutePathError saying what is wrong and how to fix it. */
  static parse(template: string): RoutePath {
    if (typeof template !== 'string' || !template.startsWith('/')) {
      throw new RoutePathError(`path "${String(template)}" must start with "/", e.g. "/customers/{customerId}".`);
    }
    if (template === '/') return new RoutePath('/', []);
    if (template.endsWith('/')) {
      throw new RoutePathError(`path "${template}" ends with "/": remove the trailing slash ("${template.replace(/\/+$/, '')}").`);
    }
    const segments = template
      .slice(1)
      .split('/')
      .map((raw): PathSegment => {
        if (raw === '') throw new RoutePathError(`path "${template}" has an empty segment ("//"): remove the extra slash.`);
        const parameter = PARAMETER_SEGMENT.exec(raw);
        if (parameter) return { kind: 'parameter', name: parameter[1]! };
        if (raw.includes('+}')) {
          throw new RoutePathError(`path "${template}": greedy parameter "${raw}" is not supported; declare each segment, e.g. "/files/{folder}/{name}".`);
        }
        if (raw.includes('{') || raw.includes('}')) {
          throw new RoutePathError(
            `path "${template}": segment "${raw}" is not a valid parameter; a parameter is a whole segment named like "{customerId}" (letters, digits, underscore).`,
          );
        }
        if (!LITERAL_SEGMENT.test(raw)) {
          throw new RoutePathError(`path "${template}": segment "${raw}" may only contain letters, digits and "._~-".`);
        }
        return { kind: 'literal', value: raw };
      });
    const seen = new Set<string>();
    for (const segment of segments) {
      if (segment.kind !== 'parameter') continue;
      if (seen.has(segment.name)) {
        throw new RoutePathError(`path "${template}" declares parameter "{${segment.name}}" twice: give each parameter its own name.`);
      }
      seen.add(segment.name);
    }
    return new RoutePath(template, segments);
  }

  private constructor(
    readonly template: string,
    readonly segments: readonly PathSegment[],
  ) {}

  get parameters(): string[] {
    return this.segments.flatMap((segment) => (segment.kind === 'parameter' ? [segment.name] : []));
  }

  /** The path parts as API Gateway resources see them, e.g. ["customers", "{customerId}"]. */
  get parts(): string[] {
    return this.segments.map((segment) => (segment.kind === 'parameter' ? `{${segment.name}}` : segment.value));
  }

  /** The path with every parameter as `*`, as IAM and execute-api ARNs write it. */
  get arnPath(): string {
    return this.template.replace(/\{[^}]+\}/g, '*');
  }

  toString(): string {
    return this.template;
  }
}
