import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { buildSync, version as esbuildVersion, type BuildOptions } from 'esbuild';
import type { EnvironmentManifest } from '../../lambdas/shared/manifest';
import { PRECOMPILED_VALIDATORS_FILE } from '../../lambdas/shared/schema-validators';
import { cachedBuild } from './bundle-cache';
import { LAMBDA_BUILD_OPTIONS } from './lambda-build-options';
import { precompiledValidatorsCode } from './precompiled-validators';

import { LAMBDA_ENTRIES, lazyModulesOf, type LambdaEntry } from './lambda-entries';

export { LAMBDA_ENTRIES, type LambdaEntry };

const LAMBDAS_DIR = join(__dirname, '..', '..', 'lambdas');
const PROJECT_ROOT = join(LAMBDAS_DIR, '..');

/**
 * The files of a bundle, by name: the entry's, those of its lazily required modules, and a source
 * map for each (`<file>.map`), which names the TypeScript files under `lambdas/` for stack traces.
 */
export interface Bundle {
  readonly files: Readonly<Record<string, string>>;
}

const bundles = new Map<LambdaEntry, Bundle>();

/** Changes when the precompiled validators are made differently (the ajv version is in package-lock). */
const VALIDATORS_FORMAT = `1 ajv ${(require('ajv/package.json') as { version: string }).version}`;

/**
 * Bundles an entry once per process, and across processes once per set of sources (cached on disk
 * by the content of every file the bundle was built from): one esbuild run serves every function
 * of every environment, and the CLI and test processes after it.
 */
export function bundle(entry: LambdaEntry): Bundle {
  let built = bundles.get(entry);
  if (built === undefined) {
    const file = LAMBDA_ENTRIES[entry].file;
    const lazy = lazyModulesOf(entry);
    const options = {
      // each lazily required module is an entry of its own, and external to the others: their
      // `require('./x')` stays as written and finds x.js next to the bundle (esbuild splits code
      // into chunks for ES modules only: https://esbuild.github.io/api/#splitting)
      entryPoints: [
        { in: join(LAMBDAS_DIR, LAMBDA_ENTRIES[entry].source), out: file.replace(/\.js$/, '') },
        ...Object.entries(lazy).map(([path, source]) => ({ in: join(LAMBDAS_DIR, source), out: path.replace(/^\.\//, '') })),
      ],
      // '@smithy/core/event-streams': imported by the SDK's HTTP protocol only for an operation with
      // an event stream, which DynamoDB has none of (its API: https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_Operations_Amazon_DynamoDB.html);
      // left out, its ~15 KB are not parsed at each cold start, and the import stays as written
      external: [...Object.keys(lazy), '@smithy/core/event-streams'],
      absWorkingDir: PROJECT_ROOT,
      // names the output files (nothing is written) and makes map sources read lambdas/…, node_modules/…
      outdir: PROJECT_ROOT,
      ...LAMBDA_BUILD_OPTIONS,
      // The SDK is bundled, not resolved from the runtime's copy: one file to read instead of
      // dozens of packages, tree-shaken from the SDK's ES modules (`module` before `main`) down to
      // what DynamoDB and the document client use, and the version is the one in package-lock.
      // Measured here: a fifth less CPU per cold start (npm run bench -- coldstart). AWS recommends it:
      // https://docs.aws.amazon.com/lambda/latest/dg/best-practices.html ("Control the dependencies
      // in your function's deployment package") and
      // https://aws.amazon.com/blogs/developer/reduce-lambda-cold-start-times-migrate-to-aws-sdk-for-javascript-v3/
      mainFields: ['module', 'main'],
      // credentials from Lambda's environment variables only: see lambdas/shared/lambda-credentials.ts;
      // Node modules that dependencies import at load and a request never uses, loaded at first use
      // instead: see lambdas/shared/deferred-*.ts
      alias: {
        '@aws-sdk/credential-provider-node': './lambdas/shared/lambda-credentials.ts',
        'node:stream/web': './lambdas/shared/deferred-stream-web.ts',
        'node:zlib': './lambdas/shared/deferred-zlib.ts',
      },
      // The signing-key and fallback functions run with --enable-source-maps; the handler's and the
      // authorizer's logger maps the stacks it logs: CloudWatch then names lambdas/**/*.ts and lines.
      // Sources are left out of the map (file and line are what a trace needs).
      sourcemap: 'linked',
      sourcesContent: false,
      sourceRoot: '',
      write: false,
      metafile: true,
      logLevel: 'silent',
    } as const satisfies BuildOptions;
    // the cache keeps one string: the files, as JSON
    const cached = cachedBuild(`${entry}\0${esbuildVersion}\0${JSON.stringify(options)}`, PROJECT_ROOT, () => {
      const result = buildSync(options);
      const files = Object.fromEntries(result.outputFiles.map((outputFile) => [relative(PROJECT_ROOT, outputFile.path), outputFile.text]));
      return { code: JSON.stringify({ files } satisfies Bundle), inputs: Object.keys(result.metafile.inputs) };
    });
    built = JSON.parse(cached) as Bundle;
    bundles.set(entry, built);
  }
  return built;
}

/**
 * The asset directory of an entry for one environment: the bundle plus the environment's
 * manifest.json, read at cold start. Every function of the environment shares it, so synth
 * stages one asset, not one per App API. Content-addressed, so a rerun reuses it.
 * Without a manifest (an entry that reads none, e.g. `signingKey`) the directory holds the bundle and its map alone.
 * The handler's also holds validators.js: every JSON Schema of the environment compiled ahead of time,
 * and its lazily required modules (json-schema.js, jsonata-compiler.js), each with its map.
 */
export function lambdaAssetDirectory(entry: LambdaEntry, manifest?: EnvironmentManifest, options: { readonly bundling?: boolean } = {}): string {
  if (options.bundling === false) return unbundledAssetDirectory(entry);
  const { files } = bundle(entry);
  const manifestJson = manifest === undefined ? undefined : JSON.stringify(manifest);
  const validators = entry === 'handler' && manifest !== undefined;
  const hash = createHash('sha256').update(entry).update('\0');
  for (const [name, content] of Object.entries(files).sort(([a], [b]) => a.localeCompare(b))) hash.update(name).update('\0').update(content).update('\0');
  const digest = hash
    .update(manifestJson ?? '')
    .update(validators ? `\0validators ${VALIDATORS_FORMAT}` : '')
    .digest('hex')
    .slice(0, 32);
  const directory = join(tmpdir(), 'appapi-assets', `${entry}-${digest}`);
  if (!existsSync(directory)) {
    const staging = `${directory}.${process.pid}.tmp`;
    mkdirSync(staging, { recursive: true });
    for (const [name, content] of Object.entries(files)) writeFileSync(join(staging, name), content);
    if (manifestJson !== undefined) writeFileSync(join(staging, 'manifest.json'), manifestJson);
    if (validators) writeFileSync(join(staging, PRECOMPILED_VALIDATORS_FILE), precompiledValidatorsCode(manifest, PROJECT_ROOT));
    try {
      renameSync(staging, directory);
    } catch (error) {
      // another process staged the same content first
      if (!existsSync(directory)) throw error;
    }
  }
  return directory;
}

/**
 * The asset of a stack that CDK's `aws:cdk:bundling-stacks` context leaves out of bundling (as
 * `cdk synth --exclusively` and local mode do): a placeholder, not the bundle. Local mode runs
 * `lambdas/` from source and reads only the functions' settings from the template, so building
 * the bundles (about 3 s of CPU on a first start, the SDK included) would be spent for nothing.
 */
function unbundledAssetDirectory(entry: LambdaEntry): string {
  const directory = join(tmpdir(), 'appapi-assets', `${entry}-unbundled`);
  if (!existsSync(directory)) {
    const staging = `${directory}.${process.pid}.tmp`;
    mkdirSync(staging, { recursive: true });
    writeFileSync(join(staging, LAMBDA_ENTRIES[entry].file), `throw new Error('not bundled: this stack was synthesized without bundling (aws:cdk:bundling-stacks)');\n`);
    try {
      renameSync(staging, directory);
    } catch (error) {
      if (!existsSync(directory)) throw error;
    }
  }
  return directory;
}
