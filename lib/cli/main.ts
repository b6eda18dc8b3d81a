import { processIo, UsageError, type CommandIo } from './io';
import type { DeployDeps } from './deploy-command';
import type { LogsDeps } from './logs-command';
import type { LockCommandDeps } from './lock-command';
import type { MigrateDeps } from './migrate-command';

// Each command's module loads only when it runs: `appapi routes` on a declarations-cache hit then
// loads neither the declarations nor aws-cdk-lib, and no command pays for another's packages.
const commands = {
  dev: () => require('./dev-command') as typeof import('./dev-command'),
  routes: () => require('./routes-command') as typeof import('./routes-command'),
  openapi: () => require('./openapi-command') as typeof import('./openapi-command'),
  parity: () => require('./parity-command') as typeof import('./parity-command'),
  invoke: () => require('./invoke-command') as typeof import('./invoke-command'),
  deploy: () => require('./deploy-command') as typeof import('./deploy-command'),
  logs: () => require('./logs-command') as typeof import('./logs-command'),
  // the lock command loads what it compares (about 2 s here)
  lock: () => require('./lock-command') as typeof import('./lock-command'),
  migrate: () => require('./migrate-command') as typeof import('./migrate-command'),
  new: () => require('./new-command') as typeof import('./new-command'),
  keys: () => require('./keys-command') as typeof import('./keys-command'),
};

/** The usage of every command: loads them all, which only help and a usage mistake need. */
const usage = () => `appapi — App APIs from the command line

${commands.dev().DEV_USAGE}
${commands.routes().ROUTES_USAGE}
${commands.openapi().OPENAPI_USAGE}
${commands.parity().PARITY_USAGE}
${commands.invoke().INVOKE_USAGE}
${commands.deploy().DEPLOY_USAGE}
${commands.logs().LOGS_USAGE}
${commands.lock().LOCK_USAGE}
${commands.migrate().MIGRATE_USAGE}
${commands.new().NEW_USAGE}

${commands.keys().KEYS_USAGE}`;

/**
 * The errors a command explains itself (printed as they are, exit code 1), by module and class.
 * Only a loaded module can have thrown one, so none is loaded to check.
 */
const EXPLAINED_ERRORS: ReadonlyArray<readonly [module: string, className: string]> = [
  ['../keys/key-store', 'KeyCommandError'],
  ['./deploy-command', 'DeployError'],
  ['./log-reader', 'LogsError'],
  ['./lock-command', 'LockRefusedError'],
  ['./migrate-command', 'MigrateError'],
  ['../lock/lock-file', 'LockFileError'],
  ['../lock/allow-data-loss', 'AllowDataLossError'],
  ['../environment-targets', 'EnvironmentConfigError'],
  ['../local/dynamodb-local', 'JavaMissingError'],
  ['../local/gateway/server', 'PortInUseError'],
];

function isExplained(error: unknown): boolean {
  if ((error as Error)?.message?.startsWith('Unknown environment')) return true;
  return EXPLAINED_ERRORS.some(([module, className]) => {
    const loaded = require.cache[require.resolve(module)];
    const errorClass = (loaded?.exports as Record<string, unknown> | undefined)?.[className];
    return typeof errorClass === 'function' && error instanceof errorClass;
  });
}

/** What commands reach outside the process with; tests pass stand-ins. */
export interface CliDeps {
  /** @default - the project's cdk CLI and the default AWS credential chain */
  readonly deploy?: DeployDeps;
  /** @default - the default AWS credential chain */
  readonly logs?: LogsDeps;
  /** @default - the project's apps, appapi.lock.json and cdk.json context */
  readonly lock?: LockCommandDeps;
  /** @default - the project's apps and DynamoDB (local, or with --aws the deployed environment's) */
  readonly migrate?: MigrateDeps;
}

/** Runs one CLI command; the exit code is 0 on success, 1 on a failure it explains, 2 on bad usage. */
export async function runCli(argv: readonly string[], io: CommandIo = processIo, deps: CliDeps = {}): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'dev':
        await commands.dev().devCommand(rest, io);
        // keeps serving: the process ends on SIGINT, SIGTERM or SIGHUP
        return new Promise<number>(() => {});
      case 'routes':
        commands.routes().routesCommand(rest, io);
        return 0;
      case 'openapi':
        commands.openapi().openApiCommand(rest, io);
        return 0;
      case 'parity':
        commands.parity().parityCommand(rest, io);
        return 0;
      case 'invoke':
        return await commands.invoke().invokeCommand(rest, io);
      case 'deploy':
        // the SDK clients load only for this command
        return await commands.deploy().deployCommand(rest, io, deps.deploy ?? (require('./deploy-aws') as typeof import('./deploy-aws')).awsDeployDeps());
      case 'logs':
        return await commands.logs().logsCommand(rest, io, deps.logs ?? (require('./logs-aws') as typeof import('./logs-aws')).awsLogsDeps());
      case 'lock':
        return commands.lock().lockCommand(rest, io, deps.lock);
      case 'migrate':
        return await commands.migrate().migrateCommand(rest, io, deps.migrate);
      case 'new':
        return commands.new().newCommand(rest, io);
      case 'keys': {
        const { awsBackend, localBackend } = require('./keys-backend') as typeof import('./keys-backend');
        await commands.keys().keysCommand(rest, io, { openBackend: (env, aws) => (aws ? awsBackend(env) : localBackend(env)), localUrl: 'http://127.0.0.1:3000' });
        return 0;
      }
      case undefined:
      case 'help':
      case '--help':
        io.out(usage());
        return command === undefined ? 2 : 0;
      default:
        throw new UsageError(`Unknown command "${command}".`);
    }
  } catch (error) {
    if (error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      io.err(`${(error as Error).message}\n\n${usage()}`);
      return 2;
    }
    if (isExplained(error)) {
      io.err((error as Error).message);
      return 1;
    }
    io.err(`appapi: ${(error as Error).message ?? String(error)}`);
    return 1;
  }
}

if (require.main === module) {
  void runCli(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
