import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildSync, version as esbuildVersion, type BuildOptions } from 'esbuild';
import type { EnvironmentManifest } from '../../lambdas/shared/manifest';
import { cachedBuild } from './bundle-cache';

/** What ships to Lambda: the entry file under `lambdas/`, and the handler name in the bundle. */
export const LAMBDA_ENTRIES = {
  handler: { source: 'runtime/handler.ts', file: 'handler.js', handler: 'handler.handler' },
  authorizer: { source: 'authorizer/index.ts', file: 'authorizer.js', handler: 'authorizer.handler' },
  signingKey: { source: 'signing-key/index.ts', file: 'signing-key.js', handler: 'signing-key.handler' },
} as const;

export type LambdaEntry = keyof typeof LAMBDA_ENTRIES;

const LAMBDAS_DIR = join(__dirname, '..', '..', 'lambdas');
const PROJECT_ROOT = join(LAMBDAS_DIR, '..');
const bundles = new Map<LambdaEntry, string>();

/**
 * Bundles an entry once per process, and across processes once per set of sources (cached on disk
 * by the content of every file the bundle was built from): one esbuild run serves every function
 * of every environment, and the CLI and test processes after it.
 */
export function bundle(entry: LambdaEntry): string {
  let code = bundles.get(entry);
  if (code === undefined) {
    const options = {
      entryPoints: [join(LAMBDAS_DIR, LAMBDA_ENTRIES[entry].source)],
      absWorkingDir: PROJECT_ROOT,
      bundle: true,
      platform: 'node',
      target: 'node22',
      format: 'cjs',
      minify: true,
      legalComments: 'none',
      // nodejs22.x ships AWS SDK v3: using it keeps the bundle small and cold starts short
      external: ['@aws-sdk/*', '@smithy/*'],
      write: false,
      metafile: true,
      logLevel: 'silent',
    } as const satisfies BuildOptions;
    code = cachedBuild(`${entry}\0${esbuildVersion}\0${JSON.stringify(options)}`, PROJECT_ROOT, () => {
      const result = buildSync(options);
      return { code: result.outputFiles[0]!.text, inputs: Object.keys(result.metafile.inputs) };
    });
    bundles.set(entry, code);
  }
  return code;
}

/**
 * The asset directory of an entry for one environment: the bundle plus the environment's
 * manifest.json, read at cold start. Every function of the environment shares it, so synth
 * stages one asset, not one per App API. Content-addressed, so a rerun reuses it.
 * Without a manifest (an entry that reads none, e.g. `signingKey`) the directory holds the bundle alone.
 */
export function lambdaAssetDirectory(entry: LambdaEntry, manifest?: EnvironmentManifest): string {
  const code = bundle(entry);
  const manifestJson = manifest === undefined ? undefined : JSON.stringify(manifest);
  const hash = createHash('sha256').update(entry).update('\0').update(code).update('\0').update(manifestJson ?? '').digest('hex').slice(0, 32);
  const directory = join(tmpdir(), 'appapi-assets', `${entry}-${hash}`);
  if (!existsSync(directory)) {
    const staging = `${directory}.${process.pid}.tmp`;
    mkdirSync(staging, { recursive: true });
    writeFileSync(join(staging, LAMBDA_ENTRIES[entry].file), code);
    if (manifestJson !== undefined) writeFileSync(join(staging, 'manifest.json'), manifestJson);
    try {
      renameSync(staging, directory);
    } catch (error) {
      // another process staged the same content first
      if (!existsSync(directory)) throw error;
    }
  }
  return directory;
}
