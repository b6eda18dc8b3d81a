import { relative } from 'node:path';
import { parseArgs } from 'node:util';
import { startGateway, type RunningGateway } from '../local/gateway/server';
import { UsageError, type CommandIo } from './io';
import { routeLines } from './route-table-text';

export const DEV_USAGE = `  appapi dev [--env ENV] [--port N]      serve an environment on http://127.0.0.1:3000 (PORT also works)`;

/** `appapi dev`: serves until SIGINT/SIGTERM, then stops everything it started. */
export async function devCommand(argv: readonly string[], io: CommandIo): Promise<RunningGateway> {
  const { values } = parseArgs({ args: [...argv], options: { env: { type: 'string', default: 'dev' }, port: { type: 'string' } }, strict: true });
  const port = Number(values.port ?? process.env.PORT ?? 3000);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new UsageError(`--port takes a port number, received "${values.port}".`);
  const gateway = await startGateway({
    env: values.env,
    port,
    onRequest: (entry) => io.out(`${entry.method} ${entry.path} → ${entry.status} ${entry.latencyMs} ms${entry.keyId ? ` ${entry.keyId}` : ''}`),
    log: (entry) => {
      if (entry.level === 'error') io.err(JSON.stringify(entry));
    },
  });
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
  io.out(`Mint a token: npm run appapi -- keys create --env ${gateway.env} --name me --groups <group>`);
  io.out(`Serving ${gateway.url} — ready (Ctrl-C stops it and DynamoDB Local)`);
  const stop = () => {
    void gateway.stop().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return gateway;
}
