import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join } from 'node:path';
import type { AppDeclaration } from './constructs/app-api-stack';

/**
 * cdk.json's context key listing apps that live outside lib/apps: in a folder of their own or an
 * npm workspace package, each with its own tests. Every entry is a module path relative to the
 * project (`./teams/shop`) or a package name (`@acme/shop-api`) whose module exports
 * `apps: AppDeclaration[]`, as lib/apps/index.ts does.
 */
export const APPS_CONTEXT = 'appapi:apps';

/** An `appapi:apps` entry that cannot be used; the message says how to fix it. */
export class ListedAppsError extends Error {}

const PROJECT_ROOT = join(__dirname, '..');

/** The listed modules, resolved to files. */
export function listedAppModules(context: unknown, root: string = PROJECT_ROOT): string[] {
  if (context === undefined || context === null) return [];
  const entries = typeof context === 'string' ? parseJson(context) : context;
  if (!Array.isArray(entries) || entries.some((entry) => typeof entry !== 'string' || entry === '')) {
    throw new ListedAppsError(`cdk.json's "${APPS_CONTEXT}" must list module paths or package names, e.g. ["./teams/shop", "@acme/shop-api"]; received ${JSON.stringify(context)}.`);
  }
  return (entries as string[]).map((entry) => {
    const request = isAbsolute(entry) ? entry : entry.startsWith('.') ? join(root, entry) : entry;
    try {
      return require.resolve(request, { paths: [root] });
    } catch {
      throw new ListedAppsError(`cdk.json's "${APPS_CONTEXT}" lists "${entry}", which cannot be found from ${root}: write a path relative to cdk.json ("./teams/shop") or the name of an installed package (npm install, or add its folder to "workspaces" in package.json).`);
    }
  });
}

/** The apps of the listed modules, in order. */
export function listedApps(context: unknown, root: string = PROJECT_ROOT): AppDeclaration[] {
  return listedAppModules(context, root).flatMap((file) => {
    const { apps } = require(file) as { apps?: unknown };
    if (!Array.isArray(apps) || apps.some((app) => typeof app !== 'function')) {
      throw new ListedAppsError(`${file} (listed in cdk.json's "${APPS_CONTEXT}") must export apps: AppDeclaration[], e.g. export const apps = [declareShop];`);
    }
    return apps as AppDeclaration[];
  });
}

/**
 * The folders whose edits change the listed apps: a package's own folder (the one holding its
 * package.json), else the module's folder. The search for a package.json stops at the project,
 * at a repository's root and at the home folder: a package.json above those (one in the home
 * folder is common) is not the app's, and watching all of it would watch everything below.
 */
export function listedAppFolders(context: unknown, root: string = PROJECT_ROOT): string[] {
  const home = homedir();
  return listedAppModules(context, root).map((file) => {
    // the project's own package.json is not the app's: a folder app is watched alone
    for (let folder = dirname(file); folder !== root && folder !== home && folder !== dirname(folder); folder = dirname(folder)) {
      if (existsSync(join(folder, 'package.json'))) return folder;
      if (existsSync(join(folder, '.git'))) break;
    }
    return dirname(file);
  });
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
