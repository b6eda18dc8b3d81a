import { GetCommand, QueryCommand, ScanCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';

/** The document-client commands the runtime sends, by the name a trace gives them. */
const COMMANDS: ReadonlyArray<readonly [string, abstract new (...args: never[]) => unknown]> = [
  ['Get', GetCommand],
  ['Query', QueryCommand],
  ['Scan', ScanCommand],
  ['TransactWrite', TransactWriteCommand],
];

/**
 * A command's name in a trace (`Get` for GetCommand). Not its class name: the Lambda bundles are
 * minified, which renames the SDK's classes (a trace read `Kr`), and keeping every name
 * (esbuild `keepNames`) would cost each cold start for this one use.
 */
export function commandName(command: object): string {
  for (const [name, type] of COMMANDS) if (command instanceof type) return name;
  return command.constructor.name.replace(/Command$/, '');
}
