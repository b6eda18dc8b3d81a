import { findModelKey } from './find-route';
import { parseArgs } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { EnvironmentManifest } from '../../lambdas/shared/manifest';
import type { AppDeclaration } from '../constructs/app-api-stack';
import { loadManifest } from '../declarations-cache/load-declarations';
import { findEnvironmentTarget } from '../environment-targets';
import { localTablePrefix } from '../local/table-prefix';
import { dataHome } from '../local/data-home';
import { openLocalTables } from '../local/local-tables';
import { BackfillInterrupted, runBackfill, type BackfillStep, type BackfillSummary } from '../migrate/backfill-run';
import { progressLine } from '../migrate/progress';
import { renameFieldBackfill } from '../migrate/rename-field-backfill';
import { uniqueBackfill } from '../migrate/unique-backfill';
import { UsageError, type CommandIo } from './io';

export const MIGRATE_USAGE = `  appapi migrate unique MODEL FIELD [--env ENV] [--aws] [--dry-run] [--restart]
      Writes the unique-value markers of records stored before FIELD became unique, and lists every
      value two records hold, changing no record. Run it right after the deploy that made FIELD unique.
  appapi migrate rename-field MODEL FROM TO [--env ENV] [--aws] [--dry-run] [--restart]
      Moves each stored record's FROM value to TO (declared now; FROM no longer), with its markers.
      Local by default; --aws: the deployed environment. Stopped (Ctrl-C, a crash), either resumes
      from its last finished page when run again; --restart scans from the start. Re-running is safe.`;

/** A migration that cannot run as asked, or that ended with records to look at; the message says what to do. */
export class MigrateError extends Error {}

export interface MigrateDynamo {
  readonly documents: DynamoDBDocumentClient;
  close(): Promise<void>;
}

export interface MigrateDeps {
  /** @default - the apps of lib/apps */
  readonly apps?: readonly AppDeclaration[];
  /** @default - DynamoDB Local of the environment, or with aws the default credential chain in the environment's region */
  readonly openDynamo?: (env: string, aws: boolean, manifest: EnvironmentManifest) => Promise<MigrateDynamo>;
  /** @default - Ctrl-C (SIGINT) */
  readonly signal?: AbortSignal;
  /** Items per Scan page. @default 100 */
  readonly pageSize?: number;
  /** Prefix of the local table names. @default - APPAPI_TABLE_PREFIX, else the stack's (with --aws, always the stack's) */
  readonly resourcePrefix?: string;
}

export async function migrateCommand(argv: readonly string[], io: CommandIo, deps: MigrateDeps = {}): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...argv],
    options: { env: { type: 'string', default: 'dev' }, aws: { type: 'boolean', default: false }, 'dry-run': { type: 'boolean', default: false }, restart: { type: 'boolean', default: false } },
    allowPositionals: true,
    strict: true,
  });
  const [action, modelName, ...fields] = positionals;
  const expected = action === 'unique' ? 1 : action === 'rename-field' ? 2 : undefined;
  if (expected === undefined) throw new UsageError(`Unknown migrate action "${action ?? ''}"; use migrate unique or migrate rename-field.`);
  if (!modelName || fields.length !== expected) throw new UsageError(action === 'unique' ? 'migrate unique takes MODEL FIELD, e.g. migrate unique Customers email.' : 'migrate rename-field takes MODEL FROM TO, e.g. migrate rename-field Customers phone mobile.');
  const env = values.env;
  const resourcePrefix = values.aws ? undefined : (deps.resourcePrefix ?? localTablePrefix());
  const manifest = deps.apps ? declaredManifest(env, deps.apps, resourcePrefix) : loadManifest(env, resourcePrefix ? { resourcePrefix } : {});
  let key: string | undefined;
  try {
    key = findModelKey(manifest, modelName);
  } catch (error) {
    throw new MigrateError((error as Error).message);
  }
  const model = key === undefined ? undefined : manifest.models[key];
  if (!model) throw new MigrateError(`${env} declares no AirData model "${modelName}" (models: ${Object.keys(manifest.models).join(', ') || 'none'}).`);
  const where = `${modelName} in ${env}${values.aws ? ' (AWS)' : ' (local)'}, table ${model.table}`;
  if (action === 'unique') {
    const field = fields[0]!;
    if (!model.fields[field]?.unique) {
      throw new MigrateError(`${modelName}.${field} is not declared unique in ${env}. Declare it with unique: true and deploy first: the runtime then claims markers for new writes, and this command writes them for the records already stored.`);
    }
  } else {
    const [from, to] = fields as [string, string];
    if (!model.fields[to]) throw new MigrateError(`${modelName} does not declare ${to} in ${env}. Declare ${to} (optional until this migration has run), remove ${from}, deploy, then run this.`);
    if (model.fields[from]) throw new MigrateError(`${modelName} still declares ${from} in ${env}, so records written now keep using it. Remove ${from} from the declaration (keeping ${to}), deploy, then run this.`);
    if (!model.fields[to]!.optional) io.err(`Note: ${modelName}.${to} is required, so a record without it fails validation on its next write until this migration has renamed it; declare it optional until then.`);
  }

  const controller = new AbortController();
  const signal = deps.signal ?? controller.signal;
  const onInterrupt = () => {
    io.err('\nStopping after the record being written; run the same command again to resume.');
    controller.abort();
  };
  if (!deps.signal) process.once('SIGINT', onInterrupt);
  const dynamo = await (deps.openDynamo ?? openDynamo)(env, values.aws, manifest);
  const step: BackfillStep = action === 'unique' ? uniqueBackfill(dynamo.documents, model, fields[0]!) : renameFieldBackfill(dynamo.documents, model, fields[0]!, fields[1]!);
  const progress = progressLine((text) => process.stderr.write(text), process.stderr.isTTY === true);
  const dryRun = values['dry-run'];
  io.out(`${dryRun ? 'Dry run (nothing is written): ' : ''}migrate ${action} ${[modelName, ...fields].join(' ')} — ${where}.`);
  let summary: BackfillSummary;
  try {
    summary = await runBackfill(
      {
        documents: dynamo.documents,
        table: model.table,
        dryRun,
        restart: values.restart,
        signal,
        ...(deps.pageSize ? { pageSize: deps.pageSize } : {}),
        onProgress: ({ scanned, total }) => progress.update(scanned, total),
        onFinding: (finding) => {
          progress.done();
          io.out(`  ${finding.kind}: ${finding.message}`);
        },
      },
      step,
    );
  } catch (error) {
    if (!(error instanceof BackfillInterrupted)) throw error;
    summary = error.summary;
  } finally {
    progress.done();
    process.removeListener('SIGINT', onInterrupt);
    await dynamo.close();
  }
  io.out(summaryText(summary, dryRun));
  if (!summary.complete) throw new MigrateError(`Interrupted after ${summary.scanned} items; run the same command again to resume from the last finished page.`);
  const blocking = (summary.counts.duplicates ?? 0) + (summary.counts.changedMeanwhile ?? 0) * (action === 'rename-field' ? 1 : 0);
  if (blocking > 0) {
    throw new MigrateError(
      action === 'unique'
        ? `${summary.counts.duplicates} record(s) hold a ${fields[0]} another record holds (listed above); no record was changed. Change or delete all but one record of each value, then run the same command again.`
        : `${blocking} record(s) were not renamed (listed above). Resolve them, then run the same command again; records already renamed are left as they are.`,
    );
  }
  return 0;
}

function summaryText(summary: BackfillSummary, dryRun: boolean): string {
  const counts = Object.entries(summary.counts)
    .map(([name, count]) => `${dryRun && ['markersWritten', 'renamed'].includes(name) ? `would be ${name.replace('markersWritten', 'markers written')}` : name.replace(/[A-Z]/g, (letter) => ` ${letter.toLowerCase()}`)}: ${count.toLocaleString('en-US')}`)
    .join(', ');
  const state = summary.complete ? 'complete' : 'interrupted';
  const resumed = summary.resumedFrom ? ` (resumed the run started ${summary.resumedFrom})` : '';
  const more = summary.findingCount > summary.findings.length ? ` ${summary.findingCount - summary.findings.length} more findings were printed by earlier runs than the summary keeps.` : '';
  return `Summary: ${state}${resumed}; ${summary.scanned.toLocaleString('en-US')} items scanned; ${counts || 'no records'}.${more}`;
}

async function openDynamo(env: string, aws: boolean, manifest: EnvironmentManifest): Promise<MigrateDynamo> {
  if (aws) {
    const { region } = findEnvironmentTarget(env);
    // a backfill over a big table meets throttling: back off and retry rather than fail
    const client = new DynamoDBClient({ ...(region ? { region } : {}), maxAttempts: 10, retryMode: 'adaptive' });
    const documents = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
    return { documents, close: async () => client.destroy() };
  }
  return openLocalTables(dataHome(), env, manifest);
}

/** The manifest of apps given in code (tests), which the declarations cache has no key for. */
function declaredManifest(env: string, apps: readonly AppDeclaration[], resourcePrefix: string | undefined): EnvironmentManifest {
  const { loadEnvironment, releaseEnvironment } = require('../environments') as typeof import('../environments');
  const stack = loadEnvironment(env, apps, resourcePrefix ? { resourcePrefix } : {});
  releaseEnvironment(stack);
  return stack.manifest;
}
