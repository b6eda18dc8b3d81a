import { relative, sep } from 'node:path';
import type { EnvironmentManifest } from '../../lambdas/shared/manifest';
import type { AppDeclaration } from '../constructs/app-api-stack';
import type { PlatformTemplate } from '../local/cloud/platform';
import { CACHE_FORMAT_VERSION, declarationsKey, type DeclarationsInputs } from './cache-key';
import { cacheFolder, readEntry, writeEntry } from './cache-store';
import { PROJECT_ROOT } from '../project-context';

export interface DeclarationsRequest extends DeclarationsInputs {
  /** Also what the local platform is compiled from (the gateway); the CLI needs the manifest alone. @default false */
  readonly platform?: boolean;
  /** Build and store even when an entry is stored: for an entry its reader found unusable. @default false */
  readonly rebuild?: boolean;
}

/** What local mode and the CLI read from the declarations: plain JSON, as the cache keeps it. */
export interface Declarations {
  readonly manifest: EnvironmentManifest;
  /** Present when asked for. */
  readonly platform?: PlatformTemplate;
  /** `cache` when nothing the declarations depend on changed since they were last built. */
  readonly source: 'cache' | 'built';
  /**
   * The packages' files the build loaded, in the order it loaded them (paths from the project's
   * folder): what a process started from the cache loads ahead of its first reload.
   */
  readonly buildModules: readonly string[];
}

interface CacheEntry {
  readonly format: number;
  readonly key: string;
  readonly manifest: EnvironmentManifest;
  readonly platform?: PlatformTemplate;
  readonly buildModules: readonly string[];
}

/**
 * The manifest (and, when asked, the platform's template data) of one environment: from the
 * declarations cache when its key — every input of the build, see declarationsKey — is stored, else
 * built from the declarations as `cdk synth` builds them (loading aws-cdk-lib only then) and stored.
 * Both ways return the same JSON: what a hit returns is exactly what the build wrote.
 */
export function loadDeclarations(request: DeclarationsRequest): Declarations {
  const folder = cacheFolder();
  let key: string | undefined;
  if (folder) {
    try {
      key = declarationsKey(request);
    } catch {
      // an input that cannot be read (a listed app that is missing): the build says what is wrong
      key = undefined;
    }
  }
  if (folder && key && !request.rebuild) {
    const entry = usableEntry(readEntry(folder, key), key, request.platform ?? false);
    if (entry) return { manifest: entry.manifest, ...(entry.platform ? { platform: entry.platform } : {}), source: 'cache', buildModules: entry.buildModules };
  }
  const built = buildDeclarations(request);
  // through JSON, as a later hit reads it: a build and a hit hand out the same data
  const entry: CacheEntry = JSON.parse(JSON.stringify({ format: CACHE_FORMAT_VERSION, key: key ?? '', ...built })) as CacheEntry;
  if (folder && key) writeEntry(folder, key, entry);
  return { manifest: entry.manifest, ...(entry.platform ? { platform: entry.platform } : {}), source: 'built', buildModules: entry.buildModules };
}

/**
 * Builds the declarations without reading or storing anything: a process started from the cache
 * runs it once while idle, so that its first reload after an edit finds aws-cdk-lib's code compiled
 * by the JIT, as a process that built at start does (a first build costs about twice a second).
 */
export function rehearseBuild(request: DeclarationsRequest): void {
  buildDeclarations(request);
}

/** One environment's manifest, through the cache: what the manifest-only CLI commands read. */
export function loadManifest(environment: string, options: { readonly resourcePrefix?: string } = {}): EnvironmentManifest {
  return loadDeclarations({ environment, ...(options.resourcePrefix ? { resourcePrefix: options.resourcePrefix } : {}) }).manifest;
}

function usableEntry(entry: unknown, key: string, platform: boolean): CacheEntry | undefined {
  if (typeof entry !== 'object' || entry === null) return undefined;
  const candidate = entry as Partial<CacheEntry>;
  if (candidate.format !== CACHE_FORMAT_VERSION || candidate.key !== key) return undefined;
  if (typeof candidate.manifest !== 'object' || candidate.manifest === null || !Array.isArray(candidate.manifest.routes)) return undefined;
  if (!Array.isArray(candidate.buildModules)) return undefined;
  if (platform && (typeof candidate.platform !== 'object' || candidate.platform === null || !Array.isArray(candidate.platform.resources))) return undefined;
  return candidate as CacheEntry;
}

/** The build itself: the declarations, aws-cdk-lib, one environment's stack. */
function buildDeclarations(request: DeclarationsRequest): { manifest: EnvironmentManifest; platform?: PlatformTemplate; buildModules: string[] } {
  const loadedBefore = new Set(Object.keys(require.cache));
  const { loadEnvironment, releaseEnvironment } = require('../environments') as typeof import('../environments');
  const apps = request.appsModule ? (require(request.appsModule) as { apps: readonly AppDeclaration[] }).apps : undefined;
  // local mode and the CLI read settings and the manifest, never the Lambda bundles: none is built
  const stack = loadEnvironment(request.environment, apps, { bundling: false, ...(request.resourcePrefix ? { resourcePrefix: request.resourcePrefix } : {}), ...(request.context ? { context: request.context } : {}) });
  let platform: PlatformTemplate | undefined;
  try {
    platform = request.platform ? (require('../local/cloud/platform-template') as typeof import('../local/cloud/platform-template')).platformTemplate(stack) : undefined;
  } finally {
    // nothing here synthesizes: the folder CDK made for it goes now
    releaseEnvironment(stack);
  }
  // the require cache lists modules in the order they loaded: replayed so, they load as they did
  const buildModules = Object.keys(require.cache)
    .filter((file) => !loadedBefore.has(file) && file.includes(`${sep}node_modules${sep}`))
    .map((file) => relative(PROJECT_ROOT, file));
  return { manifest: stack.manifest, ...(platform ? { platform } : {}), buildModules };
}
