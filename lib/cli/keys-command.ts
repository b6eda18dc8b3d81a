import { parseArgs } from 'node:util';
import type { ApiKeyRecord } from '../../lambdas/shared/token-format';
import { KeyCommandError } from '../keys/key-store';
import { mintToken } from '../keys/tokens';
import { UsageError, type CommandIo } from './io';
import type { KeysBackend } from './keys-backend';

export const KEYS_USAGE = `Usage:
  appapi keys create --name NAME --groups a,b [--env ENV] [--expires-in DAYS] [--json] [--aws]
  appapi keys list [--env ENV] [--json] [--aws]
  appapi keys update KEY_ID --groups a,b [--env ENV] [--aws]
  appapi keys delete KEY_ID [--env ENV] [--aws]

Local by default (DynamoDB Local and the signing key under .appapi/, or APPAPI_HOME);
--aws uses the deployed environment through the default AWS credential chain.
The token is printed once, by create; only the key's metadata is stored.`;

const OPTIONS = {
  env: { type: 'string', default: 'dev' },
  name: { type: 'string' },
  groups: { type: 'string' },
  'expires-in': { type: 'string' },
  json: { type: 'boolean', default: false },
  aws: { type: 'boolean', default: false },
} as const;

export interface KeysCommandDeps {
  readonly openBackend: (env: string, aws: boolean) => Promise<KeysBackend>;
  /** The local gateway's URL, for the curl line printed after create. */
  readonly localUrl?: string;
}

export async function keysCommand(argv: readonly string[], io: CommandIo, deps: KeysCommandDeps): Promise<void> {
  const { values, positionals } = parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true, strict: true });
  const [action, ...rest] = positionals;
  if (!action || !['create', 'list', 'update', 'delete'].includes(action)) throw new UsageError(`Unknown keys action "${action ?? ''}".`);
  const keyId = rest[0];
  if ((action === 'update' || action === 'delete') && (!keyId || rest.length > 1)) throw new UsageError(`keys ${action} takes one KEY_ID.`);
  if ((action === 'create' || action === 'list') && rest.length > 0) throw new UsageError(`keys ${action} takes no positional arguments.`);
  const groups = values.groups?.split(',') ?? [];
  if ((action === 'create' || action === 'update') && values.groups === undefined) throw new UsageError(`keys ${action} needs --groups, e.g. --groups partners,ops.`);
  if (action === 'create' && values.name === undefined) throw new UsageError('keys create needs --name.');

  const backend = await deps.openBackend(values.env, values.aws);
  try {
    switch (action) {
      case 'create': {
        const expiresAt = expiry(values['expires-in']);
        const pair = await backend.signingKey();
        const key = await backend.store.create(values.name!, groups, expiresAt);
        const token = mintToken(pair, { env: backend.env, keyId: key.keyId, tokenId: key.tokenId, ...(expiresAt ? { expiresAt } : {}) });
        if (values.json) {
          io.out(JSON.stringify({ keyId: key.keyId, token, env: backend.env, name: key.name, groups: key.groups }));
        } else {
          io.out(`Created key ${key.keyId} "${key.name}" in ${backend.env} (groups: ${key.groups.join(', ')})${expiresAt ? `, valid until ${expiresAt.toISOString()}` : ''}.`);
          io.out('Token (shown once, store it now):');
          io.out(token);
          if (!values.aws && deps.localUrl) io.out(`Try it: curl -H "Authorization: Bearer ${token}" ${deps.localUrl}/`);
        }
        return;
      }
      case 'list': {
        const keys = await backend.store.list();
        if (values.json) io.out(JSON.stringify(keys.map(publicView)));
        else printTable(io, keys);
        return;
      }
      case 'update': {
        const key = await backend.store.updateGroups(keyId!, groups);
        io.out(`Key ${key.keyId} is now in groups: ${key.groups.join(', ')}. Takes effect within 60 s, no redeploy needed.`);
        return;
      }
      case 'delete':
        await backend.store.delete(keyId!);
        io.out(`Deleted key ${keyId} from ${backend.env}. Its token stops working within 60 s.`);
        return;
    }
  } finally {
    await backend.close();
  }
}

function expiry(days: string | undefined): Date | undefined {
  if (days === undefined) return undefined;
  const count = Number(days);
  if (!Number.isInteger(count) || count < 1 || count > 3650) throw new KeyCommandError(`--expires-in takes a number of days from 1 to 3650, received "${days}".`);
  return new Date(Date.now() + count * 86_400_000);
}

function publicView(key: ApiKeyRecord) {
  return { keyId: key.keyId, name: key.name, groups: key.groups, createdAt: key.createdAt, updatedAt: key.updatedAt, ...(key.expiresAt ? { expiresAt: key.expiresAt } : {}) };
}

function printTable(io: CommandIo, keys: readonly ApiKeyRecord[]): void {
  if (keys.length === 0) {
    io.out('No keys. Create one: appapi keys create --name NAME --groups GROUP');
    return;
  }
  const rows = [['KEY ID', 'NAME', 'GROUPS', 'CREATED', 'EXPIRES'], ...keys.map((key) => [key.keyId, key.name, key.groups.join(','), key.createdAt, key.expiresAt ?? '-'])];
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  for (const row of rows) io.out(row.map((cell, column) => cell.padEnd(widths[column]!)).join('  ').trimEnd());
}
