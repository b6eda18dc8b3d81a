import { randomBytes } from 'node:crypto';
import { linkSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';

/**
 * Writes a file in one step (a file beside it, renamed over it): a reader, or a process killed
 * mid-write, sees the old content or the new, never half of it. `exclusive` never replaces a file
 * already there (another process's, created meanwhile): it throws EEXIST instead, as flag 'wx'
 * does, but unlike 'wx' the file appears with all of its content. On failure the file beside it
 * is removed and the error thrown.
 */
export function writeWhole(path: string, content: string, options: { readonly mode?: number; readonly exclusive?: boolean } = {}): void {
  const temporary = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  let placed = false;
  try {
    writeFileSync(temporary, content, options.mode === undefined ? {} : { mode: options.mode });
    // link(2) fails on an existing target where rename(2) would replace it; both are atomic
    if (options.exclusive) linkSync(temporary, path);
    else renameSync(temporary, path);
    placed = !options.exclusive;
  } finally {
    if (!placed) {
      try {
        unlinkSync(temporary);
      } catch {
        // never written
      }
    }
  }
}
