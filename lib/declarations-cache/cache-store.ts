import { mkdirSync, readdirSync, readFileSync, statSync, unlinkSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../project-context';
import { writeWhole } from '../write-whole';

/** At most this many entries are kept (a few environments × table prefixes); the least recently used go first. */
export const MAX_CACHE_ENTRIES = 24;
/** And at most this many bytes in all (an entry of the reference app is about 0.2 MB). */
export const MAX_CACHE_BYTES = 32 * 1024 * 1024;
const ENTRY = /^declarations-[0-9a-f]+\.json$/;
/** A temp file this old was left by a process that died while writing. */
const STALE_TEMP_MS = 60_000;

/**
 * Where the declarations cache lives: APPAPI_CACHE_DIR, else the project's
 * node_modules/.cache/appapi/ (where tools keep their caches: `rm -rf node_modules/.cache/appapi`
 * clears it; a fresh clone has only what its `npm install` stored, see scripts/postinstall.js).
 * APPAPI_CACHE=off turns it off (undefined).
 */
export function cacheFolder(): string | undefined {
  if (process.env.APPAPI_CACHE === 'off') return undefined;
  return process.env.APPAPI_CACHE_DIR || join(PROJECT_ROOT, 'node_modules', '.cache', 'appapi');
}

/** One stored entry, parsed; undefined when absent, unreadable or not JSON (then it is rebuilt and replaced). */
export function readEntry(folder: string, key: string): unknown {
  const file = entryFile(folder, key);
  let entry: unknown;
  try {
    entry = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
  try {
    // its time says when it was last used: eviction keeps the recent ones
    const now = new Date();
    utimesSync(file, now, now);
  } catch {
    // a read-only cache still serves
  }
  return entry;
}

/**
 * Stores an entry atomically (a temp file renamed over it: a reader sees the old entry or the new,
 * never half of one), then evicts the least recently used beyond the bounds. A cache that cannot
 * be written is no error: the next load builds again.
 */
export function writeEntry(folder: string, key: string, entry: unknown): void {
  const file = entryFile(folder, key);
  try {
    mkdirSync(folder, { recursive: true });
    writeWhole(file, JSON.stringify(entry));
  } catch {
    return;
  }
  evict(folder);
}

function evict(folder: string): void {
  const now = Date.now();
  const entries: Array<{ file: string; bytes: number; usedMs: number }> = [];
  for (const name of safeList(folder)) {
    const file = join(folder, name);
    try {
      const stats = statSync(file);
      if (name.endsWith('.tmp')) {
        if (now - stats.mtimeMs > STALE_TEMP_MS) unlinkSync(file);
      } else if (ENTRY.test(name)) entries.push({ file, bytes: stats.size, usedMs: stats.mtimeMs });
    } catch {
      // removed meanwhile by another process
    }
  }
  entries.sort((a, b) => b.usedMs - a.usedMs);
  let bytes = 0;
  entries.forEach((entry, index) => {
    bytes += entry.bytes;
    if (index < MAX_CACHE_ENTRIES && bytes <= MAX_CACHE_BYTES) return;
    try {
      unlinkSync(entry.file);
    } catch {
      // removed meanwhile
    }
  });
}

function safeList(folder: string): string[] {
  try {
    return readdirSync(folder);
  } catch {
    return [];
  }
}

function entryFile(folder: string, key: string): string {
  return join(folder, `declarations-${key}.json`);
}
