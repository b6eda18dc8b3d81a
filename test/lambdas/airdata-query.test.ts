// Shares a process: dynamo (its tables have the file's own prefix on the run's DynamoDB Local; it keeps no other state; see scripts/run-tests.ts)
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { AirDataModel, ApiApp, ApiAuth, AppApi, field, op, type AppDeclaration } from '../../lib';
import { queryRecords } from '../../lambdas/runtime/store/airdata-query';
import { tablesOf } from '../support/dynamo';
import { RuntimeHarness } from '../support/runtime';

const tables = tablesOf(__filename);

const shop: AppDeclaration = (environment) => {
  const app = new ApiApp(environment, 'Shop');
  const products = new AirDataModel(app, 'Products', {
    fields: { name: field.text(), category: field.text(), price: field.number(), sku: field.text({ unique: true }), discontinued: field.boolean({ optional: true }) },
    indexes: { byCategory: { partitionKey: 'category', sortKey: 'price' } },
  });
  new AppApi(app, 'ListProducts', {
    method: 'GET',
    path: '/products',
    auth: ApiAuth.public(),
    query: [{ name: 'category' }, { name: 'maxPrice', type: 'number' }, { name: 'limit', type: 'integer' }, { name: 'cursor' }],
    chain: [
      op.airdata.query(products, {
        filter: { category: '{% $query.category %}', price: { lessThan: '{% $query.maxPrice %}' } },
        limit: '{% $query.limit %}',
        cursor: '{% $query.cursor %}',
        as: 'page',
      }),
      op.respond({ body: '{% $page %}' }),
    ],
  });
  new AppApi(app, 'SearchProducts', {
    method: 'POST',
    path: '/products/search',
    auth: ApiAuth.public(),
    chain: [
      op.airdata.query(products, {
        // each condition may evaluate to a value (equality) or an operator object
        filter: Object.fromEntries(['id', 'name', 'category', 'price', 'sku', 'discontinued'].map((name) => [name, `{% $lookup($body.filter, "${name}") %}`])),
        limit: '{% $body.limit %}', cursor: '{% $body.cursor %}', as: 'page' }),
      op.respond({ body: '{% $page %}' }),
    ],
  });
};

const table = tables.tableName('products');

describe('airdata.query on DynamoDB Local', () => {
  let harness: RuntimeHarness;
  before(async () => {
    harness = await RuntimeHarness.start([shop], { tables });
    for (let n = 0; n < 30; n += 1) {
      const item = { id: `p${String(n).padStart(2, '0')}`, name: `Product ${n}`, category: n % 3 === 0 ? 'books' : 'games', price: n, sku: `SKU-${n}`, ...(n % 10 === 0 ? { discontinued: true } : {}) };
      await harness.documents.send(new PutCommand({ TableName: table, Item: item }));
      await harness.documents.send(new PutCommand({ TableName: table, Item: { id: `#unique#sku#SKU-${n}`, recordId: item.id } }));
    }
  });
  after(() => harness?.stop());

  const search = async (filter: unknown, limit?: number, cursor?: string) =>
    harness.call('SearchProducts', { body: { filter, ...(limit === undefined ? {} : { limit }), ...(cursor === undefined ? {} : { cursor }) } });

  it('happy flow: equality on the index partition key queries the index, with the rest as a filter', async () => {
    const page = await harness.call('ListProducts', { query: { category: 'books', maxPrice: '20' } });
    assert.equal(page.status, 200);
    assert.deepEqual(page.body.items.map((p: { price: number }) => p.price), [0, 3, 6, 9, 12, 15, 18]);
    assert.equal(page.body.cursor, null);
    assert.deepEqual(Object.keys(page.body.items[0]), ['id', 'name', 'category', 'price', 'sku', 'discontinued']);
  });

  it('uses the index (a Query) when the request gives its partition key, and a Scan when it does not', async () => {
    const sent: string[] = [];
    // passes every command on to DynamoDB Local, noting which kind it was
    const recording = { send: (command: { constructor: { name: string }; input: { IndexName?: string } }) => {
      sent.push(`${command.constructor.name}${command.input.IndexName ? `:${command.input.IndexName}` : ''}`);
      return harness.documents.send(command as never);
    } } as unknown as typeof harness.documents;
    const model = harness.manifest.models.Products!;
    await queryRecords(recording, model, { filter: { category: 'books' }, limit: 5, cursor: undefined, index: 'byCategory' });
    await queryRecords(recording, model, { filter: { category: undefined }, limit: 5, cursor: undefined, index: 'byCategory' });
    // a scan page may need several round trips: unique-marker items count against DynamoDB's Limit
    assert.equal(sent[0], 'QueryCommand:byCategory');
    assert.ok(sent.length >= 2 && sent.slice(1).every((command) => command === 'ScanCommand'), sent.join());
  });

  it('happy flow: without the indexed value the same route scans, and never returns unique-marker items', async () => {
    const page = await harness.call('ListProducts', { query: { limit: '1000' } });
    assert.equal(page.body.items.length, 30);
    assert.ok(page.body.items.every((p: { id: string }) => !p.id.startsWith('#')));
  });

  it('happy flow: paging with the cursor returns every record exactly once, at most limit per page', async () => {
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await harness.call('ListProducts', { query: { limit: '7', ...(cursor ? { cursor } : {}) } });
      assert.equal(page.status, 200);
      assert.ok(page.body.items.length <= 7);
      seen.push(...page.body.items.map((p: { id: string }) => p.id));
      cursor = page.body.cursor ?? undefined;
      pages += 1;
    } while (cursor && pages < 20);
    assert.equal(seen.length, 30);
    assert.equal(new Set(seen).size, 30);
  });

  it('happy flow: Airkit-style operators', async () => {
    const ids = async (filter: unknown) => ((await search(filter, 1000)).body.items as Array<{ id: string }>).map((p) => p.id).sort();
    assert.deepEqual(await ids({ price: { greaterThanOrEqual: 27 } }), ['p27', 'p28', 'p29']);
    assert.deepEqual(await ids({ price: { greaterThan: 2, lessThanOrEqual: 4 } }), ['p03', 'p04']);
    assert.deepEqual(await ids({ sku: { anyOf: ['SKU-1', 'SKU-2', 'nope'] } }), ['p01', 'p02']);
    assert.deepEqual(await ids({ name: { like: 'Product 2%' } }), ['p02', 'p20', 'p21', 'p22', 'p23', 'p24', 'p25', 'p26', 'p27', 'p28', 'p29']);
    assert.deepEqual(await ids({ name: { like: '%uct 1%' } }), ['p01', 'p10', 'p11', 'p12', 'p13', 'p14', 'p15', 'p16', 'p17', 'p18', 'p19']);
    assert.deepEqual(await ids({ discontinued: { exists: true } }), ['p00', 'p10', 'p20']);
    assert.deepEqual(await ids({ category: 'books', price: { notEquals: 0 }, discontinued: { exists: false } }), ['p03', 'p06', 'p09', 'p12', 'p15', 'p18', 'p21', 'p24', 'p27']);
    assert.deepEqual(await ids({ category: { equals: 'games' }, price: '29' }), ['p29']);
    assert.deepEqual(await ids({ sku: { anyOf: [] } }), []);
    // on the index: one sort-key condition goes to DynamoDB, the others are applied after it
    assert.deepEqual(await ids({ category: 'books', price: { greaterThan: 2, lessThanOrEqual: 9 } }), ['p03', 'p06', 'p09']);
    assert.deepEqual(await ids({ category: 'books', price: { anyOf: [3, 4, 6] } }), ['p03', 'p06']);
    assert.deepEqual(await ids({ category: 'books', price: { lessThan: 'abc' } }), []);
    assert.deepEqual(await ids({ category: 'books', name: { like: 'Product 1%' } }), ['p12', 'p15', 'p18']);
  });

  it('error flow: an empty or blank value for the index partition key is an empty page, never a 5xx', async () => {
    for (const category of ['', ' ', '\t', '\u3000']) {
      const listed = await harness.call('ListProducts', { query: { category } });
      assert.deepEqual([listed.status, listed.body], [200, { items: [], cursor: null }], JSON.stringify(category));
      const searched = await search({ category, price: { lessThan: 10 } });
      assert.deepEqual([searched.status, searched.body], [200, { items: [], cursor: null }], JSON.stringify(category));
    }
  });

  it('error flow: limits outside 1..1000 are 400', async () => {
    for (const limit of [0, 1001, 2.5, -1]) {
      const answer = await search({}, limit);
      assert.equal(answer.status, 400, String(limit));
      assert.equal(answer.body.code, 'invalid_limit');
    }
    assert.equal((await search({})).body.items.length, 30, 'default limit of 100');
  });

  it('error flow: a tampered, foreign or malformed cursor is 400, never 500', async () => {
    const first = await search({}, 5);
    const cursor: string = first.body.cursor;
    const decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString());
    const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const tampered = [
      'not a cursor!',
      'e30',
      cursor.slice(0, -3),
      `${cursor}AAAA`,
      encode({ ...decoded, k: { ...decoded.k, id: '#unique#sku#SKU-1' } }),
      encode({ ...decoded, k: { ...decoded.k, extra: 'x' } }),
      encode({ ...decoded, k: { id: { S: 'p01' } } }),
      encode({ ...decoded, q: 'other-query' }),
      encode({ ...decoded, k: null }),
      'A'.repeat(10_000),
    ];
    for (const bad of tampered) {
      const answer = await search({}, 5, bad);
      assert.equal(answer.status, 400, bad.slice(0, 40));
      assert.equal(answer.body.code, 'invalid_cursor');
    }
    const otherQuery = await search({ price: { lessThan: 100 } }, 5, cursor);
    assert.equal(otherQuery.status, 400, 'a cursor of another query');
    const next = await search({}, 5, cursor);
    assert.equal(next.status, 200);
  });

  it('error flow: bad filters are 400 with what to fix', async () => {
    for (const filter of [{ price: { between: 1 } }, { name: { like: '%end' } }, { sku: { anyOf: 'SKU-1' } }, { category: 7, price: { lessThan: [] } }, { discontinued: { exists: 'yes' } }]) {
      const answer = await search(filter);
      assert.equal(answer.status, 400, JSON.stringify(filter));
      assert.equal(answer.body.code, 'invalid_filter');
    }
  });
});
