import { createHash, type Hash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { APPS_CONTEXT, listedAppFolders } from '../listed-apps';
import { PROJECT_ROOT, projectContext } from '../project-context';

/** Bumped whenever what an entry holds, or how it is read, changes: older entries then miss. */
export const CACHE_FORMAT_VERSION = 1;

/** What one load of the declarations is asked for; every part is in the key. */
export interface DeclarationsInputs {
  readonly environment: string;
  readonly resourcePrefix?: string;
  /** cdk.json's context as given to the gateway, else the file's (whose text is hashed anyway). */
  readonly context?: Record<string, unknown>;
  /** A module exporting `apps` served instead of the project's (tests, programs embedding the gateway). */
  readonly appsModule?: string;
}

/** The project's files the declarations are built from, besides lib/ and lambdas/. */
const PROJECT_FILES = ['cdk.json', 'package.json', 'package-lock.json', 'appapi.lock.json', 'tsconfig.json'];
/** Never sources: installed packages (package-lock.json stands for them), build output, local data. */
const SKIPPED_FOLDERS = new Set(['node_modules', '.git', 'cdk.out', '.appapi']);

/**
 * The cache key of one load of the declarations: a hash of everything the stack is built from —
 * the contents (not the times) of lib/, lambdas/, the project files, the folders of the apps
 * cdk.json lists and of an explicit apps module; the environment, table prefix and context asked
 * for; the CDK_* variables the CDK app reads (default account and region, context JSON); the Node.js
 * and aws-cdk-lib versions; and the cache format. Contents, because a checkout does not always
 * change modification times.
 */
export function declarationsKey(inputs: DeclarationsInputs, root: string = PROJECT_ROOT): string {
  const hash = createHash('sha256');
  const context = inputs.context ?? projectContext();
  hash.update(
    JSON.stringify({
      format: CACHE_FORMAT_VERSION,
      node: process.version,
      awsCdkLib: packageVersion('aws-cdk-lib', root),
      environment: inputs.environment,
      resourcePrefix: inputs.resourcePrefix ?? null,
      context: inputs.context ?? null,
      appsModule: inputs.appsModule ?? null,
      cdkVariables: Object.entries(process.env).filter(([name]) => name.startsWith('CDK_')).sort(([a], [b]) => (a < b ? -1 : 1)),
    }),
  );
  const folders = [join(root, 'lib'), join(root, 'lambdas')];
  if (inputs.appsModule) {
    const folder = dirname(inputs.appsModule);
    // the project's root is not walked whole (node_modules, test/…): the module alone stands for it
    if (folder === root) hashFile(hash, inputs.appsModule, root);
    else folders.push(folder);
  } else {
    folders.push(...listedAppFolders(context[APPS_CONTEXT], root));
  }
  for (const file of PROJECT_FILES) hashFile(hash, join(root, file), root);
  for (const folder of [...new Set(folders)].sort()) {
    if (!folders.some((other) => other !== folder && folder.startsWith(other + sep))) hashFolder(hash, folder, root);
  }
  return hash.digest('hex').slice(0, 32);
}

function hashFolder(hash: Hash, folder: string, root: string): void {
  let entries;
  try {
    entries = readdirSync(folder, { withFileTypes: true });
  } catch {
    hash.update(`\0missing folder ${relative(root, folder)}\0`);
    return;
  }
  for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) {
      if (!SKIPPED_FOLDERS.has(entry.name)) hashFolder(hash, path, root);
    } else if (entry.isFile() || entry.isSymbolicLink()) hashFile(hash, path, root);
  }
}

function hashFile(hash: Hash, path: string, root: string): void {
  let content: Buffer | undefined;
  try {
    content = readFileSync(path);
  } catch {
    content = undefined;
  }
  // path and length first: moving bytes between files, or a missing file, changes the key too
  hash.update(`\0${relative(root, path)}\0${content ? content.length : -1}\0`);
  if (content) hash.update(content);
}

function packageVersion(name: string, root: string): string | null {
  try {
    return (JSON.parse(readFileSync(join(root, 'node_modules', name, 'package.json'), 'utf8')) as { version?: string }).version ?? null;
  } catch {
    return null;
  }
}
