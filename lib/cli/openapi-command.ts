import { parseArgs } from 'node:util';
import { loadManifest } from '../declarations-cache/load-declarations';
import { openApiDocument } from '../openapi';
import type { CommandIo } from './io';

export const OPENAPI_USAGE = `  appapi openapi [--env ENV] [--server URL]   print the environment's OpenAPI 3.1 document`;

export function openApiCommand(argv: readonly string[], io: CommandIo): void {
  const { values } = parseArgs({ args: [...argv], options: { env: { type: 'string', default: 'dev' }, server: { type: 'string' } }, strict: true });
  io.out(JSON.stringify(openApiDocument(loadManifest(values.env), values.server), null, 2));
}
