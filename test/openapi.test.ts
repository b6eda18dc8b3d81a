// Shares a process: gateway-clients (its gateways listen on port 0 with the file's own tables and are closed by its hooks; see scripts/run-tests.ts)
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { loadEnvironment } from '../lib/environments';
import type { RunningGateway } from '../lib/local/gateway/server';
import { openApiDocument } from '../lib/openapi';
import { startTestGateway } from './e2e/support';
import { appapiHere } from './support/cli';
import { tablesOf } from './support/dynamo';
import { apps } from './support/lab-app';

const tables = tablesOf(__filename);

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
    assert.deepEqual(Object.keys(getCustomer.responses).sort(), ['200', '400', '401', '403', '404', '405', '411', '413', '415', '429', '431', '500', '502', '503', '504']);
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

  it('types every answer: records, pages and journeys as named components, object literals property by property', () => {
    const json = (path: string, method: string, status: string) => document.paths[path][method].responses[status].content['application/json'];
    assert.deepEqual(json('/customers', 'post', '201').schema, { $ref: '#/components/schemas/CustomersRecord' });
    assert.deepEqual(json('/customers/{customerId}', 'get', '200').schema, { $ref: '#/components/schemas/CustomersRecord' });
    assert.deepEqual(json('/customers', 'get', '200').schema, { $ref: '#/components/schemas/CustomersPage' });
    assert.deepEqual(json('/bookings/{journeyId}', 'get', '200').schema, { $ref: '#/components/schemas/JourneyWithEvents' });
    assert.deepEqual(json('/bookings/{journeyId}/events', 'post', '200').schema, { $ref: '#/components/schemas/Journey' });
    assert.deepEqual(json('/bookings', 'post', '201').schema, {
      type: 'object',
      properties: { journeyId: { type: 'string' }, status: { type: 'string', enum: ['active', 'completed', 'aborted', 'expired'] }, link: { type: 'string' } },
      required: ['journeyId', 'status', 'link'],
    });
    assert.deepEqual(json('/health', 'get', '200').schema, { type: 'object', properties: { status: { type: 'string', const: 'ok' } }, required: ['status'] });
    const record = document.components.schemas.CustomersRecord;
    assert.deepEqual(Object.keys(record.properties), ['id', 'name', 'email', 'phone']);
    assert.deepEqual(record.required, ['id', 'name', 'email']);
    assert.deepEqual(record.properties.email, { type: 'string', format: 'email' });
    assert.deepEqual(document.components.schemas.CustomersPage.properties.cursor, { type: ['string', 'null'], description: 'Pass it back as `cursor` to read the next page; null on the last page.' });
    assert.deepEqual(document.paths['/customers/{customerId}'].delete.responses['204'], { description: 'No Content' });
    // no 2xx is left untyped
    for (const operations of Object.values<any>(document.paths)) {
      for (const operation of Object.values<any>(operations)) {
        for (const [status, response] of Object.entries<any>(operation.responses)) {
          if (status.startsWith('2') && response.content) assert.notDeepEqual(response.content['application/json'].schema, {}, `${operation.operationId} ${status}`);
        }
      }
    }
  });

  it('publishes an example with each typed answer, valid against its schema', async () => {
    const Ajv2020 = (await import('ajv/dist/2020')).default;
    const ajv = new Ajv2020({ strict: false, validateSchema: false });
    (await import('ajv-formats')).default(ajv);
    ajv.addSchema(document, 'doc');
    let examples = 0;
    for (const [path, operations] of Object.entries<any>(document.paths)) {
      for (const [method, operation] of Object.entries<any>(operations)) {
        for (const [status, response] of Object.entries<any>(operation.responses)) {
          const media = response.content?.['application/json'];
          if (!media) continue;
          assert.ok('example' in media, `${method} ${path} ${status} has no example`);
          const validate = ajv.getSchema(`doc#/paths/${encodeURIComponent(path.replace(/~/g, '~0').replace(/\//g, '~1'))}/${method}/responses/${status}/content/application~1json/schema`)!;
          assert.ok(validate(media.example), `${method} ${path} ${status}: ${JSON.stringify(validate.errors)}`);
          examples += 1;
        }
      }
    }
    assert.ok(examples >= 10, `${examples} examples`);
    assert.deepEqual(document.paths['/customers'].post.responses['201'].content['application/json'].example, {
      id: '5f1c3d2e-8b4a-4c6f-9e1d-2a7b3c4d5e6f', name: 'Ada Lovelace', email: 'ada@example.com', phone: '+14155550123',
    });
  });

  it('the Problem schema requires every field every problem carries; stable, human operationIds and summaries', () => {
    assert.deepEqual(document.components.schemas.Problem.required, ['type', 'title', 'status', 'detail', 'code', 'requestId']);
    const problem409 = document.components.responses.Problem409.content['application/problem+json'];
    assert.deepEqual(problem409.schema, { $ref: '#/components/schemas/Problem' });
    assert.equal(problem409.example.status, 409);
    const operations = Object.values<any>(document.paths).flatMap((operations) => Object.values<any>(operations));
    assert.deepEqual(operations.map((operation) => operation.operationId).sort(), manifest.routes.map((route) => route.id).sort());
    assert.equal(document.paths['/customers'].post.summary, 'Create customer');
    assert.equal(document.paths['/go/{journeyId}'].get.summary, 'Follow booking link');
    assert.match(document.paths['/customers'].post.description, /App API `CreateCustomer` of app "booking"\. Callable with an API token whose key is in group partners\./);
    // no component is listed that no operation uses
    const text = JSON.stringify(document.paths) + JSON.stringify(document.components.schemas);
    for (const name of Object.keys(document.components.responses)) assert.ok(text.includes(`#/components/responses/${name}`), name);
  });

  describe('served and printed', () => {
    let gateway: RunningGateway;
    before(async () => {
      gateway = await startTestGateway(tables);
    });
    after(() => gateway?.stop());

    it('the local gateway serves it at /openapi.json with its own URL as the server', async () => {
      const served = (await (await fetch(`${gateway.url}/openapi.json`)).json()) as any;
      assert.deepEqual(served.servers, [{ url: gateway.url }]);
      assert.deepEqual(served.paths, document.paths);
    });

    it('appapi openapi --env prod prints the document', { timeout: 30_000 }, async () => {
      const { code, stdout } = await appapiHere(['openapi', '--env', 'prod'], { tables });
      assert.equal(code, 0);
      const printed = JSON.parse(stdout);
      assert.equal(printed.info.title, 'App APIs — prod');
      assert.equal((await validate(printed)).valid, true);
    });
  });
});
