// Shares a process: cdk-environments (it only builds and synthesizes CDK apps; see scripts/run-tests.ts)
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { AirDataModel, ApiApp, ApiAuth, AppApi, field, op, type AppApiStack, type AppDeclaration } from '../../lib';
import { openApiDocument } from '../../lib/openapi';
import { environmentStack } from '../support/cdk';

type Declare = (app: ApiApp, customers: AirDataModel) => void;

function shop(declare: Declare): AppDeclaration {
  return (environment: AppApiStack) => {
    const app = new ApiApp(environment, 'Shop');
    declare(app, new AirDataModel(app, 'Customers', { fields: { name: field.text(), email: field.email() } }));
  };
}

const insertAndAnswer = (customers: AirDataModel, status = 201) => [
  op.airdata.insert(customers, { record: '{% $body %}', as: 'customer' }),
  op.respond({ status, body: '{% $customer %}' }),
];

describe('declared answers (responses)', () => {
  it('happy flow: a declaration the chain agrees with synthesizes silently, and OpenAPI publishes it over the inferred schema', () => {
    const declared = { type: 'object', required: ['id', 'email'], properties: { id: { type: 'string' }, email: { type: 'string', format: 'email' } }, examples: [{ id: 'c-1', email: 'grace@example.com' }] };
    const stack = environmentStack([
      shop((app, customers) => {
        new AppApi(app, 'CreateCustomer', { method: 'POST', path: '/customers', auth: ApiAuth.public(), responses: { 201: declared }, chain: insertAndAnswer(customers) });
        new AppApi(app, 'Go', { method: 'GET', path: '/go', auth: ApiAuth.public(), responses: { 302: false }, chain: [op.redirect({ location: 'https://example.com/' })] });
      }),
    ]);
    Annotations.fromStack(stack).hasNoWarning('*', Match.stringLikeRegexp('appapi:responseContradicted'));
    const document = openApiDocument(stack.manifest) as any;
    const created = document.paths['/customers'].post.responses['201'].content['application/json'];
    assert.deepEqual(created, { schema: declared, example: { id: 'c-1', email: 'grace@example.com' } });
    assert.deepEqual(Object.keys(document.paths['/go'].get.responses['302'].headers), ['Location']);
  });

  it('warns with appapi:responseContradicted where the chain evidently answers something else, naming each place', () => {
    const stack = environmentStack([
      shop((app, customers) => {
        new AppApi(app, 'CreateCustomer', {
          method: 'POST',
          path: '/customers',
          auth: ApiAuth.public(),
          responses: { 201: { type: 'object', required: ['id', 'nickname'], properties: { id: { type: 'integer' }, email: { type: 'string' } } } },
          chain: insertAndAnswer(customers),
        });
        new AppApi(app, 'Status', { method: 'GET', path: '/status', auth: ApiAuth.public(), responses: { 200: { type: 'object', properties: { state: { enum: ['up', 'down'] } } } }, chain: [op.respond({ body: { state: 'ok' } })] });
      }),
    ]);
    const annotations = Annotations.fromStack(stack);
    annotations.hasWarning(
      '/AppApi-dev/Shop/CreateCustomer',
      Match.stringLikeRegexp('the declared 201 answer contradicts what the chain answers: /nickname: declared required, the chain never answers it; /id: declared integer, the chain answers string\\..*appapi:responseContradicted'),
    );
    annotations.hasWarning('/AppApi-dev/Shop/Status', Match.stringLikeRegexp('/state: declared one of \\["up","down"\\], the chain answers "ok".*appapi:responseContradicted'));
  });

  const errors: Array<[string, Declare, RegExp]> = [
    [
      'a status the chain answers is not declared',
      (app, customers) =>
        new AppApi(app, 'Create', {
          method: 'POST',
          path: '/customers',
          auth: ApiAuth.public(),
          responses: { 201: { type: 'object' } },
          chain: [op.when('{% $body.go %}', [op.redirect({ location: 'https://example.com/' })]), ...insertAndAnswer(customers)],
        }),
      /App API "Create" \(POST \/customers\): "responses" declares 201, but the chain also answers 302\. Declare every status the chain answers \(false for one answered without a body\)/,
    ],
    [
      'a declared status the chain never answers',
      (app, customers) => new AppApi(app, 'Create', { method: 'POST', path: '/customers', auth: ApiAuth.public(), responses: { 201: true, 404: true }, chain: insertAndAnswer(customers) }),
      /"responses" declares 404, which no op.respond or op.redirect of the chain answers \(the chain answers 201\)\. Remove it: errors the runtime answers are published as problem\+json already\./,
    ],
    [
      'a redirect declared with a body schema',
      (app) => new AppApi(app, 'Go', { method: 'GET', path: '/go', auth: ApiAuth.public(), responses: { 302: { type: 'string' } }, chain: [op.redirect({ location: 'https://example.com/' })] }),
      /the chain answers 302 without a body \(a redirect\); declare it as 302: false\./,
    ],
    [
      'false declared for an answer with a body',
      (app, customers) => new AppApi(app, 'Create', { method: 'POST', path: '/customers', auth: ApiAuth.public(), responses: { 201: false }, chain: insertAndAnswer(customers) }),
      /declares 201 as false \(no body\), but the chain answers 201 with a body\. Declare the body's JSON Schema\./,
    ],
    [
      'a status outside 200–599',
      (app, customers) => new AppApi(app, 'Create', { method: 'POST', path: '/customers', auth: ApiAuth.public(), responses: { 199: true }, chain: insertAndAnswer(customers) }),
      /App API "Create": "responses" declares status "199"; declare answers of status 200 to 599\./,
    ],
    [
      'a schema that does not compile',
      (app, customers) => new AppApi(app, 'Create', { method: 'POST', path: '/customers', auth: ApiAuth.public(), responses: { 201: { type: 'thing' } }, chain: insertAndAnswer(customers) }),
      /App API "Create": "responses" 201: the JSON Schema does not compile/,
    ],
  ];
  for (const [name, declare, message] of errors) {
    it(`error flow: ${name}`, () => {
      assert.throws(() => environmentStack([shop(declare)]), (error: unknown) => {
        assert.match((error as Error).message, message);
        return true;
      });
    });
  }
});
