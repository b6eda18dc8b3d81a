import { parseArgs } from 'node:util';
import { loadEnvironment } from '../environments';
import type { CommandIo } from './io';
import { routeLines } from './route-table-text';

export const ROUTES_USAGE = `  appapi routes [--env ENV] [--json]`;

/** The environment's routes, from the same declarations `cdk synth` reads. */
export function routesCommand(argv: readonly string[], io: CommandIo): void {
  const { values } = parseArgs({ args: [...argv], options: { env: { type: 'string', default: 'dev' }, json: { type: 'boolean', default: false } }, strict: true });
  const { routes } = loadEnvironment(values.env).manifest;
  if (values.json) io.out(JSON.stringify(routes.map(({ id, app, method, path, auth }) => ({ id, app, method, path, auth }))));
  else routeLines(routes).forEach((line) => io.out(line));
}
