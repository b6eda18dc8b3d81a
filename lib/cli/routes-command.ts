import { parseArgs } from 'node:util';
import { loadManifest } from '../declarations-cache/load-declarations';
import type { CommandIo } from './io';
import { routeLines } from './route-table-text';

export const ROUTES_USAGE = `  appapi routes [--env ENV] [--json]`;

/** The environment's routes, from the same declarations `cdk synth` reads (through the declarations cache). */
export function routesCommand(argv: readonly string[], io: CommandIo): void {
  const { values } = parseArgs({ args: [...argv], options: { env: { type: 'string', default: 'dev' }, json: { type: 'boolean', default: false } }, strict: true });
  const { routes } = loadManifest(values.env);
  if (values.json) io.out(JSON.stringify(routes.map(({ id, app, method, path, auth }) => ({ id, app, method, path, auth }))));
  else routeLines(routes).forEach((line) => io.out(line));
}
