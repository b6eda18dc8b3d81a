import { JavaMissingError } from '../local/dynamodb-local';
import { PortInUseError } from '../local/gateway/server';
import { KeyCommandError } from '../keys/key-store';
import { processIo, UsageError, type CommandIo } from './io';
import { awsBackend, localBackend } from './keys-backend';
import { EnvironmentConfigError } from '../environment-targets';
import { deployCommand, DeployError, DEPLOY_USAGE, type DeployDeps } from './deploy-command';
import { devCommand, DEV_USAGE } from './dev-command';
import { invokeCommand, INVOKE_USAGE } from './invoke-command';
import { keysCommand, KEYS_USAGE } from './keys-command';
import { logsCommand, LogsError, LOGS_USAGE, type LogsDeps } from './logs-command';
import { migrateCommand, MigrateError, MIGRATE_USAGE, type MigrateDeps } from './migrate-command';
import type { LockCommandDeps } from './lock-command';

// the lock command loads what it compares (about 2 s here): only when it runs, not for `npm start`
const lockModule = () => require('./lock-command') as typeof import('./lock-command');
/** Only a loaded lock command can have thrown its refusal. */
const isLockRefusal = (error: unknown): boolean => {
  const loaded = require.cache[require.resolve('./lock-command')];
  return loaded !== undefined && error instanceof (loaded.exports as typeof import('./lock-command')).LockRefusedError;
};
import { LockFileError } from '../lock/lock-file';
import { AllowDataLossError } from '../lock/allow-data-loss';
import { openApiCommand, OPENAPI_USAGE } from './openapi-command';
import { routesCommand, ROUTES_USAGE } from './routes-command';
import { newCommand, NEW_USAGE } from './new-command';
import { parityCommand, PARITY_USAGE } from './parity-command';

const usage = () => `appapi — App APIs from the command line

${DEV_USAGE}
${ROUTES_USAGE}
${OPENAPI_USAGE}
${PARITY_USAGE}
${INVOKE_USAGE}
${DEPLOY_USAGE}
${LOGS_USAGE}
${lockModule().LOCK_USAGE}
${MIGRATE_USAGE}
${NEW_USAGE}

${KEYS_USAGE}`;

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
        await devCommand(rest, io);
        // keeps serving: the process ends on SIGINT/SIGTERM
        return new Promise<number>(() => {});
      case 'routes':
        routesCommand(rest, io);
        return 0;
      case 'openapi':
        openApiCommand(rest, io);
        return 0;
      case 'parity':
        parityCommand(rest, io);
        return 0;
      case 'invoke':
        return await invokeCommand(rest, io);
      case 'deploy':
        // the SDK clients load only for this command
        return await deployCommand(rest, io, deps.deploy ?? (require('./deploy-aws') as typeof import('./deploy-aws')).awsDeployDeps());
      case 'logs':
        return await logsCommand(rest, io, deps.logs ?? (require('./logs-aws') as typeof import('./logs-aws')).awsLogsDeps());
      case 'lock':
        return lockModule().lockCommand(rest, io, deps.lock);
      case 'migrate':
        return await migrateCommand(rest, io, deps.migrate);
      case 'new':
        return newCommand(rest, io);
      case 'keys':
        await keysCommand(rest, io, { openBackend: (env, aws) => (aws ? awsBackend(env) : localBackend(env)), localUrl: 'http://127.0.0.1:3000' });
        return 0;
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
    if (error instanceof KeyCommandError || error instanceof DeployError || error instanceof LogsError || isLockRefusal(error) || error instanceof MigrateError || error instanceof LockFileError || error instanceof AllowDataLossError || error instanceof EnvironmentConfigError || error instanceof JavaMissingError || error instanceof PortInUseError || (error as Error).message?.startsWith('Unknown environment')) {
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
