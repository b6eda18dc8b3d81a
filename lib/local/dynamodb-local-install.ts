import { buildClassDataArchive } from './dynamodb-local';
import { cacheFolder } from './dynamodb-local-class-data';

/**
 * What `npm install` left for DynamoDB Local's first start: an `archive in place` (built now, or
 * already there), or none: `caching off` (APPAPI_CACHE=off), `no archive` (no Java on PATH, an older
 * Java, another build holding the lock), `timed out`.
 */
export type InstallOutcome = 'archive in place' | 'caching off' | 'no archive' | 'timed out';

/**
 * Bounds the install's wait: a build takes 5–10 s on a quiet 2-core machine; one that takes longer
 * than this is dropped, and the first start builds it in the background as it would have anyway.
 */
export const INSTALL_BUILD_TIMEOUT_MS = 90_000;

/**
 * Builds DynamoDB Local's class-data archive (see dynamodb-local-class-data.ts) during `npm install`,
 * so that the first `npm start` of a fresh clone maps it as every later start does, instead of
 * loading DynamoDB Local's classes from its jars and building the archive in the background.
 *
 * An optimization only: it never throws, and whatever it cannot do (no Java yet, caching off, too
 * slow) is left to the first start, which behaves as without it. It runs at normal priority, as
 * whoever runs `npm install` waits for it.
 */
export async function prepareDynamoDbLocalAtInstall(options: { readonly timeoutMs?: number; readonly onSpawn?: () => void } = {}): Promise<InstallOutcome> {
  const folder = cacheFolder();
  if (!folder) return 'caching off';
  const build = buildClassDataArchive(folder, options.onSpawn ? { onSpawn: options.onSpawn } : {}, { lowPriority: false });
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timed out'>((resolve) => {
    timer = setTimeout(() => resolve('timed out'), options.timeoutMs ?? INSTALL_BUILD_TIMEOUT_MS);
  });
  try {
    const built = await Promise.race([build.done, timedOut]);
    if (built === 'timed out') {
      build.cancel();
      await build.done;
      return 'timed out';
    }
    return built ? 'archive in place' : 'no archive';
  } finally {
    clearTimeout(timer);
  }
}
