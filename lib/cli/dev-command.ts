import { constants as osConstants } from 'node:os';
import { relative } from 'node:path';
import { parseArgs } from 'node:util';
import type { RunningGateway } from '../local/gateway/server';
import { dataHome } from '../local/data-home';
import { UsageError, type CommandIo } from './io';
import { routeLines } from './route-table-text';

export const DEV_USAGE = `  appapi dev [--env ENV] [--port N]      serve an environment on http://127.0.0.1:3000 (PORT also works)`;

async function printLocalDevKey(gateway: RunningGateway, io: CommandIo): Promise<void> {
  const { createDocumentClient } = require('../../lambdas/runtime/dynamodb') as typeof import('../../lambdas/runtime/dynamodb');
  const { ensureLocalDevKey, LOCAL_DEV_KEY_NAME } = require('../local/local-dev-key') as typeof import('../local/local-dev-key');
  const documents = createDocumentClient(gateway.dynamoEndpoint);
  try {
    const key = await ensureLocalDevKey(gateway.dataHome, gateway.manifest(), documents);
    if (!key.active) {
      io.out(`The "${LOCAL_DEV_KEY_NAME}" key was deleted; remove ${gateway.env}/${LOCAL_DEV_KEY_NAME}.json from the data folder to get a new one.`);
      return;
    }
    const example =
      gateway.manifest().routes.find((route) => route.method === 'GET' && route.auth.type === 'keyGroups' && !route.path.includes('{') && !route.query.some((q) => q.required)) ??
      gateway.manifest().routes.find((route) => route.method === 'GET' && !route.path.includes('{'));
    io.out(`Local key "${LOCAL_DEV_KEY_NAME}" (${key.created ? 'created now' : 'created earlier'}; groups: ${key.groups.join(', ')}). Token:`);
    io.out(key.token);
    if (example) io.out(`Try it: curl -s -H "Authorization: Bearer ${key.token}" ${gateway.url}${example.path}`);
  } finally {
    documents.destroy();
  }
}

/** What stops `appapi dev` cleanly: SIGHUP is its terminal closing (or a process manager's stop). */
const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/** `appapi dev`: serves until SIGINT, SIGTERM or SIGHUP (its terminal closed), then stops everything it started. */
export async function devCommand(argv: readonly string[], io: CommandIo): Promise<RunningGateway> {
  const { values } = parseArgs({ args: [...argv], options: { env: { type: 'string', default: 'dev' }, port: { type: 'string' } }, strict: true });
  const port = Number(values.port ?? process.env.PORT ?? 3000);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new UsageError(`--port takes a port number, received "${values.port}".`);
  // DynamoDB Local (a JVM, on the other core) is the longest part of a start: it is spawned before
  // the gateway's modules load and the declarations build, which hold the event loop for seconds
  // on a first start. The spawn is a few awaits away (a free port, the class-data archive's files):
  // this waits for it, or the JVM would start only once that synchronous work is done.
  const { connectLocalDynamo } = require('../local/local-dynamo') as typeof import('../local/local-dynamo');
  let spawned!: () => void;
  const jvmSpawned = new Promise<void>((resolve) => (spawned = resolve));
  const localDynamo = connectLocalDynamo(dataHome(), values.env, { record: true, onSpawn: spawned });
  // a running DynamoDB Local reused, or a start that failed, spawns nothing: settling is enough
  // (startGateway reports a failure; handling it here keeps it from counting as unhandled)
  const settled = localDynamo.then(
    () => undefined,
    () => undefined,
  );
  // Ctrl-C (or SIGTERM, SIGHUP) before the gateway serves stops DynamoDB Local too: without a
  // handler the signal would end this process at once and leave the JVM running, its state file claiming it
  const stopWhileStarting = (signal: NodeJS.Signals) => {
    void settled.then(() => localDynamo.then((connection) => connection.close())).catch(() => undefined).finally(() => process.exit(128 + osConstants.signals[signal]));
  };
  for (const signal of STOP_SIGNALS) process.once(signal, stopWhileStarting);
  await Promise.race([jvmSpawned, settled]);
  const { startGateway } = require('../local/gateway/server') as typeof import('../local/gateway/server');
  let gateway: RunningGateway;
  try {
    gateway = await startGateway({
      env: values.env,
      localDynamo,
      port,
      onRequest: (entry) => io.out(`${entry.method} ${entry.path} → ${entry.status} ${entry.latencyMs} ms${entry.keyId ? ` ${entry.keyId}` : ''}`),
      log: (entry) => {
        if (entry.level === 'error' || entry.level === 'warn') io.err(JSON.stringify(entry));
      },
    });
  } finally {
    for (const signal of STOP_SIGNALS) process.off(signal, stopWhileStarting);
  }
  // registered before anything is printed: whoever waits for the "ready" line may stop it at once
  const stop = () => {
    void gateway.stop().then(() => process.exit(0));
  };
  for (const signal of STOP_SIGNALS) process.once(signal, stop);
  gateway.onReload((outcome) =>
    outcome.ok ? io.out(`reloaded in ${outcome.ms} ms`) : io.err(`reload failed, still serving the previous version: ${outcome.error}`),
  );
  const relativeHome = relative(process.cwd(), gateway.dataHome);
  const home = relativeHome.startsWith('..') ? gateway.dataHome : relativeHome || '.';
  io.out(`App APIs · environment ${gateway.env}`);
  io.out(`DynamoDB Local: ${gateway.dynamoEndpoint} (data in ${home}/${gateway.env}/dynamodb)`);
  io.out('');
  routeLines(gateway.manifest().routes).forEach((line) => io.out(`  ${line}`));
  io.out('');
  if (gateway.env === 'dev') await printLocalDevKey(gateway, io);
  io.out(`More keys: npm run appapi -- keys create --env ${gateway.env} --name NAME --groups GROUP`);
  if (gateway.env === 'dev') io.out(`Console: ${gateway.url}/__appapi/ (requests and their chains, routes, journeys, data, keys)`);
  const { declarations, dynamoDbLocal, ready } = gateway.startup;
  const seconds = (ms: number | undefined) => `${((ms ?? 0) / 1000).toFixed(1)} s`;
  io.out(`Serving ${gateway.url} — ready in ${seconds(ready)} (declarations ${seconds(declarations)}${gateway.declarationsSource === 'cache' ? ' from cache' : ''}, DynamoDB Local ${seconds(dynamoDbLocal)}, side by side) (Ctrl-C stops it and DynamoDB Local)`);
  return gateway;
}
