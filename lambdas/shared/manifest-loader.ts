import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EnvironmentManifest, RouteManifest } from './manifest';
import { MANIFEST_VERSION } from './manifest';

/** Reads the manifest shipped next to the bundle. Called once per cold start. */
export function loadManifest(directory = __dirname): EnvironmentManifest {
  const manifest = JSON.parse(readFileSync(join(directory, 'manifest.json'), 'utf8')) as EnvironmentManifest;
  if (manifest.version !== MANIFEST_VERSION) throw new Error(`manifest version ${manifest.version} is not ${MANIFEST_VERSION}`);
  return manifest;
}

export function findRoute(manifest: EnvironmentManifest, routeId: string | undefined): RouteManifest {
  const route = manifest.routes.find((candidate) => candidate.id === routeId);
  if (!route) throw new Error(`route "${routeId}" is not in the manifest of environment ${manifest.env}`);
  return route;
}
