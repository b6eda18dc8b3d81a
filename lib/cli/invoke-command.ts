import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { createHandler } from '../../lambdas/runtime/create-handler';
import { loadManifest } from '../declarations-cache/load-declarations';
import { dataHome } from '../local/data-home';
import { openLocalTables } from '../local/local-tables';
import { localTablePrefix } from '../local/table-prefix';
import { findRouteByName, RouteNameError } from './find-route';
import { UsageError, type CommandIo } from './io';

export const INVOKE_USAGE = `  appapi invoke APP_API [--env ENV] [--body JSON|@file] [--param k=v]... [--query k=v]... [--header k=v]... [--groups a,b]
                                         run one chain without HTTP (as a key of the route's groups unless --groups)`;

const OPTIONS = {
  env: { type: 'string', default: 'dev' },
  body: { type: 'string' },
  param: { type: 'string', multiple: true },
  query: { type: 'string', multiple: true },
  header: { type: 'string', multiple: true },
  groups: { type: 'string' },
} as const;

/** Runs one App API's chain on the local environment's data and prints the response; exit 1 when it is an error. */
export async function invokeCommand(argv: readonly string[], io: CommandIo): Promise<number> {
  const { values, positionals } = parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true, strict: true });
  if (positionals.length !== 1) throw new UsageError('invoke takes the id of one App API, e.g. appapi invoke CreateCustomer (or app.Id, e.g. booking.CreateCustomer).');
  const manifest = loadManifest(values.env, { resourcePrefix: localTablePrefix() });
  const route = findRoute(manifest, positionals[0]!);
  const body = values.body?.startsWith('@') ? readFileSync(values.body.slice(1), 'utf8') : values.body;
  const headers = pairs(values.header, '--header');
  if (body !== undefined && !Object.keys(headers).some((name) => name.toLowerCase() === 'content-type')) headers['Content-Type'] = 'application/json';
  const groups = values.groups ?? (route.auth.type === 'keyGroups' ? route.auth.groups.join(',') : '');
  const { documents, close } = await openLocalTables(dataHome(), values.env, manifest);
  try {
    const requestId = randomUUID();
    const result = await createHandler(manifest, route.id, documents)({
      httpMethod: route.method,
      path: route.path,
      headers,
      pathParameters: pairs(values.param, '--param'),
      queryStringParameters: Object.keys(pairs(values.query, '--query')).length ? pairs(values.query, '--query') : null,
      body: body ?? null,
      isBase64Encoded: false,
      requestContext: { requestId, requestTimeEpoch: Date.now(), authorizer: route.auth.type === 'keyGroups' ? { principalId: 'invoke', keyId: 'invoke', keyName: 'appapi invoke', groups } : null },
    });
    io.out(`HTTP ${result.statusCode}`);
    for (const [name, value] of Object.entries(result.headers)) io.out(`${name}: ${value}`);
    io.out('');
    io.out(/json/.test(result.headers['Content-Type'] ?? '') && result.body ? JSON.stringify(JSON.parse(result.body), null, 2) : result.body);
    return result.statusCode < 400 ? 0 : 1;
  } finally {
    await close();
  }
}

function findRoute(manifest: Parameters<typeof findRouteByName>[0], name: string) {
  try {
    return findRouteByName(manifest, name);
  } catch (error) {
    if (error instanceof RouteNameError) throw new UsageError(error.message);
    throw error;
  }
}

function pairs(list: readonly string[] | undefined, option: string): Record<string, string> {
  const result: Record<string, string> = {};
  for (const item of list ?? []) {
    const at = item.indexOf('=');
    if (at < 1) throw new UsageError(`${option} takes name=value, received "${item}".`);
    result[item.slice(0, at)] = item.slice(at + 1);
  }
  return result;
}
