// Shares a process: cdk-apps (it builds and synthesizes CDK apps and reads their output; see scripts/run-tests.ts)
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ApiApp, ApiAuth, AppApi, op, type AppDeclaration } from '../../lib';
import { openApiDocument } from '../../lib/openapi';
import { allTemplates, environmentStack } from '../support/cdk';

const hello = { auth: ApiAuth.public(), chain: [op.respond({ body: { ok: true } })] };

const team = (name: string, basePath?: string): AppDeclaration => (environment) => {
  const app = new ApiApp(environment, name, basePath === undefined ? {} : { basePath });
  new AppApi(app, 'Hello', { method: 'GET', path: '/hello/{name}', ...hello });
  new AppApi(app, 'Root', { method: 'GET', path: '/', ...hello });
};

describe('ApiApp basePath', () => {
  it('puts every route of the app under it: manifest, API Gateway resources, OpenAPI', () => {
    const stack = environmentStack([team('Shop', '/shop'), team('Booking', '/v1/booking')]);
    const paths = stack.manifest.routes.map((route) => `${route.id} ${route.method} ${route.path}`).sort();
    assert.deepEqual(paths, ['booking.Hello GET /v1/booking/hello/{name}', 'booking.Root GET /v1/booking', 'shop.Hello GET /shop/hello/{name}', 'shop.Root GET /shop']);
    const resourcePaths = allTemplates(stack).flatMap(({ template }) => Object.values(template.findResources('AWS::ApiGateway::Resource')).map((resource) => (resource as { Properties: { PathPart: string } }).Properties.PathPart));
    for (const part of ['shop', 'v1', 'booking', 'hello', '{name}']) assert.ok(resourcePaths.includes(part), `no resource ${part} in ${resourcePaths.join(', ')}`);
    const document = openApiDocument(stack.manifest) as { paths: Record<string, unknown> };
    assert.deepEqual(Object.keys(document.paths).sort(), ['/shop', '/shop/hello/{name}', '/v1/booking', '/v1/booking/hello/{name}']);
  });

  it('error flow: two apps on the same method + path fail synth naming both apps and suggesting a basePath', () => {
    assert.throws(
      () => environmentStack([team('Shop'), team('Booking')]),
      /App APIs "Hello" \(app shop\) and "Hello" \(app booking\) both declare GET \/hello\/\{name\}\. Each method \+ path may be declared once per environment: change the method or path of one of them, or give app booking \(or shop\) a basePath, e.g\. new ApiApp\(scope, '…', \{ basePath: '\/booking' \}\)\./,
    );
  });

  it('error flow: a base path must be literal segments from "/"', () => {
    assert.throws(() => environmentStack([team('Shop', 'shop')]), /ApiApp "shop": basePath "shop" must start with "\/"/);
    assert.throws(() => environmentStack([team('Shop', '/shop/')]), /ApiApp "shop": basePath "\/shop\/" ends with "\/"/);
    assert.throws(() => environmentStack([team('Shop', '/{tenant}')]), /ApiApp "shop": basePath "\/\{tenant\}" has a parameter; a base path is literal segments such as "\/shop"/);
    assert.equal(environmentStack([team('Shop', '/')]).manifest.routes.find((route) => route.id === 'Root')?.path, '/');
  });
});
