import { parseArgs } from 'node:util';
import { loadEnvironment } from '../environments';
import { openApiDocument } from '../openapi';
import type { CommandIo } from './io';

export const OPENAPI_USAGE = `  appapi openapi [--env ENV] [--server URL]   print the environment's OpenAPI 3.1 document`;

export function openApiCommand(argv: readonly string[], io: CommandIo): void {
  const { values } = parseArgs({ args: [...argv], options: { env: { type: 'string', default: 'dev' }, server: { type: 'string' } }, strict: true });
  io.out(JSON.stringify(openApiDocument(loadEnvironment(values.env).manifest, values.server), null, 2));
}
