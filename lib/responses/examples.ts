import type { SchemaObject } from './components';

type Resolve = (schema: unknown) => unknown;

const MAX_DEPTH = 8;

/** Strings by format, each valid for its format. */
const FORMAT_EXAMPLES: Record<string, string> = {
  email: 'ada@example.com',
  'date-time': '2026-03-01T09:30:00.000Z',
  date: '2026-03-01',
  time: '09:30:00Z',
  uri: 'https://example.com/',
  url: 'https://example.com/',
  uuid: '5f1c3d2e-8b4a-4c6f-9e1d-2a7b3c4d5e6f',
  hostname: 'example.com',
  ipv4: '192.0.2.1',
};

/** Strings by property name, tried when a string has no format. */
const NAMED_EXAMPLES: Record<string, string> = {
  id: '5f1c3d2e-8b4a-4c6f-9e1d-2a7b3c4d5e6f',
  name: 'Ada Lovelace',
  phone: '+14155550123',
  email: 'ada@example.com',
  link: 'https://example.com/bookings/5f1c3d2e',
  url: 'https://example.com/',
};

/**
 * An example value of a schema, for OpenAPI documents: `examples`, `const`, `enum` and `default`
 * win, then a value built from the type, format and property name. The caller validates it
 * against the schema and drops it when it does not fit (patterns are not generated).
 */
export function exampleOf(schema: unknown, resolve: Resolve, name = '', depth = 0): unknown {
  const resolved = resolve(schema);
  if (resolved === true || resolved === undefined || depth > MAX_DEPTH) return {};
  if (resolved === false || resolved === null || typeof resolved !== 'object') return null;
  const s = resolved as SchemaObject;
  if (Array.isArray(s.examples) && s.examples.length) return s.examples[0];
  if (s.const !== undefined) return s.const;
  if (Array.isArray(s.enum) && s.enum.length) return s.enum[0];
  if (s.default !== undefined) return s.default;
  for (const keyword of ['anyOf', 'oneOf'] as const) {
    const variants = s[keyword];
    if (Array.isArray(variants) && variants.length) {
      const present = variants.find((variant) => (resolve(variant) as SchemaObject | undefined)?.type !== 'null') ?? variants[0];
      return exampleOf(present, resolve, name, depth + 1);
    }
  }
  if (Array.isArray(s.allOf)) {
    const parts = s.allOf.map((part) => exampleOf(part, resolve, name, depth + 1));
    if (parts.every((part) => part !== null && typeof part === 'object' && !Array.isArray(part))) return Object.assign({}, ...parts);
    return parts[0];
  }
  const type = (Array.isArray(s.type) ? (s.type as string[]).find((t) => t !== 'null') : s.type) as string | undefined;
  switch (type ?? (s.properties ? 'object' : s.items ? 'array' : undefined)) {
    case 'object': {
      const properties = (s.properties ?? {}) as Record<string, unknown>;
      return Object.fromEntries(Object.entries(properties).map(([key, value]) => [key, exampleOf(value, resolve, key, depth + 1)]));
    }
    case 'array':
      return s.items === undefined || s.items === false ? [] : [exampleOf(s.items, resolve, name, depth + 1)];
    case 'string':
      return stringExample(s, name);
    case 'integer':
      return typeof s.minimum === 'number' ? Math.ceil(s.minimum) : 1;
    case 'number':
      return typeof s.minimum === 'number' ? s.minimum : 1;
    case 'boolean':
      return true;
    case 'null':
      return null;
    default:
      return {};
  }
}

function stringExample(schema: SchemaObject, name: string): string {
  const format = typeof schema.format === 'string' ? FORMAT_EXAMPLES[schema.format] : undefined;
  const named = NAMED_EXAMPLES[name] ?? (/Id$/.test(name) ? NAMED_EXAMPLES.id : undefined);
  let value = format ?? named ?? 'string';
  if (typeof schema.maxLength === 'number') value = value.slice(0, schema.maxLength);
  if (typeof schema.minLength === 'number') value = value.padEnd(schema.minLength, 'x');
  return value;
}
