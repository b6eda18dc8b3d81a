const UNSAFE_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * Parses a JSON object and refuses what different parsers could read differently: a key that
 * appears twice in one object (which value wins depends on the parser) and prototype keys.
 */
export function parseStrictObject(text: string): Record<string, unknown> | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  return hasAmbiguousKeys(text) ? undefined : (value as Record<string, unknown>);
}

/** Walks valid JSON text, checking each object's keys as written (escapes decoded). */
function hasAmbiguousKeys(text: string): boolean {
  const objects: Array<Set<string> | null> = [];
  for (let index = 0; index < text.length; index += 1) {
    const char = text[index];
    if (char === '"') {
      let end = index + 1;
      while (text[end] !== '"') end += text[end] === '\\' ? 2 : 1;
      let next = end + 1;
      while (next < text.length && ' \t\n\r'.includes(text[next]!)) next += 1;
      const keys = objects[objects.length - 1];
      if (text[next] === ':' && keys) {
        const key = JSON.parse(text.slice(index, end + 1)) as string;
        if (keys.has(key) || UNSAFE_KEYS.has(key)) return true;
        keys.add(key);
      }
      index = end;
    } else if (char === '{') objects.push(new Set());
    else if (char === '[') objects.push(null);
    else if (char === '}' || char === ']') objects.pop();
  }
  return false;
}
