import { join, sep } from 'node:path';
import type { EnvironmentManifest } from '../../../lambdas/shared/manifest';
import type { GatewayAppOptions, GatewayApp } from './gateway-app';
import type { LocalPlatform } from '../cloud/platform';
import { APPS_CONTEXT, listedAppFolders } from '../../listed-apps';
import { projectContext } from '../../project-context';

/** One load of the declarations and the code that serves them. */
export interface Generation {
  readonly manifest: EnvironmentManifest;
  /** `cache` when the declarations were not loaded: nothing they depend on changed since the last build. */
  readonly source: 'cache' | 'built';
  /** The packages' files the build of these declarations loaded (see lib/local/gateway/warm-up.ts). */
  readonly buildModules: readonly string[];
  readonly createApp: (options: Omit<GatewayAppOptions, 'manifest' | 'platform'>) => GatewayApp;
}

const PROJECT_ROOT = join(__dirname, '..', '..', '..');
let loadedBefore = false;

/**
 * Loads the declarations and the gateway code afresh: every module outside node_modules is
 * dropped from the require cache first, so an edited declaration or handler file is what runs
 * next, while aws-cdk-lib and the other packages stay loaded (which keeps a reload fast).
 * The process's first load keeps what it has just loaded to get here (loading the project's
 * modules twice cost about a second of `npm start`). The manifest and the template data come
 * from the declarations cache when nothing they are built from changed (see
 * lib/declarations-cache): then neither the declarations nor aws-cdk-lib load at all, and the
 * platform is compiled from the same template data a build reads.
 */
export function loadGeneration(environment: string, appsModule?: string, resourcePrefix?: string, context?: Record<string, unknown>): Generation {
  if (loadedBefore) {
    for (const path of Object.keys(require.cache)) {
      if (!path.includes(`${sep}node_modules${sep}`)) delete require.cache[path];
    }
  }
  loadedBefore = true;
  const { loadDeclarations } = require(join(PROJECT_ROOT, 'lib', 'declarations-cache', 'load-declarations')) as typeof import('../../declarations-cache/load-declarations');
  const { createGatewayApp } = require('./gateway-app') as typeof import('./gateway-app');
  const { compilePlatform } = require('../cloud/platform') as typeof import('../cloud/platform');
  // without a module of its own, the project's apps: lib/apps and those cdk.json's appapi:apps lists
  const request = { environment, platform: true, ...(appsModule ? { appsModule } : {}), ...(resourcePrefix ? { resourcePrefix } : {}), ...(context ? { context } : {}) };
  let declarations = loadDeclarations(request);
  // what the template says of the platform around the handlers, executed locally
  let platform: LocalPlatform;
  try {
    platform = compilePlatform(declarations.platform!);
  } catch (error) {
    // a stored entry that does not compile (damaged, yet JSON) is rebuilt; a build's own error stands
    if (declarations.source !== 'cache') throw error;
    declarations = loadDeclarations({ ...request, rebuild: true });
    platform = compilePlatform(declarations.platform!);
  }
  const manifest = declarations.manifest;
  return { manifest, source: declarations.source, buildModules: declarations.buildModules, createApp: (options) => createGatewayApp({ ...options, manifest, platform }) };
}

/** The folders whose changes reload the gateway: lib, lambdas, and the apps' own folders. */
export function watchedFolders(appsModule?: string, context?: Record<string, unknown>): string[] {
  const folders = [join(PROJECT_ROOT, 'lib'), join(PROJECT_ROOT, 'lambdas')];
  if (appsModule && !isInside(appsModule, PROJECT_ROOT)) folders.push(join(appsModule, '..'));
  const listed = appsModule ? [] : listedAppFolders((context ?? projectContext())[APPS_CONTEXT]);
  folders.push(...listed.filter((folder) => !folders.some((watched) => isInside(folder, watched))));
  return folders;
}

/** A path within a folder, or the folder itself: `<root>/library` is not within `<root>/lib`. */
function isInside(path: string, folder: string): boolean {
  return path === folder || path.startsWith(folder.endsWith(sep) ? folder : folder + sep);
}
