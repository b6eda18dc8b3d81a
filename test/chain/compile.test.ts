// Shares a process: pure-functions (its tests call functions only: no server, DynamoDB, environment or files; see scripts/run-tests.ts)
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AirDataQueryOperation, ModelManifest, Operation } from '../../lambdas/shared/manifest';
import { ChainError, compileChain, type ChainContext } from '../../lib/chain/compile';
import { op } from '../../lib/chain/ops';

const customers: ModelManifest = {
  name: 'Customers',
  table: 'appapi-dev-customers',
  fields: {
    name: { type: 'text', optional: false, unique: false },
    email: { type: 'email', optional: false, unique: true },
    age: { type: 'integer', optional: true, unique: false },
  },
  indexes: { byEmail: { partitionKey: 'email' } },
};

const context: ChainContext = {
  label: 'App API "Test" (POST /things/{thingId})',
  models: { Customers: customers },
  app: { name: 'booking', httpHosts: ['api.example.com', '*.partner.example'], settings: { site: 'https://x.example' } },
  pathParameters: ['thingId'],
  queryParameters: ['email'],
};

const respond = op.respond({ body: { ok: true } });

function rejects(chain: Operation[], message: RegExp): void {
  assert.throws(() => compileChain(chain, context), (error: unknown) => {
    assert.ok(error instanceof ChainError, `expected ChainError, got ${String(error)}`);
    assert.match(error.message, message);
    return true;
  });
}

describe('compileChain', () => {
  it('happy flow: a chain using every operation compiles to the same plain JSON', () => {
    const chain: Operation[] = [
      op.validate('body', { type: 'object', required: ['name'] }),
      op.airdata.get('Customers', { id: '{% $params.thingId %}', as: 'customer', notFound: 'null' }),
      op.airdata.query('Customers', { filter: { email: '{% $query.email %}' }, as: 'page' }),
      op.airdata.insert('Customers', { record: { name: '{% $body.name %}', email: '{% $body.email %}' }, as: 'created' }),
      op.airdata.put('Customers', { id: '{% $created.id %}', record: '{% $body %}', as: 'replaced' }),
      op.airdata.patch('Customers', { id: '{% $created.id %}', fields: { age: 30 }, as: 'patched' }),
      op.journey.start({ identifier: '{% $created.id %}', data: '{% $body %}', as: 'journey' }),
      op.journey.get({ id: '{% $journey.id %}', events: true, as: 'loaded' }),
      op.journey.update({ id: '{% $journey.id %}', event: { type: 'seen' }, as: 'updated' }),
      op.transform('{% $loaded.status & $settings.site %}', { as: 'summary' }),
      op.http({ method: 'POST', url: 'https://api.example.com/hook', body: '{% $summary %}', as: 'hook' }),
      op.when('{% $hook.status >= 500 %}', [op.journey.end({ id: '{% $journey.id %}', status: 'aborted' }), op.respond({ status: 502 })]),
      op.airdata.delete('Customers', { id: '{% $created.id %}' }),
      op.respond({ status: 201, headers: { 'X-Journey': '{% $journey.id %}' }, body: '{% $summary %}' }),
    ];
    const compiled = compileChain(chain, context);
    assert.deepEqual(JSON.parse(JSON.stringify(compiled.chain)), compiled.chain);
    assert.equal((compiled.chain[2] as AirDataQueryOperation).index, 'byEmail');
    assert.deepEqual(compiled.warnings, []);
  });

  it('error flow: unknown model names the model, the known ones and the fix', () => {
    rejects([op.airdata.get('Orders', { id: '1', as: 'order' }), respond], /step 1 \(airdata\.get\): unknown AirData model "Orders" \(declared in this environment: Customers\)\. Declare it/);
  });

  it('error flow: a name read before any step binds it', () => {
    rejects(
      [op.transform('{% $customer.name %}', { as: 'name' }), op.airdata.get('Customers', { id: '1', as: 'customer' }), respond],
      /step 1 \(transform\): the expression in "value" reads \$customer, which no earlier step binds\. Bind it with "as: 'customer'"/,
    );
  });

  it('error flow: names bound inside op.when stay inside', () => {
    rejects(
      [op.when('{% true %}', [op.transform(1, { as: 'inner' })]), op.respond({ body: '{% $inner %}' })],
      /step 2 \(respond\): the expression in "body" reads \$inner/,
    );
  });

  it('error flow: an expression that does not parse', () => {
    rejects([op.respond({ body: { total: '{% $sum($body.items %}' } })], /step 1 \(respond\): the expression in "body\.total" does not parse: .*fix the JSONata syntax/);
  });

  it('error flow: binding a name twice or a reserved name', () => {
    rejects([op.transform(1, { as: 'x' }), op.transform(2, { as: 'x' }), respond], /step 2 \(transform\): "x" is already bound by step 1/);
    rejects([op.transform(1, { as: 'body' }), respond], /"body" is reserved for the request/);
  });

  it('error flow: reading an undeclared path or query parameter', () => {
    rejects([op.respond({ body: '{% $params.customerId %}' })], /reads path parameter "customerId", which is not declared \(declared: thingId\)/);
    rejects([op.respond({ body: '{% $query.page %}' })], /reads query parameter "page", which is not declared \(declared: email\)/);
  });

  it('error flow: a chain that can finish without answering, and unreachable steps', () => {
    rejects([op.transform(1, { as: 'x' })], /the chain can finish without answering\. End it with op\.respond/);
    rejects([op.when('{% true %}', [respond])], /can finish without answering/);
    rejects([respond, op.transform(1, { as: 'x' })], /step 2 \(transform\): unreachable/);
  });

  it('accepts a chain ending in op.when whose branches both answer', () => {
    assert.doesNotThrow(() => compileChain([op.when('{% $body.ok %}', [respond], [op.respond({ status: 400 })])], context));
  });

  it('error flow: filters on undeclared fields or with unknown operators, and out-of-range limits', () => {
    rejects([op.airdata.query('Customers', { filter: { phone: 'x' }, as: 'p' }), respond], /filter reads field "phone", which model "Customers" does not declare/);
    rejects([op.airdata.query('Customers', { filter: { age: { below: 3 } as never }, as: 'p' }), respond], /unknown operator "below"\. Use one of: equals/);
    rejects([op.airdata.query('Customers', { limit: 5000, as: 'p' }), respond], /limit must be a whole number from 1 to 1000, received 5000/);
  });

  it('warns with appapi:scan when no index serves the filter', () => {
    const { warnings, chain } = compileChain([op.airdata.query('Customers', { filter: { age: { lessThan: 30 } }, as: 'p' }), respond], context);
    assert.equal(warnings.length, 1);
    assert.equal(warnings[0]!.id, 'appapi:scan');
    assert.match(warnings[0]!.message, /no index of model "Customers" has a partition key among the filtered fields \(age\)/);
    assert.equal((chain[0] as AirDataQueryOperation).index, undefined);
  });

  it('warns with appapi:redirect301 for a 301 and accepts a 302 silently', () => {
    const permanent = compileChain([op.redirect({ location: 'https://x.example', status: 301 })], context);
    assert.deepEqual(permanent.warnings.map((w) => w.id), ['appapi:redirect301']);
    assert.match(permanent.warnings[0]!.message, /Use 302/);
    assert.deepEqual(compileChain([op.redirect({ location: 'https://x.example' })], context).warnings, []);
  });

  it('error flow: records setting undeclared fields', () => {
    rejects([op.airdata.insert('Customers', { record: { nickname: 'x' }, as: 'c' }), respond], /"record" sets field "nickname", which model "Customers" does not declare/);
  });

  it('error flow: http calls to hosts the app does not declare', () => {
    rejects([op.http({ url: 'http://169.254.169.254/latest/meta-data', as: 'r' }), respond], /host "169\.254\.169\.254" is not among app "booking"'s httpHosts/);
    rejects([op.http({ url: 'https://partner.example/x', as: 'r' }), respond], /host "partner\.example" is not among/);
    assert.doesNotThrow(() => compileChain([op.http({ url: 'https://eu.partner.example/x', as: 'r' }), respond], context));
    assert.throws(() => compileChain([op.http({ url: '{% $body.url %}', as: 'r' }), respond], { ...context, app: { ...context.app, httpHosts: [] } }), /declares no httpHosts/);
  });

  it('error flow: an invalid JSON Schema in validate', () => {
    rejects([op.validate('body', { type: 'objekt' }), respond], /step 1 \(validate\): the JSON Schema does not compile/);
  });

  it('error flow: response statuses out of range or with a forbidden body', () => {
    rejects([op.respond({ status: 99 })], /status must be a whole number from 200 to 599, received 99/);
    rejects([op.respond({ status: 204, body: 'x' })], /a 204 response has no body/);
  });
});
