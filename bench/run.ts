// npm run bench [-- start|throughput|traces|coldstart|scale|memory|authorizer|roundtrips]: figures measured side by side on this
// machine, printed as ratios against what a user would use instead. Not part of npm test.
// BENCH_BEFORE=<a checkout of an earlier commit, with node_modules>: start and coldstart also
// measure that checkout, alternating with this one run by run (a shared machine's load hits both alike).
import './quiet-sdk-notice';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { deflateRawSync } from 'node:zlib';
import { buildSync } from 'esbuild';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { createDocumentClient } from '../lambdas/runtime/dynamodb';
import { loadEnvironment } from '../lib/environments';
import { LAMBDA_ENTRIES } from '../lib/constructs/lambda-asset';
import { freePort } from '../lib/local/dynamodb-local';
import { ApiKeyStore } from '../lib/keys/key-store';
import { mintToken } from '../lib/keys/tokens';
import { connectLocalDynamo } from '../lib/local/local-dynamo';
import { loadOrCreateSigningKey } from '../lib/local/signing-key-file';
import { ensureTables } from '../lib/local/tables';
import { authorizerAtScale } from './authorizer-keys';
import { apps } from './bench-app';
import { roundTrips } from './round-trips';
import { isProject, timeStart, type StartTimes } from './startup';
import { cpuMicros, load, median, memory, startServer, stopServer, type LoadResult } from './processes';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
/** Load before a route's measured runs: a fresh server's JIT (and DynamoDB Local's) takes that long to settle. */
const WARM_SECONDS = Number(process.env.BENCH_WARM_SECONDS ?? 15);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const CONNECTIONS = 50;
const sections = process.argv.slice(2);
const wanted = (name: string) => sections.length === 0 || sections.includes(name);
const ratio = (ours: number, theirs: number) => (ours / theirs).toFixed(2);
const line = (text: string) => console.log(text);
const BEFORE = process.env.BENCH_BEFORE;
if (BEFORE !== undefined && !isProject(BEFORE)) throw new Error(`BENCH_BEFORE=${BEFORE} is not a checkout of this project`);
const PROJECT_ROOT = join(__dirname, '..');

async function main(): Promise<void> {
  line(`App APIs benchmarks — ${new Date().toISOString().slice(0, 10)}, ${cpus().length} × ${cpus()[0]?.model.trim()}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}, load average ${loadavg().map((value) => value.toFixed(1)).join(' ')}`);
  // before anything else starts: it times whole processes
  if (wanted('start')) await startTimes();
  const home = mkdtempSync(join(tmpdir(), 'appapi-bench-'));
  // full JIT: the servers under load share this DynamoDB Local, as a long-running one would be
  const dynamo = await connectLocalDynamo(home, 'dev', { record: true, quickStart: false, readyTimeoutMs: 120_000 });
  const documents = createDocumentClient(dynamo.endpoint);
  const manifest = loadEnvironment('dev', apps).manifest;
  await ensureTables(documents, manifest);
  const pair = loadOrCreateSigningKey(home, 'dev');
  const key = await new ApiKeyStore(documents, manifest.tables.apiKeys).create('bench', ['partners']);
  const token = mintToken(pair, { env: 'dev', keyId: key.keyId, tokenId: key.tokenId });
  await documents.send(new PutCommand({ TableName: manifest.models.Customers!.table, Item: { id: 'bench-customer', name: 'Bench', email: 'bench@example.com' } }));
  const common = { APPAPI_HOME: home, APPAPI_DYNAMODB_ENDPOINT: dynamo.endpoint };
  try {
    if (wanted('throughput')) await throughput(common, token, JSON.stringify(pair.publicJwk), manifest.models.Customers!.table);
    if (wanted('traces')) await traceCost(common, token);
    if (wanted('coldstart')) coldStarts(manifest, dynamo.endpoint, token, JSON.stringify(pair.publicJwk));
    if (wanted('scale')) await scale(common);
    if (wanted('memory')) await memoryUse(common);
    if (wanted('roundtrips')) await roundTrips(line, documents, manifest);
    if (wanted('authorizer')) await authorizerAtScale(line, documents, manifest, pair);
  } finally {
    documents.destroy();
    await dynamo.close();
  }
}

/**
 * `npm start`: a fresh clone's first start after `npm install` (which, since it has a postinstall,
 * prepares DynamoDB Local's class-data archive, the dev declarations and the CLI's transforms), a
 * first start with nothing prepared (a clone whose `npm install` ran before Java was installed, or
 * the checkout before the postinstall), a warm restart, and a reload after an edit; paired with
 * BENCH_BEFORE when given.
 */
async function startTimes(): Promise<void> {
  const RUNS = Number(process.env.BENCH_START_RUNS ?? 3);
  const projects: Array<[string, string]> = [['now', PROJECT_ROOT], ...(BEFORE ? [['before', BEFORE] as [string, string]] : [])];
  const results = new Map<string, { fresh: StartTimes[]; unprepared: StartTimes[]; warm: StartTimes[] }>(projects.map(([name]) => [name, { fresh: [], unprepared: [], warm: [] }]));
  const prepares = (root: string) => existsSync(join(root, 'scripts', 'postinstall.js'));
  for (let run = 0; run < RUNS; run++) {
    for (const [name, root] of run % 2 === 0 ? projects : [...projects].reverse()) {
      const home = mkdtempSync(join(tmpdir(), 'appapi-bench-start-'));
      const fresh = await timeStart(root, home, { freshTmp: true, afterInstall: true, awaitArchive: true });
      results.get(name)!.fresh.push(fresh);
      results.get(name)!.warm.push(await timeStart(root, home, { reload: true }));
      rmSync(home, { recursive: true, force: true });
      // without a postinstall, the first start after npm install is the one with nothing prepared
      if (!prepares(root)) results.get(name)!.unprepared.push(fresh);
      else {
        const bare = mkdtempSync(join(tmpdir(), 'appapi-bench-start-'));
        results.get(name)!.unprepared.push(await timeStart(root, bare, { freshTmp: true }));
        rmSync(bare, { recursive: true, force: true });
      }
    }
  }
  const seconds = (values: number[]) => `${(median(values) / 1000).toFixed(1)} s`;
  line(`\nStart (npm start to its "ready" line, median of ${RUNS}${BEFORE ? ', alternating with BENCH_BEFORE' : ''}; load average ${loadavg()[0]!.toFixed(1)})`);
  for (const [name, root] of projects) {
    const { fresh, unprepared, warm } = results.get(name)!;
    line(`  ${name.padEnd(6)} fresh clone ${seconds(fresh.map((r) => r.readyMs))} (target ≤ 6)  warm restart ${seconds(warm.map((r) => r.readyMs))} (target ≤ 3)  reload after an edit ${(median(warm.map((r) => r.reloadMs ?? NaN)) / 1000).toFixed(2)} s (target ≤ 2)`);
    if (prepares(root)) {
      const installs = fresh.map((r) => r.install).filter((install) => install !== undefined);
      line(`         fresh clone = the first start after npm install, whose postinstall prepared it in ${seconds(installs.map((install) => install.ms))} (last: ${installs.at(-1)?.report ?? 'no report'})`);
      line(`         first start with nothing prepared (npm install before Java was installed) ${seconds(unprepared.map((r) => r.readyMs))}`);
    } else {
      line('         fresh clone = nothing prepared (this checkout has no postinstall)');
    }
    const phases = warm.at(-1)?.phases;
    if (phases) line(`         last warm restart ${phases}`);
    const archive = fresh.map((r) => r.archiveMs).filter((ms): ms is number => ms !== undefined);
    if (archive.length) line(`         DynamoDB Local's class-data archive in place ${(median(archive) / 1000).toFixed(1)} s after the first start's "ready" (built by npm install, or in the background; the warm restart maps it)`);
  }
}

async function throughput(env: Record<string, string>, token: string, publicJwk: string, table: string): Promise<void> {
  const [ours, base, fast] = [await freePort(), await freePort(), await freePort()];
  const servers = [
    await startServer('gateway-server.ts', { ...env, PORT: String(ours) }),
    await startServer('baseline-node.ts', { ...env, PORT: String(base), BENCH_TABLE: table }),
    await startServer('baseline-fastify.ts', { ...env, PORT: String(fast), BENCH_PUBLIC_JWK: publicJwk }),
  ];
  try {
    const url = (port: number, path: string) => `http://127.0.0.1:${port}${path}`;
    const customer = '{"name":"Bench","email":"load-{n}@example.com"}';
    const quote = '{"product":"widget","quantity":3}';
    // the server's CPU per answered request: what the ratios come from once the server's core is saturated
    const serving = new Map([[ours, servers[0]!], [base, servers[1]!], [fast, servers[2]!]]);
    type Run = { readonly name: string; readonly args: Parameters<typeof load> };
    const rps = new Map<string, number>();
    // Each server warms up on the route first (its JIT, and DynamoDB Local's), then the servers
    // alternate run by run, so load on a shared machine hits each alike: medians are reported.
    const compare = async (...runs: Run[]) => {
      for (const { args } of runs) await load(args[0], args[1], args[2], args[3], WARM_SECONDS, args[5]);
      const figures = new Map<string, { results: LoadResult[]; cpu: number[] }>(runs.map(({ name }) => [name, { results: [], cpu: [] }]));
      for (let round = 0; round < ROUNDS; round++) {
        for (const { name, args } of round % 2 === 0 ? runs : [...runs].reverse()) {
          const server = serving.get(Number(new URL(args[0]).port))!;
          const cpuBefore = cpuMicros(server.pid!);
          const result = await load(...args);
          figures.get(name)!.results.push(result);
          figures.get(name)!.cpu.push((cpuMicros(server.pid!) - cpuBefore) / result.total);
        }
      }
      for (const { name } of runs) {
        const { results, cpu } = figures.get(name)!;
        const middle = [...results].sort((x, y) => x.rps - y.rps)[Math.floor(results.length / 2)]!;
        rps.set(name, middle.rps);
        report(name, middle, median(cpu));
      }
    };
    const at = (name: string, port: number, path: string, method: string, body: string | undefined, bearer: string | undefined): Run => ({ name, args: [url(port, path), method, body, bearer, SECONDS, CONNECTIONS] });
    line(`\nThroughput (autocannon, ${CONNECTIONS} connections, loopback: each server warmed ${WARM_SECONDS} s on the route, then ${ROUNDS} alternating ${SECONDS} s runs each; the median run, and the median server CPU per request)`);
    await compare(at('(a) GET record, ours (token + GetItem)', ours, '/customers/bench-customer', 'GET', undefined, token), at('(a) node:http + same GetItem', base, '/customers/bench-customer', 'GET', undefined, undefined));
    await compare(at('(h) public GET /health, ours', ours, '/health', 'GET', undefined, undefined), at('(h) node:http, constant answer', base, '/health', 'GET', undefined, undefined));
    await compare(at('(b) POST validate + insert, ours', ours, '/customers', 'POST', customer, token), at('(b) node:http + same calls', base, '/customers', 'POST', customer.replace('load-', 'base-'), undefined));
    await compare(
      at('(c) public validate + transform, ours', ours, '/bench/quote', 'POST', quote, undefined),
      at('(c) same with a token, ours', ours, '/bench/key-quote', 'POST', quote, token),
      at('(c) Fastify + aws-jwt-verify + ajv', fast, '/bench/quote', 'POST', quote, token),
    );
    const of = (name: string) => rps.get(name)!;
    line(
      `  ratios: (a) ${ratio(of('(a) GET record, ours (token + GetItem)'), of('(a) node:http + same GetItem'))}× node:http (target ≥ 0.85) · (h) ${ratio(of('(h) public GET /health, ours'), of('(h) node:http, constant answer'))}× node:http (target ≥ 0.5) · (b) ${ratio(of('(b) POST validate + insert, ours'), of('(b) node:http + same calls'))}× node:http (target ≥ 0.85) · (c) public ${ratio(of('(c) public validate + transform, ours'), of('(c) Fastify + aws-jwt-verify + ajv'))}×, with token ${ratio(of('(c) same with a token, ours'), of('(c) Fastify + aws-jwt-verify + ajv'))}× Fastify (target ≥ 1.0); load average ${loadavg()[0]!.toFixed(1)}`,
    );
    if (BEFORE) await pairedThroughput(env, token);
  } finally {
    for (const server of servers) await stopServer(server);
  }
}

/** Our gateway against BENCH_BEFORE's, on the same DynamoDB Local, alternating run by run (4 × 4 s each). */
async function pairedThroughput(env: Record<string, string>, token: string): Promise<void> {
  const [nowPort, beforePort] = [await freePort(), await freePort()];
  const servers = [await startServer('gateway-server.ts', { ...env, PORT: String(nowPort) }), await startServer(join(BEFORE!, 'bench', 'gateway-server.ts'), { ...env, PORT: String(beforePort) })];
  try {
    line('  paired with BENCH_BEFORE (req/s and server CPU per request, medians of 4 alternating 4 s runs):');
    const routes: Array<[string, string, string, string | undefined, string | undefined]> = [
      ['(a) GET record', '/customers/bench-customer', 'GET', undefined, token],
      ['(h) GET /health', '/health', 'GET', undefined, undefined],
      ['(c) public quote', '/bench/quote', 'POST', '{"product":"widget","quantity":3}', undefined],
    ];
    for (const [name, path, method, body, bearer] of routes) {
      const runs: Record<'now' | 'before', { rps: number[]; cpu: number[] }> = { now: { rps: [], cpu: [] }, before: { rps: [], cpu: [] } };
      for (let run = 0; run < 4; run++) {
        const order: Array<['now' | 'before', number, number]> = run % 2 === 0 ? [['now', nowPort, 0], ['before', beforePort, 1]] : [['before', beforePort, 1], ['now', nowPort, 0]];
        for (const [which, port, server] of order) {
          const cpuBefore = cpuMicros(servers[server]!.pid!);
          const result = await load(`http://127.0.0.1:${port}${path}`, method, body, bearer, 4, CONNECTIONS);
          runs[which].rps.push(result.rps);
          runs[which].cpu.push((cpuMicros(servers[server]!.pid!) - cpuBefore) / result.total);
        }
      }
      const [now, before] = [runs.now, runs.before].map(({ rps, cpu }) => ({ rps: median(rps), cpu: median(cpu) }));
      line(`    ${name.padEnd(18)} now ${Math.round(now!.rps)} (${Math.round(now!.cpu)} µs)  before ${Math.round(before!.rps)} (${Math.round(before!.cpu)} µs)  = ${ratio(now!.rps, before!.rps)}× (CPU ${ratio(now!.cpu, before!.cpu)}×)`);
    }
  } finally {
    for (const server of servers) await stopServer(server);
  }
}

/**
 * What recording chain traces costs: a gateway whose console is closed (no request traced) against
 * one tracing every request, as an open console makes it, alternating run by run.
 */
async function traceCost(env: Record<string, string>, token: string): Promise<void> {
  const [closedPort, openPort] = [await freePort(), await freePort()];
  const servers = [await startServer('gateway-server.ts', { ...env, PORT: String(closedPort) }), await startServer('gateway-server.ts', { ...env, PORT: String(openPort), BENCH_TRACES: 'always' })];
  try {
    line(`\nChain traces, console closed against open (req/s, median of 4 alternating 4 s runs, ${CONNECTIONS} connections)`);
    const routes: Array<[string, string, string | undefined]> = [
      ['(h) GET /health', '/health', undefined],
      ['(a) GET record', '/customers/bench-customer', token],
    ];
    for (const [name, path, bearer] of routes) {
      const runs: Record<'closed' | 'open', number[]> = { closed: [], open: [] };
      // each fresh server (and DynamoDB Local, when this section runs alone) warms up first, unmeasured
      for (const port of [closedPort, openPort]) await load(`http://127.0.0.1:${port}${path}`, 'GET', undefined, bearer, 3, CONNECTIONS);
      for (let run = 0; run < 4; run++) {
        const order: Array<['closed' | 'open', number]> = run % 2 === 0 ? [['closed', closedPort], ['open', openPort]] : [['open', openPort], ['closed', closedPort]];
        for (const [which, port] of order) runs[which].push((await load(`http://127.0.0.1:${port}${path}`, 'GET', undefined, bearer, 4, CONNECTIONS)).rps);
      }
      line(`  ${name.padEnd(18)} closed ${Math.round(median(runs.closed))}  open ${Math.round(median(runs.open))}  = open ${ratio(median(runs.open), median(runs.closed))}× closed (load average ${loadavg()[0]!.toFixed(1)})`);
    }
  } finally {
    for (const server of servers) await stopServer(server);
  }
}

function report(name: string, result: LoadResult, serverCpuMicros: number): void {
  line(`  ${name.padEnd(44)} ${Math.round(result.rps).toString().padStart(6)} req/s  p50 ${result.p50} ms  p99 ${result.p99} ms  server CPU ${Math.round(serverCpuMicros)} µs/request  ${JSON.stringify(result.statuses)}`);
}

interface ColdStartAssets {
  readonly handler: string;
  readonly authorizer: string;
  /** The NODE_OPTIONS each function's configuration sets, as the template has them. */
  readonly handlerNodeOptions: string;
  readonly authorizerNodeOptions: string;
}

/** The handler and authorizer assets (bench declarations, environment dev) of a checkout, built by its own code. */
function coldStartAssets(root: string): ColdStartAssets {
  const script = `
    const { join } = require('node:path');
    const { lambdaAssetDirectory } = require(join(process.cwd(), 'lib/constructs/lambda-asset'));
    const { loadEnvironment } = require(join(process.cwd(), 'lib/environments'));
    const { Template } = require('aws-cdk-lib/assertions');
    const { Stack } = require('aws-cdk-lib');
    const { apps } = require(join(process.cwd(), 'bench/bench-app'));
    const stack = loadEnvironment('dev', apps);
    const functions = [stack, ...stack.node.findAll().filter((c) => c !== stack && Stack.isStack(c))].flatMap((s) => Object.values(Template.fromStack(s).findResources('AWS::Lambda::Function')));
    const variables = (fn) => fn.Properties.Environment?.Variables ?? {};
    const handler = functions.find((fn) => variables(fn).APPAPI_ROUTE);
    const authorizer = functions.find((fn) => variables(fn).APPAPI_SIGNING_JWK);
    process.stdout.write(JSON.stringify({
      handler: lambdaAssetDirectory('handler', stack.manifest),
      authorizer: lambdaAssetDirectory('authorizer', stack.manifest),
      handlerNodeOptions: variables(handler).NODE_OPTIONS ?? '',
      authorizerNodeOptions: variables(authorizer).NODE_OPTIONS ?? '',
    }));`;
  const output = execFileSync(process.execPath, ['--import', 'tsx', '-e', script], { cwd: root, env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' }, encoding: 'utf8' });
  return JSON.parse(output) as ColdStartAssets;
}

/** A cold start's figures, from inside the fresh process: ms since the require began. */
interface ColdRun {
  /** Requiring the bundle: reading, compiling and running its top-level code. */
  readonly loadMs: number;
  /** The first answer, load included. */
  readonly totalMs: number;
  /** The first HTTP request (DynamoDB): from the SDK sending it to the end of the response; 0 if none. */
  readonly roundTripMs: number;
  /** CPU time (user + system) from the require to the answer: less moved by other work on a shared machine than wall time. */
  readonly cpuMs: number;
  /** The CPU time of the require alone. */
  readonly loadCpuMs: number;
}

/**
 * Time from requiring a bundle to its answer to a first event, in a fresh Node process with the
 * function's NODE_OPTIONS: median of 20. With BENCH_BEFORE, that checkout's bundles run too,
 * alternating with ours process by process. Our bundles carry the SDK they use; BENCH_BEFORE's
 * (before the SDK was bundled) and the plain middy baseline resolve it from node_modules through
 * NODE_PATH, as a function using the SDK of the nodejs22.x runtime does.
 */
function coldStarts(manifest: ReturnType<typeof loadEnvironment>['manifest'], endpoint: string, token: string, publicJwk: string): void {
  const RUNS = Number(process.env.BENCH_COLD_RUNS ?? 20);
  const versions: Array<[string, ColdStartAssets]> = [['now', coldStartAssets(PROJECT_ROOT)], ...(BEFORE ? [['before', coldStartAssets(BEFORE)] as [string, ColdStartAssets]] : [])];
  const middyDirectory = mkdtempSync(join(tmpdir(), 'appapi-middy-'));
  const middy = (name: string, sdk: 'runtime' | 'bundled') => {
    const outfile = join(middyDirectory, name);
    // as commonly deployed: the runtime's SDK (external), or the SDK bundled, tree-shaken from its ES modules
    buildSync({ entryPoints: [join(__dirname, 'middy-handler.mjs')], bundle: true, minify: true, platform: 'node', target: 'node22', format: 'cjs', outfile, logLevel: 'silent', ...(sdk === 'runtime' ? { external: ['@aws-sdk/*', '@smithy/*'] } : { mainFields: ['module', 'main'] }) });
    return outfile;
  };
  const middyRuntimeSdk = middy('middy.js', 'runtime');
  const middyBundledSdk = middy('middy-bundled.js', 'bundled');
  const authorizer = { principalId: 'k', groups: 'partners' };
  const getEvent = () => ({ httpMethod: 'GET', path: '/customers/bench-customer', pathParameters: { customerId: 'bench-customer' }, requestContext: { requestId: 'cold', authorizer } });
  const postEvent = (run: number) => ({
    httpMethod: 'POST',
    path: '/customers',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'Cold', email: `cold-${process.pid}-${run}-${Math.random().toString(36).slice(2)}@example.com` }),
    requestContext: { requestId: 'cold', authorizer },
  });
  const authorizerEvent = (bearer: string) => ({ methodArn: 'arn:aws:execute-api:eu-west-1:1:api/dev/GET/customers/x', headers: { Authorization: `Bearer ${bearer}` }, requestContext: { requestId: 'cold' } });
  // the same token with S, the second half of its Ed25519 signature, off by one: verified in full, refused, no key read
  const signature = token.slice(token.lastIndexOf('.') + 1);
  const forged = `${token.slice(0, token.lastIndexOf('.') + 1)}${Buffer.from(Buffer.from(signature, 'base64url').map((byte, index) => (index === 32 ? byte ^ 1 : byte))).toString('base64url')}`;
  const env = { ...process.env, NODE_PATH: join(__dirname, '..', 'node_modules'), APPAPI_DYNAMODB_ENDPOINT: endpoint, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', AWS_REGION: 'local' };
  const once = (file: string, event: unknown, extra: Record<string, string>, answer: 'ok' | 'refused' = 'ok'): ColdRun => {
    // the first HTTP request's round trip, from node:http's diagnostics channels
    const script = `const t=performance.now(),c=process.cpuUsage();let sent=0,received=0;const dc=require('node:diagnostics_channel');dc.subscribe('http.client.request.start',()=>{sent||=performance.now()});dc.subscribe('http.client.response.finish',()=>{received||=performance.now()});
      const h=require(${JSON.stringify(file)}).handler;const loaded=performance.now(),l=process.cpuUsage(c);
      const done=(r)=>{const u=process.cpuUsage(c);process.stdout.write('\\nelapsed '+(loaded-t)+' '+(performance.now()-t)+' '+(received&&sent?received-sent:0)+' '+(u.user+u.system)/1000+' '+(l.user+l.system)/1000+' '+r)};
      h(${JSON.stringify(event)},{getRemainingTimeInMillis:()=>10000}).then(r=>done(r.statusCode??'policy'),e=>done(e.message))`;
    // the handlers log a line of their own first; the figures are the last line
    const output = execFileSync(process.execPath, ['-e', script], { env: { ...env, ...extra }, encoding: 'utf8' });
    // an authorizer's answer is a policy, with no status, or the error Unauthorized
    const [, load, total, roundTrip, cpu, loadCpu, status] = /elapsed ([\d.]+) ([\d.]+) ([\d.]+) ([\d.]+) ([\d.]+) (\S+)$/.exec(output) ?? [];
    if (!total || Number(status) >= 500 || (answer === 'refused') !== (status === 'Unauthorized')) throw new Error(`cold start run failed: ${output}`);
    return { loadMs: Number(load), totalMs: Number(total), roundTripMs: Number(roundTrip), cpuMs: Number(cpu), loadCpuMs: Number(loadCpu) };
  };
  type Measure = 'handler GET' | 'handler POST' | 'authorizer' | 'authorizer refusing';
  const figures = new Map<string, Record<Measure, ColdRun[]>>(versions.map(([name]) => [name, { 'handler GET': [], 'handler POST': [], authorizer: [], 'authorizer refusing': [] }]));
  const middyRuns: Record<'runtime' | 'bundled', ColdRun[]> = { runtime: [], bundled: [] };
  const middyEnv = { BENCH_TABLE: manifest.models.Customers!.table, NODE_OPTIONS: '' };
  for (let run = 0; run < RUNS; run++) {
    for (const [name, assets] of run % 2 === 0 ? versions : [...versions].reverse()) {
      const handlerFile = join(assets.handler, LAMBDA_ENTRIES.handler.file);
      const authorizerFile = join(assets.authorizer, LAMBDA_ENTRIES.authorizer.file);
      const mine = figures.get(name)!;
      mine['handler GET'].push(once(handlerFile, getEvent(), { APPAPI_ROUTE: 'GetCustomer', NODE_OPTIONS: assets.handlerNodeOptions }));
      mine['handler POST'].push(once(handlerFile, postEvent(run), { APPAPI_ROUTE: 'CreateCustomer', NODE_OPTIONS: assets.handlerNodeOptions }));
      mine.authorizer.push(once(authorizerFile, authorizerEvent(token), { APPAPI_SIGNING_JWK: publicJwk, NODE_OPTIONS: assets.authorizerNodeOptions }));
      mine['authorizer refusing'].push(once(authorizerFile, authorizerEvent(forged), { APPAPI_SIGNING_JWK: publicJwk, NODE_OPTIONS: assets.authorizerNodeOptions }, 'refused'));
    }
    // the two baselines alternate too
    for (const sdk of run % 2 === 0 ? (['runtime', 'bundled'] as const) : (['bundled', 'runtime'] as const)) middyRuns[sdk].push(once(sdk === 'runtime' ? middyRuntimeSdk : middyBundledSdk, getEvent(), middyEnv));
  }
  const ms = (runs: readonly ColdRun[], of: keyof ColdRun = 'totalMs') => median(runs.map((one) => one[of]));
  const size = (file: string) => `${Math.round(statSync(file).size / 1024)} KB`;
  // what Lambda downloads: the asset directory as a zip (deflate), estimated file by file
  const zipped = (directory: string) => `${Math.round(readdirSync(directory).reduce((sum, name) => sum + deflateRawSync(readFileSync(join(directory, name)), { level: 9 }).length + 100, 0) / 1024)} KB zipped`;
  const middyRuntime = ms(middyRuns.runtime);
  const middyBundled = ms(middyRuns.bundled);
  line(`\nCold start (require the bundle + answer a first event against DynamoDB Local, fresh process with the function's NODE_OPTIONS, median of ${RUNS}${BEFORE ? ', alternating with BENCH_BEFORE' : ''}; load average ${loadavg()[0]!.toFixed(1)})`);
  for (const [name, assets] of versions) {
    const mine = figures.get(name)!;
    const handlerGet = ms(mine['handler GET']);
    const sdk = readFileSync(join(assets.authorizer, LAMBDA_ENTRIES.authorizer.file), 'utf8').includes('require("@aws-sdk/lib-dynamodb")') ? 'SDK from the runtime' : 'SDK bundled';
    line(`  ${name.padEnd(6)} (${sdk}) handler GET record ${handlerGet.toFixed(1)} ms (target ≤ 80; load ${ms(mine['handler GET'], 'loadMs').toFixed(1)} ms; CPU ${ms(mine['handler GET'], 'cpuMs').toFixed(1)} ms), POST validate + insert ${ms(mine['handler POST']).toFixed(1)} ms (CPU ${ms(mine['handler POST'], 'cpuMs').toFixed(1)} ms), bundle ${size(join(assets.handler, LAMBDA_ENTRIES.handler.file))}, asset ${zipped(assets.handler)} — ${ratio(handlerGet, middyRuntime)}× middy with the runtime's SDK, ${ratio(handlerGet, middyBundled)}× middy with the SDK bundled`);
    const accepted = mine.authorizer;
    const load = ms(accepted, 'loadMs');
    // a refused token costs the same load and verification, and no DynamoDB call
    const verification = ms(mine['authorizer refusing']) - ms(mine['authorizer refusing'], 'loadMs');
    const firstCall = ms(accepted) - load - verification;
    line(`  ${name.padEnd(6)} authorizer ${ms(accepted).toFixed(1)} ms (target ≤ 60 with the SDK; CPU ${ms(accepted, 'cpuMs').toFixed(1)} ms), bundle ${size(join(assets.authorizer, LAMBDA_ENTRIES.authorizer.file))}, asset ${zipped(assets.authorizer)}`);
    line(`         of which: loading the bundle (SDK included) ${load.toFixed(1)} ms · verifying the token ${verification.toFixed(1)} ms (a refused token's first answer minus its load) · the first DynamoDB call ${firstCall.toFixed(1)} ms (the rest), of which ${ms(accepted, 'roundTripMs').toFixed(1)} ms from the request leaving to the end of DynamoDB Local's response`);
  }
  const now = versions[0]![1];
  for (const [name, file, extra, runs] of [
    ['handler GET', join(now.handler, LAMBDA_ENTRIES.handler.file), { APPAPI_ROUTE: 'GetCustomer' }, figures.get('now')!['handler GET']],
    ['authorizer', join(now.authorizer, LAMBDA_ENTRIES.authorizer.file), { APPAPI_SIGNING_JWK: publicJwk }, figures.get('now')!.authorizer],
  ] as const) {
    const parts = loadingParts(file, { ...env, ...extra, NODE_OPTIONS: '' }, RUNS);
    line(`  now    ${name}: loading ${ms(runs, 'loadCpuMs').toFixed(1)} ms of CPU, of which compiling the bundle ${parts.compileMs.toFixed(1)} ms, Node's built-in modules it requires ${parts.builtinsMs.toFixed(1)} ms (${parts.builtins.join(', ')}), the rest running the modules' top-level code (each part in processes of its own, medians of ${RUNS}); the first answer after loading ${(ms(runs, 'cpuMs') - ms(runs, 'loadCpuMs')).toFixed(1)} ms of CPU`);
  }
  line(`  middy + SDK from the runtime (NODE_PATH), same GetItem: ${middyRuntime.toFixed(1)} ms (load ${ms(middyRuns.runtime, 'loadMs').toFixed(1)} ms; CPU ${ms(middyRuns.runtime, 'cpuMs').toFixed(1)} ms), bundle ${size(middyRuntimeSdk)}`);
  line(`  middy + SDK bundled (tree-shaken ES modules), same GetItem: ${middyBundled.toFixed(1)} ms (load ${ms(middyRuns.bundled, 'loadMs').toFixed(1)} ms; CPU ${ms(middyRuns.bundled, 'cpuMs').toFixed(1)} ms), bundle ${size(middyBundledSdk)}`);
}

/**
 * What loading a bundle is made of, each part timed in fresh processes of its own (CPU ms, medians):
 * compiling its source (as require does, with the built-in modules already loaded; V8 compiles
 * each function's body later, at its first call, which counts as running) and requiring the
 * built-in modules the bundle loads. A process that compiled the source could not time the
 * require after it: V8 would reuse the compilation.
 */
function loadingParts(file: string, env: NodeJS.ProcessEnv, runs: number): { compileMs: number; builtinsMs: number; builtins: string[] } {
  const listing = `const before=new Set(process.moduleLoadList);require(${JSON.stringify(file)});process.stdout.write('\\n'+JSON.stringify(process.moduleLoadList.filter((m)=>!before.has(m)&&m.startsWith('NativeModule ')&&!m.includes('internal/')).map((m)=>m.slice(13))))`;
  const builtins = JSON.parse(execFileSync(process.execPath, ['-e', listing], { env, encoding: 'utf8' }).trim().split('\n').pop()!) as string[];
  const requireAll = `for(const m of ${JSON.stringify(builtins)})require('node:'+m);`;
  const cpu = (script: string) => Number(execFileSync(process.execPath, ['-e', script], { env, encoding: 'utf8' }));
  const compile = `${requireAll}const s=require('node:fs').readFileSync(${JSON.stringify(file)},'utf8');const c=process.cpuUsage();require('node:vm').compileFunction(s,['exports','require','module','__filename','__dirname'],{filename:${JSON.stringify(file)}});const u=process.cpuUsage(c);process.stdout.write(String((u.user+u.system)/1000))`;
  const load = `const c=process.cpuUsage();${requireAll}const u=process.cpuUsage(c);process.stdout.write(String((u.user+u.system)/1000))`;
  const compileRuns: number[] = [];
  const builtinRuns: number[] = [];
  for (let run = 0; run < runs; run++) {
    compileRuns.push(cpu(compile));
    builtinRuns.push(cpu(load));
  }
  return { compileMs: median(compileRuns), builtinsMs: median(builtinRuns), builtins };
}

async function scale(env: Record<string, string>): Promise<void> {
  line('\nScale');
  for (const count of [10, 100, 300]) {
    const started = Date.now();
    const result = spawnSync(process.execPath, ['--import', 'tsx', join(__dirname, 'synth.ts'), String(count)], { env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' }, encoding: 'utf8' });
    if (result.status !== 0) throw new Error(result.stderr);
    line(`  cdk synth (3 environments, cdk-nag on) of ${String(count).padStart(3)} App APIs: ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }
  const latency = async (generated: number) => {
    const port = await freePort();
    const server = await startServer('gateway-server.ts', { ...env, PORT: String(port), BENCH_GENERATED_ROUTES: String(generated) });
    try {
      return await load(`http://127.0.0.1:${port}/bench/ping`, 'GET', undefined, undefined, 10, 10);
    } finally {
      await stopServer(server);
    }
  };
  const few = await latency(0);
  const many = await latency(1_000);
  line(
    `  local gateway GET with ~14 routes: mean ${few.mean.toFixed(2)} ms, p50 ${few.p50} ms, ${Math.round(few.rps)} req/s; with 1,000 more routes: mean ${many.mean.toFixed(2)} ms, p50 ${many.p50} ms, ${Math.round(many.rps)} req/s — latency ${ratio(many.mean, few.mean)}× (target: within 5%)`,
  );
}

async function memoryUse(env: Record<string, string>): Promise<void> {
  const port = await freePort();
  const server = await startServer('gateway-server.ts', { ...env, PORT: String(port), BENCH_ACCESS_LOG: '1' });
  const accessLog: Array<{ status: number; bodyBytes: number }> = [];
  server.on('message', (message: { access?: { status: number; bodyBytes: number } }) => message.access && accessLog.push(message.access));
  try {
    const body = Buffer.from(`{"product":"${'x'.repeat(5 * 1024 * 1024 - 30)}","quantity":1}`);
    const send = (payload: Buffer) =>
      new Promise<void>((resolve) => {
        const call = httpRequest({ host: '127.0.0.1', port, method: 'POST', path: '/bench/quote', headers: { 'content-type': 'application/json', 'content-length': payload.length } }, (response) => response.resume().on('end', resolve));
        call.on('error', () => resolve());
        call.end(payload);
      });
    await send(Buffer.from('{"product":"warm","quantity":1}'));
    writeFileSync(`/proc/${server.pid}/clear_refs`, '5');
    const before = memory(server.pid!);
    await Promise.all(Array.from({ length: 10 }, () => send(body)));
    const after = memory(server.pid!);
    const inFlight = body.length * 10;
    line('\nMemory');
    line(`  ten concurrent 5 MiB bodies: peak RSS +${Math.round((after.peak - before.current) / 2 ** 20)} MiB for ${Math.round(inFlight / 2 ** 20)} MiB in flight = ${((after.peak - before.current) / inFlight).toFixed(2)}× (target < 3×)`);
    const fifty = await new Promise<{ status: number; written: number }>((resolve) => {
      const call = httpRequest({ host: '127.0.0.1', port, method: 'POST', path: '/bench/quote', headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' } }, (response) => {
        response.resume().on('end', () => resolve({ status: response.statusCode!, written: call.socket?.bytesWritten ?? 0 }));
      });
      call.on('error', () => resolve({ status: 0, written: call.socket?.bytesWritten ?? 0 }));
      const piece = Buffer.alloc(64 * 1024, 'a');
      let sent = 0;
      const pump = () => {
        while (sent < 50 * 2 ** 20 && !call.destroyed) {
          sent += piece.length;
          if (!call.write(piece)) return void call.once('drain', pump);
        }
        call.end();
      };
      pump();
    });
    // the access log entry comes over IPC, after the answer
    for (let waited = 0; waited < 2_000 && !accessLog.some((entry) => entry.status === 413); waited += 50) await new Promise((resolve) => setTimeout(resolve, 50));
    const read = accessLog.find((entry) => entry.status === 413)?.bodyBytes ?? NaN;
    line(`  50 MiB chunked body: answered ${fifty.status}; the gateway read ${Math.round(read / 1024)} KiB of it = limit + ${Math.round((read - 5 * 2 ** 20) / 1024)} KiB (target ≤ limit + 64 KiB); the client had pushed ${Math.round(fifty.written / 1024)} KiB into socket buffers`);
  } finally {
    await stopServer(server);
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
