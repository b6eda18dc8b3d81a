import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';

const created: string[] = [];

/**
 * A new folder in the system's temporary folder (`<prefix>XXXXXX`), removed once the test
 * process's tests are done: cloud assemblies, data folders and lock files are kept while a test
 * may still read them, and not left behind run after run.
 */
export function temporaryFolder(prefix: string): string {
  const folder = mkdtempSync(join(tmpdir(), prefix));
  created.push(folder);
  return folder;
}

// a root-level hook: runs once, after every test of the process (of each file of a shared process)
after(() => {
  for (const folder of created.splice(0)) rmSync(folder, { recursive: true, force: true });
});
