import { findRouteByName, RouteNameError } from './find-route';
import { parseArgs } from 'node:util';
import type { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import type { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import type { EnvironmentManifest, RouteManifest } from '../../lambdas/shared/manifest';
import { handlerLogGroupName } from '../constructs/handler-log-group';
import { loadManifest } from '../declarations-cache/load-declarations';
import { findEnvironmentTarget, stackName } from '../environment-targets';
import { projectContext } from '../project-context';
import { UsageError, type CommandIo } from './io';
import { filterEvents, liveTail, LogsError, readDeployedLogs, type DeployedLogs } from './log-reader';
import { formatRequest, parseLogLine, RequestJoin, type RequestRecord } from './request-log';

export const LOGS_USAGE = `  appapi logs --env ENV [--route APP_API] [--since 15m] [--request-id ID] [--follow] [--limit 100] [--json]
      One line per request from the stage's access log, joined by request id with its handler's
      log (errors, and the chain trace when the handler runs with APPAPI_LOG_LEVEL=debug).
      --since takes 30s, 15m, 2h, 1d or an ISO time; --follow tails live (CloudWatch Live Tail).`;

export interface LogsClients {
  readonly cloudFormation: CloudFormationClient;
  readonly logs: CloudWatchLogsClient;
}

export interface LogsDeps {
  /** SDK clients for the environment's region (undefined: the default credential chain's). */
  readonly openClients: (region: string | undefined) => LogsClients;
  /** @default - cdk.json's context */
  readonly context?: Record<string, unknown>;
  /** @default () => new Date() */
  readonly now?: () => Date;
  /** @default - the manifest `cdk synth` builds for the environment */
  readonly loadManifest?: (environment: string) => EnvironmentManifest;
  /** Ends --follow (Ctrl-C ends the process anyway). */
  readonly signal?: AbortSignal;
}

/** Access log lines scanned at most in one run; the newest `--limit` requests are shown. */
const MAX_ACCESS_EVENTS = 10_000;
/** Live Tail follows at most 10 log groups: the access log and 9 handlers. */
const MAX_TAILED_HANDLERS = 9;
/** How long --follow waits for a handler's lines after the access log line, which may arrive first. */
const FOLLOW_SETTLE_MS = 3_000;
/** Requests --follow holds while waiting for their other lines. */
const MAX_PENDING_REQUESTS = 1_000;
const REQUEST_ID = /^[A-Za-z0-9-]{1,64}$/;

interface LogsOptions {
  readonly env: string;
  readonly route?: string;
  readonly sinceMs: number;
  readonly requestId?: string;
  readonly follow: boolean;
  readonly limit: number;
  readonly json: boolean;
}

/** `appapi logs`: reads (or follows) an environment's access log and handler logs, joined per request. */
export async function logsCommand(argv: readonly string[], io: CommandIo, deps: LogsDeps): Promise<number> {
  const parsed = parseLogsArgs(argv, deps.now ?? (() => new Date()));
  if (parsed === 'help') {
    io.out(`Usage:\n${LOGS_USAGE}`);
    return 0;
  }
  const options = parsed;
  const target = findEnvironmentTarget(options.env, deps.context ?? projectContext());
  const manifest = (deps.loadManifest ?? ((environment: string) => loadManifest(environment)))(options.env);
  const route = options.route === undefined ? undefined : findRoute(manifest, options.route);
  const clients = deps.openClients(target.region);
  try {
    const deployed = await readDeployedLogs(clients.cloudFormation, stackName(options.env));
    const print = (record: RequestRecord) => (options.json ? io.out(JSON.stringify(record)) : formatRequest(record, manifest.routes).forEach((line) => io.out(line)));
    if (options.follow) return await follow(clients.logs, deployed, manifest, route, options, io, print, deps);
    return await readWindow(clients.logs, deployed, manifest, route, options, io, print, (deps.now ?? (() => new Date()))().getTime());
  } finally {
    clients.cloudFormation.destroy();
    clients.logs.destroy();
  }
}

async function readWindow(
  logs: CloudWatchLogsClient,
  deployed: DeployedLogs,
  manifest: EnvironmentManifest,
  route: RouteManifest | undefined,
  options: LogsOptions,
  io: CommandIo,
  print: (record: RequestRecord) => void,
  now: number,
): Promise<number> {
  const window = { startTime: now - options.sinceMs, endTime: now };
  const accessPattern = options.requestId ? `{ $.requestId = "${options.requestId}" }` : route ? `{ $.method = "${route.method}" && $.route = "${route.path}" }` : undefined;
  const join = new RequestJoin();
  const accessEvents = await filterEvents(logs, deployed.accessLogGroupName, { ...window, ...(accessPattern ? { filterPattern: accessPattern } : {}), maxEvents: MAX_ACCESS_EVENTS });
  for (const event of accessEvents) join.add('access', event.message, event.timestamp);
  const all = join.records();
  const shown = all.slice(-options.limit);
  const wanted = new Set(shown.map((record) => record.requestId));
  for (const record of all.slice(0, all.length - shown.length)) join.forget(record.requestId);

  // handler logs: the route's, or those of the App APIs the shown requests went to
  const handlerRoutes = route
    ? [route]
    : manifest.routes.filter((candidate) => shown.some((record) => record.access?.method === candidate.method && record.access?.route === candidate.path));
  const handlerPattern = options.requestId ? `{ $.requestId = "${options.requestId}" }` : undefined;
  for (const handlerRoute of handlerRoutes) {
    const events = await filterEvents(logs, handlerLogGroupName(manifest, handlerRoute), {
      startTime: window.startTime,
      // a handler logs before the gateway writes the access line; a minute of slack either side is plenty
      endTime: window.endTime + 60_000,
      ...(handlerPattern ? { filterPattern: handlerPattern } : {}),
      maxEvents: MAX_ACCESS_EVENTS,
    });
    for (const event of events) {
      // with --route or --request-id every request of the handler is wanted, else only the shown ones
      const requestId = parseLogLine(event.message)?.requestId;
      if (route || options.requestId || (typeof requestId === 'string' && wanted.has(requestId))) join.add('handler', event.message, event.timestamp);
    }
  }
  const records = join.records().slice(-options.limit);
  if (records.length === 0) {
    const what = options.requestId ? `request ${options.requestId}` : route ? `requests to ${route.id} (${route.method} ${route.path})` : 'requests';
    io.err(`No ${what} in the logs of ${stackName(options.env)} between ${new Date(window.startTime).toISOString()} and ${new Date(window.endTime).toISOString()}; try a longer --since.`);
    return options.requestId ? 1 : 0;
  }
  if (all.length > shown.length) io.err(`Showing the newest ${shown.length} of ${all.length} requests; narrow with --route or --since, or raise --limit.`);
  if (accessEvents.length >= MAX_ACCESS_EVENTS) io.err(`Read the first ${MAX_ACCESS_EVENTS} access log lines only; narrow with --since or --route.`);
  records.forEach(print);
  return 0;
}

async function follow(
  logs: CloudWatchLogsClient,
  deployed: DeployedLogs,
  manifest: EnvironmentManifest,
  route: RouteManifest | undefined,
  options: LogsOptions,
  io: CommandIo,
  print: (record: RequestRecord) => void,
  deps: LogsDeps,
): Promise<number> {
  const arn = (name: string) => `arn:${deployed.partition}:logs:${deployed.region}:${deployed.account}:log-group:${name}`;
  const handlerRoutes = route ? [route] : manifest.routes.length <= MAX_TAILED_HANDLERS ? manifest.routes : [];
  if (!route && handlerRoutes.length === 0) {
    io.err(`Following the access log only: Live Tail follows at most 10 log groups and ${manifest.routes.length} App APIs have one each. Add --route APP_API for its handler's errors and traces.`);
  }
  io.err(`Following ${stackName(options.env)}${route ? ` ${route.id}` : ''} (Ctrl-C to stop)…`);
  const now = () => (deps.now ?? (() => new Date()))().getTime();
  const join = new RequestJoin();
  const accessSeenAt = new Map<string, number>();
  const flush = (all: boolean) => {
    for (const record of join.records()) {
      const seenAt = accessSeenAt.get(record.requestId);
      if (seenAt === undefined && !all) continue;
      // the gateway answered without invoking a handler ("-"), or the handler's lines are in, or they are late
      const handlerExpected = record.access !== undefined && record.access.integrationStatus !== '-' && handlerRoutes.some((r) => r.method === record.access!.method && r.path === record.access!.route);
      if (all || !handlerExpected || record.handler || now() - (seenAt ?? 0) >= FOLLOW_SETTLE_MS) {
        if (record.access || all) print(record);
        join.forget(record.requestId);
        accessSeenAt.delete(record.requestId);
      }
    }
  };
  for await (const event of liveTail(logs, [arn(deployed.accessLogGroupName), ...handlerRoutes.map((r) => arn(handlerLogGroupName(manifest, r)))], deps.signal)) {
    const source = event.logGroupName === deployed.accessLogGroupName ? 'access' : 'handler';
    const record = join.add(source, event.message, event.timestamp);
    if (!record) continue;
    const unwanted =
      (options.requestId && record.requestId !== options.requestId) ||
      (route && source === 'access' && (record.access?.method !== route.method || record.access?.route !== route.path));
    if (unwanted) {
      join.forget(record.requestId);
      continue;
    }
    if (source === 'access') accessSeenAt.set(record.requestId, now());
    flush(false);
    // handler lines whose access line never comes (another route's, a lost line) are not kept forever
    for (const stale of join.records().slice(0, Math.max(0, join.size - MAX_PENDING_REQUESTS))) join.forget(stale.requestId);
  }
  flush(true);
  return 0;
}

function findRoute(manifest: EnvironmentManifest, id: string): RouteManifest {
  try {
    return findRouteByName(manifest, id);
  } catch (error) {
    if (error instanceof RouteNameError) throw new LogsError(error.message);
    throw error;
  }
}

function parseLogsArgs(argv: readonly string[], now: () => Date): LogsOptions | 'help' {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      env: { type: 'string' },
      route: { type: 'string' },
      since: { type: 'string', default: '15m' },
      'request-id': { type: 'string' },
      follow: { type: 'boolean', default: false },
      limit: { type: 'string', default: '100' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help) return 'help';
  if (!values.env) throw new UsageError('logs needs --env, e.g. appapi logs --env prod.');
  const requestId = values['request-id'];
  if (requestId !== undefined && !REQUEST_ID.test(requestId)) throw new UsageError(`--request-id "${requestId}" is not an API Gateway request id; copy the requestId of a problem+json body or an access log line.`);
  const limit = Number(values.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) throw new UsageError(`--limit ${values.limit} must be a whole number from 1 to 10000.`);
  return {
    env: values.env,
    ...(values.route ? { route: values.route } : {}),
    sinceMs: parseSince(values.since!, now()),
    ...(requestId ? { requestId } : {}),
    follow: values.follow!,
    limit,
    json: values.json!,
  };
}

const UNIT_MS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `30s`, `15m`, `2h`, `1d`, or an ISO time, as milliseconds before `now`. */
export function parseSince(value: string, now: Date): number {
  const relative = /^(\d+)\s*([smhd])$/.exec(value.trim());
  if (relative) return Number(relative[1]) * UNIT_MS[relative[2]!]!;
  const time = Date.parse(value);
  if (!Number.isNaN(time) && /^\d{4}-\d{2}-\d{2}/.test(value) && time < now.getTime()) return now.getTime() - time;
  throw new UsageError(`--since "${value}" is not a duration (30s, 15m, 2h, 1d) or an ISO time in the past (2030-01-02T03:04:05Z).`);
}

export { LogsError };
