// Shares a process: pure-functions (its tests call functions only: no server, DynamoDB, environment or files; see scripts/run-tests.ts)
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { EnvironmentManifest, Operation, RouteManifest } from '../../lambdas/shared/manifest';
import { SchemaComponents } from '../../lib/responses/components';
import { inferAnswers } from '../../lib/responses/infer-answers';

const manifest: EnvironmentManifest = {
  version: 1,
  env: 'dev',
  prefix: 'appapi',
  tables: { journeys: 'j', apiKeys: 'k', idempotency: 'i' },
  models: {
    Customers: {
      name: 'Customers',
      table: 'appapi-dev-customers',
      fields: { name: { type: 'text', optional: false, unique: false }, email: { type: 'email', optional: false, unique: true }, phone: { type: 'phone', optional: true, unique: false }, age: { type: 'integer', optional: true, unique: false } },
      indexes: {},
    },
  },
  apps: { shop: { name: 'shop', httpHosts: [], settings: { site: 'https://shop.example.com' } } },
  routes: [],
};

function route(chain: Operation[], extra: Partial<RouteManifest> = {}): RouteManifest {
  return { id: 'Subject', app: 'shop', method: 'POST', path: '/subject/{id}', pathParameters: ['id'], query: [{ name: 'limit', type: 'integer', required: false }], auth: { type: 'public' }, chain, ...extra };
}

/** The inferred schema of the single 200 answer of `respond({ body })` after `steps`. */
function answerOf(body: unknown, steps: Operation[] = [], extra: Partial<RouteManifest> = {}) {
  const components = new SchemaComponents(manifest.models);
  const answer = inferAnswers(route([...steps, { op: 'respond', status: 200, body: body as never }], extra), manifest, components).get(200)!;
  assert.equal(answer.kind, 'json');
  return { schema: (answer as { schema: unknown }).schema, components };
}

const getCustomer = (notFound: 404 | 'null' = 404): Operation => ({ op: 'airdata.get', model: 'Customers', id: '{% $params.id %}', notFound, as: 'customer' });

describe('answers inferred from the chain', () => {
  it('a bound record answers the model\'s record schema: id first, typed fields, required as the model says', () => {
    const { schema, components } = answerOf('{% $customer %}', [getCustomer()]);
    assert.deepEqual(schema, { $ref: '#/components/schemas/CustomersRecord' });
    assert.deepEqual(components.entries().CustomersRecord, {
      type: 'object',
      description: 'A record of AirData model Customers.',
      required: ['id', 'name', 'email'],
      properties: {
        id: { type: 'string', description: 'Generated when the record is inserted.' },
        name: { type: 'string' },
        email: { type: 'string', format: 'email' },
        phone: { type: 'string', pattern: '^\\+?[0-9][0-9 ().-]{5,30}$' },
        age: { type: 'integer' },
      },
    });
  });

  it('a record that may be missing (notFound: null) answers the record or null, and its fields may be left out', () => {
    assert.deepEqual(answerOf('{% $customer %}', [getCustomer('null')]).schema, { anyOf: [{ $ref: '#/components/schemas/CustomersRecord' }, { type: 'null' }] });
    assert.deepEqual(answerOf({ email: '{% $customer.email %}' }, [getCustomer('null')]).schema, { type: 'object', properties: { email: { type: 'string', format: 'email' } } });
  });

  it('a query answers the page schema; journeys the journey schema, with events when read with them', () => {
    const query: Operation = { op: 'airdata.query', model: 'Customers', filter: {}, limit: 10, as: 'page' };
    const { schema, components } = answerOf('{% $page %}', [query]);
    assert.deepEqual(schema, { $ref: '#/components/schemas/CustomersPage' });
    assert.deepEqual((components.entries().CustomersPage as any).properties.items, { type: 'array', items: { $ref: '#/components/schemas/CustomersRecord' } });
    assert.deepEqual(answerOf('{% $journey %}', [{ op: 'journey.start', onConflict: 'reject', expiresInDays: 30, as: 'journey' }]).schema, { $ref: '#/components/schemas/Journey' });
    assert.deepEqual(answerOf('{% $journey %}', [{ op: 'journey.get', id: 'x', events: true, notFound: 404, as: 'journey' }]).schema, { $ref: '#/components/schemas/JourneyWithEvents' });
  });

  it('an object literal is an object whose properties are inferred alike; optional fields are not required', () => {
    const { schema } = answerOf(
      {
        email: '{% $customer.email %}',
        phone: '{% $customer.phone %}',
        kind: 'customer',
        count: 3,
        link: '{% $settings.site & "/c/" & $customer.id %}',
        limit: '{% $query.limit %}',
        big: '{% $customer.age > 40 %}',
        nothing: null,
      },
      [getCustomer()],
    );
    assert.deepEqual(schema, {
      type: 'object',
      properties: {
        email: { type: 'string', format: 'email' },
        phone: { type: 'string', pattern: '^\\+?[0-9][0-9 ().-]{5,30}$' },
        kind: { type: 'string', const: 'customer' },
        count: { type: 'integer', const: 3 },
        link: { type: 'string' },
        limit: { type: 'integer' },
        big: { type: 'boolean' },
        nothing: { type: 'null' },
      },
      required: ['email', 'kind', 'count', 'link', 'big', 'nothing'],
    });
  });

  it('JSONata object constructors, conditionals, transforms and functions; what cannot be told stays unconstrained', () => {
    const steps: Operation[] = [getCustomer(), { op: 'transform', value: '{% $uppercase($customer.name) %}', as: 'shout' }];
    const { schema } = answerOf('{% { "id": $customer.id, "shout": $shout, "n": $count($customer.name), "either": $customer.age ? $customer.age : "none", "odd": $customer.name[0], "fn": $custom($customer) } %}', steps);
    assert.deepEqual(schema, {
      type: 'object',
      properties: {
        id: { type: 'string', description: 'Generated when the record is inserted.' },
        shout: { type: 'string' },
        n: { type: 'integer' },
        either: { anyOf: [{ type: 'integer' }, { type: 'string', const: 'none' }] },
        odd: {},
        fn: {},
      },
      required: ['id', 'shout', 'n'],
    });
    assert.deepEqual(answerOf('{% $body %}').schema, {});
  });

  it('several answers of one status merge: the same schema once, object literals property by property, literals of one type widen', () => {
    const components = new SchemaComponents(manifest.models);
    const chain: Operation[] = [
      getCustomer(),
      { op: 'when', condition: '{% $body.a %}', then: [{ op: 'respond', status: 200, body: { state: 'ok' } }], otherwise: [] },
      { op: 'when', condition: '{% $body.b %}', then: [{ op: 'respond', status: 200, body: { state: 'degraded' } }], otherwise: [] },
      { op: 'when', condition: '{% $body.c %}', then: [{ op: 'redirect', status: 302, location: 'https://example.com/' }], otherwise: [] },
      { op: 'when', condition: '{% $body.d %}', then: [{ op: 'respond', status: 204 }], otherwise: [] },
      { op: 'respond', status: 201, body: '{% $customer %}' },
    ];
    const answers = inferAnswers(route(chain), manifest, components);
    assert.deepEqual([...answers.keys()].sort(), [200, 201, 204, 302]);
    assert.deepEqual(answers.get(200), { kind: 'json', schema: { type: 'object', properties: { state: { type: 'string' } }, required: ['state'] } });
    assert.deepEqual(answers.get(302), { kind: 'redirect' });
    assert.deepEqual(answers.get(204), { kind: 'empty' });
  });

  it('reads the declared request body schema for $body fields', () => {
    const body = { type: 'object', required: ['slot'], properties: { slot: { type: 'string', format: 'date-time' }, note: { type: 'string' } } };
    assert.deepEqual(answerOf({ slot: '{% $body.slot %}', note: '{% $body.note %}' }, [], { body }).schema, {
      type: 'object',
      properties: { slot: { type: 'string', format: 'date-time' }, note: { type: 'string' } },
      required: ['slot'],
    });
  });
});
