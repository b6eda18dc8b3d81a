import { watch, type FSWatcher } from 'node:fs';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createDocumentClient } from '../../../lambdas/runtime/dynamodb';
import type { EnvironmentManifest } from '../../../lambdas/shared/manifest';
import { GATEWAY_PROBLEMS, gatewayProblemBody } from '../../gateway-problems';
import { dataHome } from '../data-home';
import { connectLocalDynamo } from '../local-dynamo';
import { loadOrCreateSigningKey } from '../signing-key-file';
import { localTablePrefix } from '../table-prefix';
import { ensureTables } from '../tables';
import type { AccessLogEntry, GatewayApp } from './gateway-app';
import { answerCheckModeFromEnv, type AnswerCheckMode } from './answer-check';
import { loadGeneration, watchedFolders, type Generation } from './generation';
import { TraceStore } from './trace-store';
import { warmUpBuildModules } from './warm-up';
import { PROJECT_ROOT } from '../../project-context';

export interface GatewayOptions {
  /**
   * This environment's DynamoDB Local, already being started or connected by the caller (`appapi
   * dev` starts it before it loads the gateway's modules, so the JVM starts sooner).
   * @default - started (or, when this environment's is running, connected) here
   */
  readonly localDynamo?: ReturnType<typeof connectLocalDynamo>;
  /** @default 'dev' */
  readonly env?: string;
  /** @default 3000; 0 picks a free port */
  readonly port?: number;
  /** Loopback only by default: local mode has no TLS and trusts its callers' network. @default '127.0.0.1' */
  readonly host?: string;
  /** @default .appapi/ or APPAPI_HOME */
  readonly home?: string;
  /** Prefix of the local table names. @default - APPAPI_TABLE_PREFIX, else 'appapi' as in AWS */
  readonly tablePrefix?: string;
  /** A module exporting `apps` instead of lib/apps (tests). */
  readonly appsModule?: string;
  /**
   * cdk.json's context to serve instead of the file's, e.g. another `appapi:apps` list (tests, or a
   * program embedding the gateway); read once, so edits to it need a new gateway.
   * @default - the context of the project's cdk.json
   */
  readonly context?: Record<string, unknown>;
  /** Reload on changes under lib/, lambdas/ and the listed apps' folders. @default true */
  readonly watch?: boolean;
  /** @default 30 s, as the stack's authorizer */
  readonly authorizerCacheTtlMs?: number;
  /** Serve the local console at /__appapi/. @default true for `dev`, false otherwise */
  readonly console?: boolean;
  readonly onRequest?: (entry: AccessLogEntry) => void;
  readonly log?: (entry: Record<string, unknown>) => void;
  /**
   * Every handler answer is checked against the schema OpenAPI publishes for it: `warn` logs a
   * mismatch and shows it in the console, `fatal` answers 500 instead (tests), `off` skips it.
   * @default - APPAPI_RESPONSE_CHECK, else 'warn'
   */
  readonly answerCheck?: AnswerCheckMode;
  /**
   * When chain traces are recorded: `console` while the console is open (read in the last 30 s),
   * `always` for every request (tests reading `traces`). Access-log entries are always kept.
   * @default 'console'
   */
  readonly traces?: 'console' | 'always';
}

export interface ReloadOutcome {
  readonly ok: boolean;
  readonly ms: number;
  readonly error?: string;
}

export interface RunningGateway {
  readonly url: string;
  readonly env: string;
  readonly dynamoEndpoint: string;
  readonly dataHome: string;
  manifest(): EnvironmentManifest;
  /**
   * Milliseconds from the call to each phase's end: `declarations` (load and synthesize) and
   * `dynamoDbLocal` run side by side; `tablesAndApp` is its own duration; `ready` is the total.
   */
  readonly startup: Readonly<Record<string, number>>;
  /** `cache` when the start read the declarations cache instead of loading the declarations. */
  readonly declarationsSource: 'cache' | 'built';
  /** The last 1,000 requests, with their chain traces while the console is open (or always, see `traces`). */
  readonly traces: TraceStore;
  reload(): Promise<ReloadOutcome>;
  /** Resolves after each reload attempt (tests, and the CLI's "reloaded" line). */
  onReload(listener: (outcome: ReloadOutcome) => void): void;
  stop(): Promise<void>;
}

const RELOAD_DEBOUNCE_MS = 150;

export class PortInUseError extends Error {
  constructor(port: number) {
    super(`Port ${port} is already in use (another appapi dev?). Stop it, or choose another port: npm start -- --port 3001 (or PORT=3001).`);
    this.name = 'PortInUseError';
  }
}

/**
 * Serves one environment on loopback: DynamoDB Local (started, or reused when this environment's
 * is already running), tables from the declarations, the local signing key, and the gateway app,
 * rebuilt on every change to the declarations or the handler code without restarting DynamoDB Local.
 */
export async function startGateway(options: GatewayOptions = {}): Promise<RunningGateway> {
  const env = options.env ?? 'dev';
  const home = options.home ?? dataHome();
  const tablePrefix = options.tablePrefix ?? localTablePrefix();
  const startedAt = performance.now();
  const phases: Record<string, number> = {};
  const timed = <T>(phase: string, started: number, value: T): T => ((phases[phase] = Math.round(performance.now() - started)), value);
  // DynamoDB Local (a JVM, on another core) starts while the declarations load and synthesize here
  const connecting = (options.localDynamo ?? connectLocalDynamo(home, env, { record: true })).then((connected) => timed('dynamoDbLocal', startedAt, connected));
  let generation: Generation;
  try {
    generation = timed('declarations', startedAt, loadGeneration(env, options.appsModule, tablePrefix, options.context));
  } catch (error) {
    await connecting.then((connected) => connected.close(), () => {});
    throw error;
  }
  const startSource = generation.source;
  const watching = options.watch ?? true;
  let stopped = false;
  // Started from the cache, nothing of a build is loaded: the first reload after an edit would
  // load aws-cdk-lib then (about 1.5 s of CPU). Loaded now instead, a file per event-loop turn,
  // while DynamoDB Local is still starting, which the main thread only waits for.
  const warmedUp = watching && startSource === 'cache' ? warmUpBuildModules(PROJECT_ROOT, generation.buildModules, () => stopped) : undefined;
  const dynamo = await connecting;
  const documents = createDocumentClient(dynamo.endpoint);
  const withConsole = options.console ?? env === 'dev';
  const traces = new TraceStore(undefined, options.traces === 'always');
  const build = async (): Promise<GatewayApp> => {
    const publicJwk = loadOrCreateSigningKey(home, env).publicJwk;
    await ensureTables(documents, generation.manifest);
    return generation.createApp({
      documents,
      publicJwk,
      answerCheck: options.answerCheck ?? answerCheckModeFromEnv(),
      onTrace: (trace) => traces.trace(trace),
      recordTrace: traces.recording,
      ...(withConsole ? { console: { traces, signingKey: () => loadOrCreateSigningKey(home, env) } } : {}),
      ...(options.authorizerCacheTtlMs === undefined ? {} : { authorizerCacheTtlMs: options.authorizerCacheTtlMs }),
      onRequest: (entry) => {
        traces.access(entry);
        options.onRequest?.(entry);
      },
      ...(options.log ? { log: options.log } : {}),
    });
  };
  let app: GatewayApp;
  let server: Server;
  try {
    const building = performance.now();
    app = timed('tablesAndApp', building, await build());
    server = await listen((request, response) => void app(request, response), options.host ?? '127.0.0.1', options.port ?? 3000);
  } catch (error) {
    // whatever failed, nothing this call started may outlive it: DynamoDB Local would keep this
    // process (and itself) running, its state file claiming it for a gateway that never served
    stopped = true;
    documents.destroy();
    await dynamo.close();
    throw error;
  }
  timed('ready', startedAt, undefined);
  let reloads = 0;
  // Then, once, a build whose result is dropped, while nothing has reloaded yet: the first build in
  // a process costs about twice a later one (the JIT), and the first reload after an edit would pay
  // it. It holds the event loop for a build's time (under a second), once, after `ready`.
  void warmedUp?.then(() =>
    setTimeout(() => {
      if (stopped || reloads > 0) return;
      try {
        (require(join(PROJECT_ROOT, 'lib', 'declarations-cache', 'load-declarations')) as typeof import('../../declarations-cache/load-declarations')).rehearseBuild({
          environment: env,
          ...(options.appsModule ? { appsModule: options.appsModule } : {}),
          ...(tablePrefix ? { resourcePrefix: tablePrefix } : {}),
          ...(options.context ? { context: options.context } : {}),
        });
      } catch {
        // the declarations no longer build: the reload after the next edit says why
      }
    }, 0).unref(),
  );
  const address = server.address() as AddressInfo;
  const url = `http://${address.address}:${address.port}`;

  const listeners: Array<(outcome: ReloadOutcome) => void> = [];
  let reloading: Promise<ReloadOutcome> | undefined;
  const reload = (): Promise<ReloadOutcome> => {
    reloading ??= (async () => {
      reloads += 1;
      const started = Date.now();
      try {
        generation = loadGeneration(env, options.appsModule, tablePrefix, options.context);
        app = await build();
        return { ok: true, ms: Date.now() - started };
      } catch (error) {
        // the previous version keeps serving until the declarations load again
        return { ok: false, ms: Date.now() - started, error: error instanceof Error ? error.message : String(error) };
      }
    })().then((outcome) => {
      reloading = undefined;
      listeners.forEach((listener) => listener(outcome));
      return outcome;
    });
    return reloading;
  };

  const watchers: FSWatcher[] = [];
  if (watching) {
    let timer: NodeJS.Timeout | undefined;
    const schedule = () => {
      clearTimeout(timer);
      timer = setTimeout(() => void reload(), RELOAD_DEBOUNCE_MS);
    };
    for (const folder of watchedFolders(options.appsModule, options.context)) watchers.push(watch(folder, { recursive: true }, schedule));
  }

  return {
    url,
    env,
    dynamoEndpoint: dynamo.endpoint,
    dataHome: home,
    manifest: () => generation.manifest,
    startup: phases,
    declarationsSource: startSource,
    traces,
    reload,
    onReload: (listener) => listeners.push(listener),
    stop: async () => {
      stopped = true;
      watchers.forEach((watcher) => watcher.close());
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      documents.destroy();
      await dynamo.close();
    },
  };
}

/** An HTTP server listening on loopback whose unparsable requests get problem+json too. */
async function listen(handle: (request: IncomingMessage, response: ServerResponse) => void, host: string, port: number): Promise<Server> {
  const server = createServer(handle);
  // requests Node cannot parse (oversized headers, broken framing) get problem+json too, then the connection closes
  server.on('clientError', (error: NodeJS.ErrnoException, socket) => {
    if (!socket.writable) return void socket.destroy();
    const inFlight = (socket as { _httpMessage?: ServerResponse })._httpMessage;
    if (inFlight) {
      // the answer to the request before the garbage is still on its way: let it finish, then close
      if (inFlight.writableFinished) socket.end();
      else inFlight.once('finish', () => socket.end());
      setTimeout(() => socket.destroy(), 5_000).unref();
      return;
    }
    const problem = error.code === 'HPE_HEADER_OVERFLOW' ? GATEWAY_PROBLEMS.headersTooLarge : GATEWAY_PROBLEMS.badRequest;
    const body = JSON.stringify(gatewayProblemBody(problem, randomUUID()));
    socket.end(`HTTP/1.1 ${problem.status} ${problem.title}\r\nContent-Type: application/problem+json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
  });
  // API Gateway closes idle connections after a while too; this bounds a slow client's hold
  server.headersTimeout = 30_000;
  server.requestTimeout = 60_000;
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => resolve());
    });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') throw new PortInUseError(port);
    throw error;
  }
  return server;
}
