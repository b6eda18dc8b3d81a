import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { loadEnvironment } from '../lib/environments';
import type { RunningGateway } from '../lib/local/gateway/server';
import { openApiDocument } from '../lib/openapi';
import { startTestGateway } from './e2e/support';
import { apps } from './support/lab-app';

const run = promisify(execFile);

/** A maintained OpenAPI 3.0/3.1 validator (ESM, hence the dynamic import). */
async function validate(document: Record<string, unknown>): Promise<{ valid: boolean; errors?: unknown }> {
  const { Validator } = await import('@seriousme/openapi-schema-validator');
  return new Validator().validate(document);
}

describe('OpenAPI 3.1 from the declarations', () => {
  const manifest = loadEnvironment('dev', apps).manifest;
  const document = openApiDocument(manifest, 'https://api.example.com/dev') as any;

  it('is a valid OpenAPI 3.1 document for every environment', async () => {
    for (const env of ['dev', 'staging', 'prod']) {
      const result = await validate(openApiDocument(loadEnvironment(env, apps).manifest));
      assert.equal(result.valid, true, `${env}: ${JSON.stringify(result.errors)}`);
    }
    // the validator does refuse a broken document
    assert.equal((await validate({ ...document, paths: { 'no-slash': {} } })).valid, false);
  });

  it('describes security, parameters, body schemas and problem+json errors per route', () => {
    assert.equal(document.openapi, '3.1.0');
    assert.deepEqual(document.components.securitySchemes.apiToken, { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'An API token of this environment (appapi keys create).' });
    const getCustomer = document.paths['/customers/{customerId}'].get;
    assert.deepEqual(getCustomer.security, [{ apiToken: [] }]);
    assert.deepEqual(getCustomer['x-appapi-key-groups'], ['partners']);
    assert.deepEqual(getCustomer.parameters, [{ name: 'customerId', in: 'path', required: true, schema: { type: 'string' } }]);
    assert.deepEqual(Object.keys(getCustomer.responses), ['200', '400', '401', '403', '404', '405', '411', '413', '415', '429', '431', '500', '502', '503', '504']);
    assert.deepEqual(document.paths['/health'].get.security, []);
    const createCustomer = document.paths['/customers'].post;
    assert.deepEqual(createCustomer.requestBody.content['application/json'].schema, manifest.routes.find((route) => route.id === 'CreateCustomer')!.body);
    assert.ok(createCustomer.parameters.some((parameter: { name: string }) => parameter.name === 'Idempotency-Key'));
    assert.equal(createCustomer.responses['409'].$ref, '#/components/responses/Problem409');
    assert.deepEqual(document.paths['/customers'].get.parameters.find((p: { name: string }) => p.name === 'limit'), { name: 'limit', in: 'query', required: false, schema: { type: 'integer' } });
    assert.ok(document.paths['/go/{journeyId}'].get.responses['302'].headers.Location);
    assert.equal(document.paths['/lab/throttled'].get.responses['429'].$ref, '#/components/responses/Problem429');
    assert.equal(Object.keys(document.paths).length, new Set(manifest.routes.map((route) => route.path)).size);
  });

  describe('served and printed', () => {
    let gateway: RunningGateway;
    before(async () => {
      gateway = await startTestGateway();
    });
    after(() => gateway?.stop());

    it('the local gateway serves it at /openapi.json with its own URL as the server', async () => {
      const served = (await (await fetch(`${gateway.url}/openapi.json`)).json()) as any;
      assert.deepEqual(served.servers, [{ url: gateway.url }]);
      assert.deepEqual(served.paths, document.paths);
    });

    it('appapi openapi --env prod prints the document', { timeout: 30_000 }, async () => {
      const { stdout } = await run(process.execPath, [join(__dirname, '..', 'bin', 'appapi.js'), 'openapi', '--env', 'prod']);
      const printed = JSON.parse(stdout);
      assert.equal(printed.info.title, 'App APIs — prod');
      assert.equal((await validate(printed)).valid, true);
    });
  });
});
