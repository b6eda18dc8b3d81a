import { parseArgs } from 'node:util';
import { loadEnvironment, releaseEnvironment } from '../environments';
import { parityLines, stackParity } from '../local/cloud/parity-report';
import type { CommandIo } from './io';

export const PARITY_USAGE = `  appapi parity [--env ENV] [--json]   what the local gateway executes of the environment's template`;

/** Per resource type and property the environment's templates use: executed locally, partially (how), or not. */
export function parityCommand(argv: readonly string[], io: CommandIo): void {
  const { values } = parseArgs({ args: [...argv], options: { env: { type: 'string', default: 'dev' }, json: { type: 'boolean', default: false } }, strict: true });
  // the template's property names, which the declarations cache does not keep: the stack itself
  const stack = loadEnvironment(values.env);
  const used = stackParity(stack);
  releaseEnvironment(stack);
  if (values.json) io.out(JSON.stringify(used.map(({ type, property, parity }) => ({ type, property, status: parity?.status ?? 'not emulated', how: parity?.how ?? 'no catalogue entry' }))));
  else parityLines(used).forEach((line) => io.out(line));
}
