// Shares a process: cdk-apps (it builds and synthesizes CDK apps and reads their output; see scripts/run-tests.ts)
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import type { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Asset } from 'aws-cdk-lib/aws-s3-assets';
import type { AppApiStack } from '../../lib/constructs/app-api-stack';
import { LAMBDA_ENTRIES, lambdaAssetDirectory } from '../../lib/constructs/lambda-asset';
import { loadEnvironment } from '../../lib/environments';
import { environmentSchemas } from '../../lib/constructs/precompiled-validators';
import { recordSchema } from '../../lambdas/shared/field-schemas';
import { schemaKey } from '../../lambdas/shared/schema-validators';
import { allTemplates } from '../support/cdk';

describe('Lambda assets', () => {
  const stack = loadEnvironment('dev');

  it('every function ships its source map next to its bundle', () => {
    const functions = allTemplates(stack).flatMap(({ template }: { template: Template }) => Object.values(template.findResources('AWS::Lambda::Function')));
    const withFlag = functions.filter((fn) => String(fn.Properties?.Environment?.Variables?.NODE_OPTIONS ?? '').includes('--enable-source-maps'));
    assert.ok(withFlag.length >= 1, 'the fallback function runs with --enable-source-maps');
    const handlers = functions.filter((fn) => fn.Properties?.Environment?.Variables?.APPAPI_ROUTE !== undefined);
    assert.ok(handlers.length > 0 && handlers.every((fn) => fn.Properties?.Environment?.Variables?.NODE_OPTIONS === undefined), 'handlers map the stacks they log themselves');
    const authorizers = functions.filter((fn) => fn.Properties?.Environment?.Variables?.APPAPI_SIGNING_JWK !== undefined);
    assert.ok(authorizers.length === 1 && authorizers[0]!.Properties.Environment.Variables.NODE_OPTIONS === undefined, 'the authorizer maps the stacks it logs itself');
    for (const entry of Object.keys(LAMBDA_ENTRIES) as Array<keyof typeof LAMBDA_ENTRIES>) {
      const directory = lambdaAssetDirectory(entry, entry === 'signingKey' ? undefined : stack.manifest);
      const { file } = LAMBDA_ENTRIES[entry];
      assert.ok(readdirSync(directory).includes(`${file}.map`), `${entry} has ${file}.map`);
      assert.match(readFileSync(join(directory, file), 'utf8'), new RegExp(`//# sourceMappingURL=${file.replace('.', '\\.')}\\.map\\s*$`));
    }
  });

  it('the bundled handler, without --enable-source-maps, logs a failed cold start with the TypeScript file and line', () => {
    const directory = lambdaAssetDirectory('handler', stack.manifest);
    // an unknown route fails at cold start, inside lambdas/shared and lambdas/runtime
    const script = `try { require(${JSON.stringify(join(directory, LAMBDA_ENTRIES.handler.file))}) } catch (error) { process.stdout.write('thrown ' + error.message) }`;
    const run = spawnSync(process.execPath, ['-e', script], {
      env: { ...process.env, NODE_OPTIONS: '', APPAPI_ROUTE: 'NoSuchRoute', NODE_PATH: join(__dirname, '..', '..', 'node_modules'), AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
      encoding: 'utf8',
    });
    assert.match(run.stdout, /thrown route "NoSuchRoute" is not in the manifest/);
    const logged = JSON.parse(run.stdout.split('\n').find((line) => line.includes('cold start failed'))!) as { error: { stack: string } };
    assert.match(logged.error.stack, /lambdas\/shared\/manifest-loader\.ts:\d+:\d+/);
    assert.match(logged.error.stack, /lambdas\/runtime\/handler\.ts:\d+:\d+/);
    assert.doesNotMatch(logged.error.stack, /handler\.js:/);
  });

  it('the bundled authorizer, without --enable-source-maps and without node_modules, logs a failed cold start with the TypeScript file and line', () => {
    const directory = lambdaAssetDirectory('authorizer', stack.manifest);
    // no signing key: the cold start fails in lambdas/authorizer/index.ts
    const script = `try { require(${JSON.stringify(join(directory, LAMBDA_ENTRIES.authorizer.file))}) } catch (error) { process.stdout.write('thrown ' + error.message) }`;
    const run = spawnSync(process.execPath, ['-e', script], { cwd: directory, env: { PATH: process.env.PATH, NODE_OPTIONS: '', NODE_PATH: '' }, encoding: 'utf8' });
    assert.match(run.stdout, /thrown APPAPI_SIGNING_JWK is not set/);
    const logged = JSON.parse(run.stdout.split('\n').find((line) => line.includes('cold start failed'))!) as { function: string; error: { stack: string } };
    assert.equal(logged.function, 'authorizer');
    assert.match(logged.error.stack, /lambdas\/authorizer\/index\.ts:\d+:\d+/);
    assert.doesNotMatch(logged.error.stack, /authorizer\.js:/);
  });

  it('the bundles carry the AWS SDK they use: they load and answer without node_modules', () => {
    const directory = lambdaAssetDirectory('handler', stack.manifest);
    const handlerCode = readFileSync(join(directory, LAMBDA_ENTRIES.handler.file), 'utf8');
    assert.doesNotMatch(handlerCode, /require\("@(aws-sdk|smithy)\/(?!signature-v4-crt)/, 'no SDK package is left to the runtime (the optional CRT signer is only tried, for SigV4a)');
    // a DynamoDB call with nothing listening: the bundled client sends it and the route answers 503
    const script = `require(${JSON.stringify(join(directory, LAMBDA_ENTRIES.handler.file))}).handler({ httpMethod: 'GET', path: '/customers/c1', pathParameters: { customerId: 'c1' }, requestContext: { requestId: 'cold', authorizer: { principalId: 'k', groups: 'partners' } } }, { getRemainingTimeInMillis: () => 5000 }).then((r) => process.stdout.write('\\nstatus ' + r.statusCode))`;
    const run = spawnSync(process.execPath, ['-e', script], { cwd: directory, env: { PATH: process.env.PATH, NODE_OPTIONS: '', NODE_PATH: '', APPAPI_ROUTE: 'GetCustomer', APPAPI_DYNAMODB_ENDPOINT: 'http://127.0.0.1:9', AWS_REGION: 'local' }, encoding: 'utf8', timeout: 20_000 });
    assert.match(run.stdout, /status 503$/, run.stdout + run.stderr);
  });

  it('the handler asset loads JSONata and ajv\'s compiler from files of their own, and validators.js, only when a request needs them', () => {
    const directory = lambdaAssetDirectory('handler', stack.manifest);
    const handlerCode = readFileSync(join(directory, LAMBDA_ENTRIES.handler.file), 'utf8');
    assert.ok(readdirSync(directory).includes('jsonata-compiler.js.map') && readdirSync(directory).includes('json-schema.js.map'));
    // the modules' own code is not in the bundle: only the require of the file next to it
    assert.doesNotMatch(handlerCode, /registerFunction|Ajv2020|ajv-formats/);
    assert.match(handlerCode, /require\("\.\/jsonata-compiler"\)/);
    // answers without node_modules; nothing listens at the endpoint, so a route reaching DynamoDB answers 503
    const loadedFiles = (route: string, event: object) => {
      const script = `const {handler}=require(${JSON.stringify(join(directory, LAMBDA_ENTRIES.handler.file))});handler(${JSON.stringify(event)},{getRemainingTimeInMillis:()=>5000}).then((r)=>process.stdout.write('\\nstatus '+r.statusCode+' '+JSON.stringify(Object.keys(require.cache).map((f)=>require('node:path').basename(f)).sort())))`;
      const run = spawnSync(process.execPath, ['-e', script], { cwd: directory, env: { PATH: process.env.PATH, NODE_OPTIONS: '', NODE_PATH: '', APPAPI_ROUTE: route, APPAPI_DYNAMODB_ENDPOINT: 'http://127.0.0.1:9', AWS_REGION: 'local' }, encoding: 'utf8', timeout: 20_000 });
      const [, status, files] = /status (\d+) (.*)$/.exec(run.stdout) ?? [];
      assert.ok(files, run.stdout + run.stderr);
      return { status: Number(status), files: JSON.parse(files) as string[] };
    };
    const authorizer = { principalId: 'k', groups: 'partners' };
    // a GET by id evaluates plain paths only and validates nothing: not even validators.js is read
    const get = loadedFiles('GetCustomer', { httpMethod: 'GET', path: '/customers/c1', pathParameters: { customerId: 'c1' }, requestContext: { requestId: 'cold', authorizer } });
    assert.equal(get.status, 503);
    assert.deepEqual(get.files, ['handler.js']);
    // ListCustomers' limit is `$exists($query.limit) ? $query.limit : 100`: JSONata, from its own file
    const list = loadedFiles('ListCustomers', { httpMethod: 'GET', path: '/customers', requestContext: { requestId: 'cold', authorizer } });
    assert.equal(list.status, 503);
    assert.deepEqual(list.files, ['handler.js', 'jsonata-compiler.js']);
    // a POST validates its body with the precompiled validator: validators.js, and still no ajv
    const post = loadedFiles('CreateCustomer', { httpMethod: 'POST', path: '/customers', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'Ada', email: 'not an email' }), requestContext: { requestId: 'cold', authorizer } });
    assert.equal(post.status, 400);
    assert.deepEqual(post.files, ['handler.js', 'validators.js']);
    // ajv's compiler, for a schema missing from validators.js, loads from its own file too
    const compile = spawnSync(process.execPath, ['-e', `const ajv=require('./json-schema').createSchemaCompiler();process.stdout.write(String(ajv.compile({type:'string',format:'email'})('a@example.com')))`], { cwd: directory, env: { PATH: process.env.PATH, NODE_PATH: '' }, encoding: 'utf8' });
    assert.equal(compile.stdout, 'true', compile.stderr);
  });

  it('a cold start and first request load no Node module they do not use (web streams, zlib, dgram, dns), and the SDK module left out is one DynamoDB never imports', () => {
    for (const entry of ['handler', 'authorizer'] as const) {
      const code = readFileSync(join(lambdaAssetDirectory(entry, stack.manifest), LAMBDA_ENTRIES[entry].file), 'utf8');
      assert.deepEqual([...code.matchAll(/import\("(@[^"]+)"\)/g)].map((match) => match[1]), ['@smithy/core/event-streams'], entry);
    }
    const directory = lambdaAssetDirectory('handler', stack.manifest);
    const script = `require(${JSON.stringify(join(directory, LAMBDA_ENTRIES.handler.file))}).handler({ httpMethod: 'GET', path: '/customers/c1', pathParameters: { customerId: 'c1' }, requestContext: { requestId: 'cold', authorizer: { principalId: 'k', groups: 'partners' } } }, { getRemainingTimeInMillis: () => 5000 }).then((r) => process.stdout.write('\\nstatus ' + r.statusCode + ' ' + process.moduleLoadList.join(',')))`;
    const run = spawnSync(process.execPath, ['-e', script], { cwd: directory, env: { PATH: process.env.PATH, NODE_OPTIONS: '', NODE_PATH: '', APPAPI_ROUTE: 'GetCustomer', APPAPI_DYNAMODB_ENDPOINT: 'http://127.0.0.1:9', AWS_REGION: 'local' }, encoding: 'utf8', timeout: 20_000 });
    const [, status, modules] = /status (\d+) (.*)$/.exec(run.stdout) ?? [];
    assert.equal(status, '503', run.stdout + run.stderr);
    const loaded = new Set(modules!.split(','));
    assert.ok(loaded.has('NativeModule https') && loaded.has('NativeModule crypto'), 'what the request uses is loaded');
    // dns: the http step's lookups only (the endpoint here is an IP address, so the SDK's connection needs none)
    for (const unused of ['NativeModule stream/web', 'NativeModule zlib', 'NativeModule dgram', 'NativeModule dns']) assert.ok(!loaded.has(unused), `${unused} is not loaded`);
  });

  it('the stand-ins for node:stream/web and node:zlib give the real modules\' values, at first use', () => {
    const webStreams = require('node:stream/web') as Record<string, unknown>;
    const deferredWebStreams = require('../../lambdas/shared/deferred-stream-web') as Record<string, unknown>;
    assert.deepEqual(Object.keys(deferredWebStreams).sort(), Object.keys(webStreams).sort());
    for (const name of Object.keys(webStreams)) assert.equal(deferredWebStreams[name], webStreams[name], name);
    const deferredZlib = require('../../lambdas/shared/deferred-zlib') as Record<string, unknown> & { crc32?: (data: string, value?: number) => number };
    const zlib = require('node:zlib') as Record<string, unknown> & typeof import('node:zlib');
    assert.deepEqual(Object.keys(deferredZlib).sort(), Object.keys(zlib).sort());
    for (const name of Object.keys(zlib).filter((key) => key !== 'crc32')) assert.equal(deferredZlib[name], zlib[name], name);
    assert.equal(typeof deferredZlib.crc32, typeof zlib.crc32);
    if (zlib.crc32) assert.equal(deferredZlib.crc32!('hello', 7), zlib.crc32('hello', 7));
  });

  it('the minified handler names DynamoDB commands in its debug trace as the source does', () => {
    const directory = lambdaAssetDirectory('handler', stack.manifest);
    // nothing listens at the endpoint: the GetItem fails, and the trace records it by name
    const script = `require(${JSON.stringify(join(directory, LAMBDA_ENTRIES.handler.file))}).handler({ httpMethod: 'GET', path: '/customers/c1', pathParameters: { customerId: 'c1' }, requestContext: { requestId: 'cold', authorizer: { principalId: 'k', groups: 'partners' } } }, { getRemainingTimeInMillis: () => 5000 })`;
    const run = spawnSync(process.execPath, ['-e', script], { cwd: directory, env: { PATH: process.env.PATH, NODE_OPTIONS: '', NODE_PATH: '', APPAPI_LOG_LEVEL: 'debug', APPAPI_ROUTE: 'GetCustomer', APPAPI_DYNAMODB_ENDPOINT: 'http://127.0.0.1:9', AWS_REGION: 'local' }, encoding: 'utf8', timeout: 20_000 });
    const trace = run.stdout.split('\n').find((line) => line.includes('"message":"trace"'));
    assert.ok(trace, run.stdout + run.stderr);
    assert.deepEqual((JSON.parse(trace) as { dynamo: Array<{ command: string }> }).dynamo.map((call) => call.command), ['Get']);
  });

  it('the bundled SDK signs with the credentials Lambda puts in the environment, and looks nowhere else', async () => {
    const directory = lambdaAssetDirectory('handler', stack.manifest);
    // Not DynamoDB behaviour: what is checked is the request's signature, so a bare HTTP server
    // stands in for the endpoint (AWS_ENDPOINT_URL_DYNAMODB) and answers "no such item".
    const authorizations: string[] = [];
    const server = createServer((request, response) => {
      authorizations.push(String(request.headers.authorization));
      request.resume().on('end', () => response.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' }).end('{}'));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const script = `require(${JSON.stringify(join(directory, LAMBDA_ENTRIES.handler.file))}).handler({ httpMethod: 'GET', path: '/customers/c1', pathParameters: { customerId: 'c1' }, requestContext: { requestId: 'cold', authorizer: { principalId: 'k', groups: 'partners' } } }, { getRemainingTimeInMillis: () => 5000 }).then((r) => process.stdout.write('\\nstatus ' + r.statusCode))`;
      const lambdaLike = { PATH: process.env.PATH, APPAPI_ROUTE: 'GetCustomer', AWS_REGION: 'eu-west-1', AWS_ENDPOINT_URL_DYNAMODB: endpoint };
      const run = (env: Record<string, string | undefined>) => promisify(execFile)(process.execPath, ['-e', script], { cwd: directory, env, timeout: 20_000 }).then(({ stdout }) => stdout);
      assert.match(await run({ ...lambdaLike, AWS_ACCESS_KEY_ID: 'AKIDFROMLAMBDA', AWS_SECRET_ACCESS_KEY: 'secret', AWS_SESSION_TOKEN: 'session' }), /status 404$/);
      assert.equal(authorizations.length, 1);
      assert.match(authorizations[0]!, /Credential=AKIDFROMLAMBDA\/\d{8}\/eu-west-1\/dynamodb\/aws4_request/);
      // without them the call fails before it is sent (no shared files, SSO or metadata service are tried)
      const without = await run({ ...lambdaLike, HOME: directory });
      assert.match(without, /Unable to find environment variable credentials/);
      assert.match(without, /status 500$/);
      assert.equal(authorizations.length, 1);
    } finally {
      server.close();
    }
  });

  it('the handler asset holds every schema of the environment compiled ahead of time', () => {
    const directory = lambdaAssetDirectory('handler', stack.manifest);
    const validators = require(join(directory, 'validators.js')) as Record<string, (data: unknown) => boolean>;
    const schemas = environmentSchemas(stack.manifest);
    assert.ok(schemas.size > 0);
    assert.deepEqual(Object.keys(validators).sort(), [...schemas.keys()].sort());
    // the bundle alone: no ajv to resolve at run time
    assert.doesNotMatch(readFileSync(join(directory, 'validators.js'), 'utf8'), /(?<!["'])require\("ajv/);
    const customers = recordSchema(stack.manifest.models.Customers!);
    const validate = validators[schemaKey(customers)]!;
    assert.equal(validate({ id: 'c1', name: 'Ada', email: 'ada@example.com' }), true);
    assert.equal(validate({ id: 'c1', name: 'Ada', email: 'not an email' }), false);
    assert.equal(validate({ id: 'c1', name: 'Ada', email: 'ada@example.com', extra: 1 }), false);
  });

  it('a stack left out of bundling (aws:cdk:bundling-stacks, as local mode and the CLI load it) builds no bundle: each of our functions gets a placeholder', () => {
    const entryFiles = new Set<string>(Object.values(LAMBDA_ENTRIES).map((entry) => entry.file));
    /** The entry files of our assets (handler, authorizer, fallback, signing key) in a stack, by their staged content. */
    const ourEntryCode = (candidate: AppApiStack): string[] =>
      candidate.node
        .findAll()
        .filter((construct): construct is Asset => construct instanceof Asset)
        .flatMap((asset) => {
          const directory = join((candidate.node.root as App).outdir, asset.assetPath);
          return readdirSync(directory).filter((name) => entryFiles.has(name)).map((name) => readFileSync(join(directory, name), 'utf8'));
        });
    const unbundled = ourEntryCode(loadEnvironment('dev', undefined, { bundling: false }));
    assert.ok(unbundled.length >= 4, `found ${unbundled.length} of our assets`);
    for (const code of unbundled) assert.match(code, /^throw new Error\('not bundled/);
    const bundled = ourEntryCode(stack);
    assert.equal(bundled.length, unbundled.length);
    for (const code of bundled) assert.doesNotMatch(code, /not bundled/);
  });
});
