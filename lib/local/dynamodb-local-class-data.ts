import { createHash, randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { access, mkdir, readdir, readFile, realpath, rename, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { delimiter, dirname, join } from 'node:path';
import { strFromU8, strToU8, unzipSync, zipSync } from 'fflate';

/**
 * A JVM class-data-sharing archive for DynamoDB Local (JDK "AppCDS", dynamic archive): the classes
 * it loads, parsed and verified once, mapped into later JVMs instead of being loaded from 100-odd
 * jars again. See https://docs.oracle.com/en/java/javase/17/vm/class-data-sharing.html
 *
 * Java 17 refuses to dump an archive for `java -jar DynamoDBLocal.jar`: the jar's manifest
 * Class-Path starts with "." (the jar's folder, "Cannot have non-empty directory in paths"). So
 * DynamoDB Local runs from an explicit class path with a copy of the jar whose manifest has no
 * Class-Path. What the dropped entries did: "." put the jar's folder on the class path, which holds
 * no classes, only LICENSE.txt (also inside the jar), README.txt, THIRD-PARTY-LICENSES.txt and the
 * DynamoDBLocal_lib folder (traced on a `java -jar` start and first requests: every class and
 * resource looked up in that folder was absent); "log4j2.xml" names a file that does not exist
 * beside the jar (the log4j2.xml that configures its logging is inside the jar, found on the class
 * path either way); the native libraries listed there are not jars (the JVM opens them as jars and
 * skips them) and are loaded through java.library.path. Every jar of the list is kept, in the
 * list's order. DynamoDB Local prints the same output and gives the same answers either way.
 */

export const DYNAMODB_LOCAL_MAIN_CLASS = 'software.amazon.dynamodb.services.local.main.ServerRunner';

/** Where DynamoDB Local's class path and archives are kept; undefined when caching is off. */
export function cacheFolder(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.APPAPI_CACHE === 'off') return undefined;
  return join(env.APPAPI_CACHE_DIR || join(__dirname, '..', '..', 'node_modules', '.cache', 'appapi'), 'dynamodb-local');
}

export interface ClassDataSharing {
  /** `-Djava.library.path=…` and `-cp …`: DynamoDB Local without the jar's own Class-Path */
  readonly launchArgs: readonly string[];
  /** The archive for this Java, these JVM options and this DynamoDB Local. */
  readonly archivePath: string;
  readonly folder: string;
}

interface ClassPathRecord {
  readonly classPath: readonly string[];
}

/**
 * Everything a launch with an archive needs, or undefined when there is no `java` on PATH (the
 * launch as today then reports it), the package's layout is not the one known here, or (with
 * `writeJarCopy: false`) the jar's copy is not written yet.
 */
export async function prepareClassDataSharing(dynamoDbLocalPackage: string, folder: string, env: NodeJS.ProcessEnv = process.env, options: { readonly writeJarCopy?: boolean } = {}): Promise<ClassDataSharing | undefined> {
  const java = await javaOnPath(env.PATH ?? '');
  if (!java) return undefined;
  const libFolders = (await readdir(join(dynamoDbLocalPackage, 'lib'))).filter((name) => name.startsWith('dynamodb_local_'));
  if (libFolders.length !== 1) return undefined;
  const home = join(dynamoDbLocalPackage, 'lib', libFolders[0]!);
  const jar = join(home, 'DynamoDBLocal.jar');
  const jarStat = await stat(jar);
  const jarKey = digest([jar, jarStat.size, jarStat.mtimeMs]);
  const copy = join(folder, `DynamoDBLocal-${jarKey}.jar`);
  const record = join(folder, `DynamoDBLocal-${jarKey}.json`);
  let classPath: readonly string[];
  try {
    ({ classPath } = JSON.parse(await readFile(record, 'utf8')) as ClassPathRecord);
    await access(copy);
  } catch {
    // copying the jar costs about a second: the background build does it, never a start
    if (options.writeJarCopy === false) return undefined;
    classPath = await writeJarWithoutClassPath(jar, copy, folder);
    await writeAtomically(record, JSON.stringify({ classPath } satisfies ClassPathRecord), folder);
  }
  const copyStat = await stat(copy);
  const launchArgs = [`-Djava.library.path=${join(home, 'DynamoDBLocal_lib')}`, '-cp', [copy, ...classPath].join(delimiter)];
  // The JVM itself refuses an archive of another JVM build, of other jars (path, size, mtime) or of
  // other compressed-pointer settings; keying by what decides those keeps one archive per setup, so
  // a test run (JAVA_TOOL_OPTIONS set) and `npm start` do not replace each other's archive.
  const key = digest([
    java.path,
    java.size,
    java.mtimeMs,
    java.jvm,
    launchArgs,
    copyStat.size,
    copyStat.mtimeMs,
    env.JAVA_TOOL_OPTIONS ?? '',
    env.JDK_JAVA_OPTIONS ?? '',
    env._JAVA_OPTIONS ?? '',
  ]);
  return { launchArgs, archivePath: join(folder, `${key}.jsa`), folder };
}

/**
 * The java binary the launch will run (the first on PATH), by realpath, size and mtime, and its
 * libjvm's: a Java upgrade or another Java first on PATH gives another key, without a
 * `java -version` run (a JVM start) on the start path.
 */
async function javaOnPath(path: string): Promise<{ path: string; size: number; mtimeMs: number; jvm: unknown } | undefined> {
  const name = process.platform === 'win32' ? 'java.exe' : 'java';
  for (const folder of path.split(delimiter).filter(Boolean)) {
    const candidate = join(folder, name);
    try {
      await access(candidate, constants.X_OK);
      const real = await realpath(candidate);
      const found = await stat(real);
      if (!found.isFile()) continue;
      const javaHome = dirname(dirname(real));
      const jvm = await Promise.all(
        ['lib/server/libjvm.so', 'lib/server/libjvm.dylib', 'bin/server/jvm.dll'].map((library) =>
          stat(join(javaHome, library)).then(
            (file) => [library, file.size, file.mtimeMs],
            () => null,
          ),
        ),
      );
      return { path: real, size: found.size, mtimeMs: found.mtimeMs, jvm };
    } catch {
      // not there or not executable: the next folder on PATH, as the shell would
    }
  }
  return undefined;
}

/** Copies the jar with its manifest's Class-Path removed; returns that Class-Path's jars, absolute. */
async function writeJarWithoutClassPath(jar: string, copy: string, folder: string): Promise<string[]> {
  const entries = unzipSync(new Uint8Array(await readFile(jar)));
  const manifestEntry = entries['META-INF/MANIFEST.MF'];
  if (!manifestEntry) throw new Error(`${jar} has no manifest`);
  const { manifest, classPath } = withoutClassPath(strFromU8(manifestEntry));
  entries['META-INF/MANIFEST.MF'] = strToU8(manifest);
  const jars: string[] = [];
  for (const entry of classPath) {
    const path = join(dirname(jar), decodeURIComponent(entry));
    if (!entry.endsWith('.jar')) continue;
    if ((await stat(path).catch(() => undefined))?.isFile()) jars.push(path);
  }
  // stored, not deflated: written once, and classes read from it need no inflating
  await writeAtomically(copy, zipSync(entries, { level: 0 }), folder);
  return jars;
}

/** The manifest without its Class-Path attribute (which may span continuation lines), and that list. */
export function withoutClassPath(manifest: string): { manifest: string; classPath: string[] } {
  const kept: string[] = [];
  let value: string | undefined;
  let inClassPath = false;
  for (const line of manifest.split(/\r?\n/)) {
    if (inClassPath && line.startsWith(' ')) {
      value += line.slice(1);
      continue;
    }
    inClassPath = /^Class-Path:/i.test(line);
    if (inClassPath) value = line.replace(/^Class-Path: ?/i, '');
    else kept.push(line);
  }
  return { manifest: kept.join('\r\n'), classPath: (value ?? '').split(' ').filter(Boolean) };
}

/** A unique name beside the archive for one JVM to dump into; renamed by commitArchive. */
export function temporaryArchivePath(archivePath: string): string {
  return `${archivePath}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`;
}

/**
 * Puts a dumped archive in place once its JVM exited cleanly (the JVM writes it at exit, also on
 * SIGTERM/SIGINT): renaming is atomic, so a concurrent launch sees either no archive or a whole one.
 */
export async function commitArchive(temporary: string, archivePath: string, exitedCleanly: boolean): Promise<void> {
  const dumped = exitedCleanly && ((await stat(temporary).catch(() => undefined))?.size ?? 0) > 0;
  if (!dumped) {
    await rm(temporary, { force: true });
    return;
  }
  await rename(temporary, archivePath);
  await pruneFolder(dirname(archivePath), archivePath);
}

const STALE_BUILD_LOCK_MS = 5 * 60_000;

/**
 * One background build per cache folder at a time (several processes may start DynamoDB Local at
 * once, e.g. a test run): a lock file created exclusively; one older than five minutes is a build
 * whose process died, and is taken over.
 */
export async function acquireBuildLock(folder: string): Promise<(() => Promise<void>) | undefined> {
  await mkdir(folder, { recursive: true });
  const lock = join(folder, 'build.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      await writeFile(lock, String(process.pid), { flag: 'wx' });
      return () => rm(lock, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') return undefined;
      const age = Date.now() - ((await stat(lock).catch(() => undefined))?.mtimeMs ?? Date.now());
      if (age < STALE_BUILD_LOCK_MS) return undefined;
      await rm(lock, { force: true });
    }
  }
  return undefined;
}

export async function archiveExists(archivePath: string): Promise<boolean> {
  return (await stat(archivePath).catch(() => undefined))?.isFile() ?? false;
}

/** Marks an archive as used, so pruning keeps it; never delays the start. */
export function touchArchive(archivePath: string): void {
  const now = new Date();
  utimes(archivePath, now, now).catch(() => {});
}

const UNUSED_ARCHIVE_MS = 14 * 24 * 3_600_000;
const ABANDONED_DUMP_MS = 3_600_000;

/**
 * Removes archives of setups not used for two weeks (another Java, older DynamoDB Local) and dumps
 * a process left behind (killed before it could rename); each archive is about 45 MB.
 */
async function pruneFolder(folder: string, keep: string): Promise<void> {
  const now = Date.now();
  for (const name of await readdir(folder).catch(() => [] as string[])) {
    const path = join(folder, name);
    if (path === keep) continue;
    const age = now - ((await stat(path).catch(() => undefined))?.mtimeMs ?? now);
    if ((name.endsWith('.jsa') && age > UNUSED_ARCHIVE_MS) || (name.endsWith('.tmp') && age > ABANDONED_DUMP_MS)) await rm(path, { force: true });
  }
}

/**
 * What the JVM prints when it cannot use the archive under -Xshare:on (another JVM build, changed
 * jars, other options, a damaged header: "Unable to use shared archive"), or when a damaged archive
 * crashed it while mapping (a truncated archive ends in SIGBUS).
 */
export function archiveWasRefused(output: string): boolean {
  return /Unable to use shared archive|error has occurred while processing the shared archive|A fatal error has been detected by the Java Runtime Environment/.test(output);
}

/** Lines of the JVM's own that say nothing about DynamoDB Local: kept out of error messages. */
export function isJvmNoise(line: string): boolean {
  return /^Picked up (JAVA_TOOL_OPTIONS|JDK_JAVA_OPTIONS|_JAVA_OPTIONS):/.test(line) || /^\[[^\]]*\]\[\w+ *\]\[cds[\],+]/.test(line);
}

async function writeAtomically(path: string, data: string | Uint8Array, folder: string): Promise<void> {
  await mkdir(folder, { recursive: true });
  const temporary = `${path}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`;
  await writeFile(temporary, data);
  await rename(temporary, path);
}

function digest(parts: unknown): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex').slice(0, 20);
}
