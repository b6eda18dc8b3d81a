import { prepareDynamoDbLocalAtInstall, type InstallOutcome } from '../local/dynamodb-local-install';

/** What `npm install` prepared for the first `npm start`, as scripts/postinstall.js reports it. */
export interface FirstStartPreparation {
  readonly dynamoDbLocal: InstallOutcome;
  /** `stored` (built now), `already stored`, `caching off`, or why they were not built. */
  readonly declarations: string;
}

/**
 * Prepares at `npm install` (scripts/postinstall.js, the root package's postinstall) what the first
 * `npm start` of a fresh clone would otherwise do on its critical path, all of it kept where a
 * later start finds it and keyed so that a stale copy is never used:
 * - DynamoDB Local's class-data archive (see dynamodb-local-install.ts), in a JVM on the other core;
 * - the dev environment's declarations, built and stored in the declarations cache (keyed by every
 *   file and setting they are built from: an edit before the first start makes it a miss, built as
 *   without this);
 * - the TypeScript of the modules `appapi dev` loads, transformed once by tsx, whose cache (in the
 *   temp folder, keyed by content) the start then reads.
 * Nothing here throws, and nothing runs with APPAPI_CACHE=off.
 */
export async function prepareFirstStart(): Promise<FirstStartPreparation> {
  if (process.env.APPAPI_CACHE === 'off') return { dynamoDbLocal: 'caching off', declarations: 'caching off' };
  let spawned!: () => void;
  const jvmSpawned = new Promise<void>((resolve) => (spawned = resolve));
  const archive = prepareDynamoDbLocalAtInstall({ onSpawn: spawned });
  // the JVM first: the declarations then hold this thread for a few seconds, which would delay its spawn
  await Promise.race([jvmSpawned, archive]);
  const declarations = buildDevDeclarations();
  return { dynamoDbLocal: await archive, declarations };
}

/** What `npm start` (`appapi dev`, environment dev) loads before it serves, loaded and stored. */
function buildDevDeclarations(): string {
  try {
    require('./dev-command');
    require('../local/gateway/server');
    const { loadGeneration } = require('../local/gateway/generation') as typeof import('../local/gateway/generation');
    const { localTablePrefix } = require('../local/table-prefix') as typeof import('../local/table-prefix');
    // the request `appapi dev` makes, so the entry stored is the one its start looks up
    return loadGeneration('dev', undefined, localTablePrefix()).source === 'built' ? 'stored' : 'already stored';
  } catch (error) {
    // declarations that do not build yet: the first start says why, as it always did
    return `not built (${error instanceof Error ? error.message.split('\n')[0] : String(error)})`;
  }
}
