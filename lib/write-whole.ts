import { randomBytes } from 'node:crypto';
import { renameSync, unlinkSync, writeFileSync } from 'node:fs';

/**
 * Replaces a file in one step (a file beside it, renamed over it): a reader sees the old content or
 * the new, never half of it. On failure the file beside it is removed and the error thrown.
 */
export function writeWhole(path: string, content: string, options: { readonly mode?: number } = {}): void {
  const temporary = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    writeFileSync(temporary, content, options.mode === undefined ? {} : { mode: options.mode });
    renameSync(temporary, path);
  } catch (error) {
    try {
      unlinkSync(temporary);
    } catch {
      // never written
    }
    throw error;
  }
}
