// Shares a process: dynamo (its tables have the file's own prefix on the run's DynamoDB Local; it keeps no other state; see scripts/run-tests.ts)
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { AirDataModel, ApiApp, ApiAuth, AppApi, field, op, type AppDeclaration } from '../../lib';
import { tablesOf } from '../support/dynamo';
import { RuntimeHarness } from '../support/runtime';

const tables = tablesOf(__filename);

const crm: AppDeclaration = (environment) => {
  const app = new ApiApp(environment, 'Crm');
  const people = new AirDataModel(app, 'People', {
    fields: {
      name: field.text({ maxLength: 50 }),
      email: field.email({ unique: true }),
      age: field.integer({ optional: true }),
      website: field.url({ optional: true }),
      joined: field.datetime({ optional: true }),
      notes: field.json({ optional: true }),
    },
    indexes: { byEmail: { partitionKey: 'email' } },
  });
  const route = (id: string, method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', path: string, chain: Parameters<typeof op.when>[1]) =>
    new AppApi(app, id, { method, path, auth: ApiAuth.public(), chain });
  route('CreatePerson', 'POST', '/people', [op.airdata.insert(people, { record: '{% $body %}', as: 'person' }), op.respond({ status: 201, body: '{% $person %}' })]);
  route('EnsurePerson', 'POST', '/people/ensure', [
    op.airdata.insert(people, { record: '{% $body %}', onConflict: 'existing', as: 'person' }),
    op.respond({ body: '{% $person %}' }),
  ]);
  route('GetPerson', 'GET', '/people/{id}', [op.airdata.get(people, { id: '{% $params.id %}', as: 'person' }), op.respond({ body: '{% $person %}' })]);
  route('PutPerson', 'PUT', '/people/{id}', [op.airdata.put(people, { id: '{% $params.id %}', record: '{% $body %}', as: 'person' }), op.respond({ body: '{% $person %}' })]);
  route('PatchPerson', 'PATCH', '/people/{id}', [op.airdata.patch(people, { id: '{% $params.id %}', fields: '{% $body %}', as: 'person' }), op.respond({ body: '{% $person %}' })]);
  route('DeletePerson', 'DELETE', '/people/{id}', [op.airdata.delete(people, { id: '{% $params.id %}' }), op.respond({ status: 204 })]);
  route('ForgetPerson', 'DELETE', '/forget/{id}', [op.airdata.delete(people, { id: '{% $params.id %}', notFound: 'ignore', as: 'gone' }), op.respond({ body: { gone: '{% $gone != null %}' } })]);
  route('RenameTwice', 'POST', '/people/{id}/rename', [
    op.airdata.patch(people, { id: '{% $params.id %}', fields: { email: '{% $body.first %}' }, as: 'first' }),
    op.airdata.patch(people, { id: '{% $params.id %}', fields: { email: '{% $body.second %}' }, as: 'second' }),
    op.respond({ body: '{% $second %}' }),
  ]);
};

const people = tables.tableName('people');
const markers = async (harness: RuntimeHarness) => (await harness.items(people)).filter((item) => String(item.id).startsWith('#')).map((item) => item.id).sort();

describe('AirData writes on DynamoDB Local', () => {
  let harness: RuntimeHarness;
  before(async () => {
    harness = await RuntimeHarness.start([crm], { tables });
  });
  after(() => harness?.stop());

  it('happy flow: insert generates an id, stores the record and claims its unique email', async () => {
    const created = await harness.call('CreatePerson', { body: { name: 'Ada', email: 'Ada@Example.com', age: 36 } });
    assert.equal(created.status, 201);
    assert.match(created.body.id, /^[0-9a-f-]{36}$/);
    assert.deepEqual(created.body, { id: created.body.id, name: 'Ada', email: 'Ada@Example.com', age: 36 });
    const read = await harness.call('GetPerson', { params: { id: created.body.id } });
    assert.deepEqual(read.body, created.body);
    assert.ok((await markers(harness)).includes('#unique#email#ada@example.com'));
  });

  it('error flow: every field is checked on write, with the field and the reason', async () => {
    const cases: Array<[unknown, string, RegExp]> = [
      [{ name: 'Bo', email: 'not-an-email' }, 'email', /format/],
      [{ name: 'Bo', email: 'bo@example.com', age: 3.5 }, 'age', /integer/],
      [{ name: 'Bo', email: 'bo@example.com', age: '30' }, 'age', /integer/],
      [{ name: 'Bo', email: 'bo@example.com', website: 'ftp://x' }, 'website', /pattern/],
      [{ name: 'Bo', email: 'bo@example.com', joined: 'yesterday' }, 'joined', /format/],
      [{ name: 'B'.repeat(51), email: 'bo@example.com' }, 'name', /50/],
      // an index key DynamoDB could refuse
      [{ name: 'Bo', email: `${'b'.repeat(300)}@example.com` }, 'email', /256/],
      [{ email: 'bo@example.com' }, 'name', /required/],
      [{ name: 'Bo', email: 'bo@example.com', nickname: 'b' }, 'nickname', /not a field of People/],
      [{ name: 'Bo', email: 'bo@example.com', id: 'mine' }, '', /generates the id/],
      [['Bo'], '', /must be an object/],
    ];
    for (const [body, fieldName, reason] of cases) {
      const answer = await harness.call('CreatePerson', { body });
      assert.equal(answer.status, 400, JSON.stringify(body));
      assert.equal(answer.headers['Content-Type'], 'application/problem+json');
      assert.equal(answer.body.code, 'invalid_record');
      if (fieldName) assert.ok(answer.body.violations.some((v: { field: string; reason: string }) => v.field === fieldName && reason.test(v.reason)), JSON.stringify(answer.body));
      else assert.match(answer.body.detail, reason);
    }
    assert.equal((await harness.items(people)).filter((item) => item.name === 'Bo').length, 0);
  });

  it('error flow: a second record with the same email (in any case) is 409; onConflict "existing" returns the first', async () => {
    const first = await harness.call('CreatePerson', { body: { name: 'Cy', email: 'cy@example.com' } });
    const again = await harness.call('CreatePerson', { body: { name: 'Cy 2', email: 'CY@example.com' } });
    assert.equal(again.status, 409);
    assert.equal(again.body.code, 'unique_conflict');
    assert.equal(again.body.field, 'email');
    const ensured = await harness.call('EnsurePerson', { body: { name: 'Cy 3', email: 'cy@example.com' } });
    assert.equal(ensured.status, 200);
    assert.deepEqual(ensured.body, first.body);
  });

  it('concurrency: 20 simultaneous inserts of one email, exactly one wins and the rest get 409', async () => {
    const answers = await Promise.all(Array.from({ length: 20 }, (_, n) => harness.call('CreatePerson', { body: { name: `Racer ${n}`, email: 'race@example.com' } })));
    assert.deepEqual(answers.map((a) => a.status).sort(), [201, ...Array(19).fill(409)]);
    const stored = (await harness.items(people)).filter((item) => item.email === 'race@example.com');
    assert.equal(stored.length, 1);
    assert.ok((await markers(harness)).includes('#unique#email#race@example.com'));
  });

  it('concurrency: 10 simultaneous "existing" inserts of one email all answer the same single record', async () => {
    const answers = await Promise.all(Array.from({ length: 10 }, () => harness.call('EnsurePerson', { body: { name: 'Di', email: 'di@example.com' } })));
    assert.ok(answers.every((a) => a.status === 200), JSON.stringify(answers.map((a) => a.body)));
    assert.equal(new Set(answers.map((a) => a.body.id)).size, 1);
    assert.equal((await harness.items(people)).filter((item) => item.email === 'di@example.com').length, 1);
  });

  it('happy flow: put creates and replaces by id; a changed email moves its marker', async () => {
    const created = await harness.call('PutPerson', { params: { id: 'p-put' }, body: { name: 'Ed', email: 'ed@example.com', age: 40 } });
    assert.deepEqual(created.body, { id: 'p-put', name: 'Ed', email: 'ed@example.com', age: 40 });
    const replaced = await harness.call('PutPerson', { params: { id: 'p-put' }, body: { name: 'Ed', email: 'edward@example.com' } });
    assert.deepEqual(replaced.body, { id: 'p-put', name: 'Ed', email: 'edward@example.com' });
    assert.deepEqual((await harness.call('GetPerson', { params: { id: 'p-put' } })).body, replaced.body);
    const ids = await markers(harness);
    assert.ok(ids.includes('#unique#email#edward@example.com'));
    assert.ok(!ids.includes('#unique#email#ed@example.com'));
    // the released email is free again
    assert.equal((await harness.call('CreatePerson', { body: { name: 'Other Ed', email: 'ed@example.com' } })).status, 201);
  });

  it('error flow: put with an email another record holds is 409 and changes nothing', async () => {
    await harness.call('PutPerson', { params: { id: 'p-fay' }, body: { name: 'Fay', email: 'fay@example.com' } });
    const clash = await harness.call('PutPerson', { params: { id: 'p-fay' }, body: { name: 'Fay', email: 'cy@example.com' } });
    assert.equal(clash.status, 409);
    assert.equal((await harness.call('GetPerson', { params: { id: 'p-fay' } })).body.email, 'fay@example.com');
    const mismatch = await harness.call('PutPerson', { params: { id: 'p-fay' }, body: { id: 'other', name: 'Fay', email: 'fay@example.com' } });
    assert.equal(mismatch.status, 400);
    const markerId = await harness.call('PutPerson', { params: { id: '#unique#email#fay@example.com' }, body: { name: 'X', email: 'x@example.com' } });
    assert.equal(markerId.status, 400);
    assert.equal(markerId.body.code, 'invalid_id');
  });

  it('happy flow: patch changes the given fields, null removes an optional one; a missing record is 404', async () => {
    await harness.call('PutPerson', { params: { id: 'p-gus' }, body: { name: 'Gus', email: 'gus@example.com', age: 20, notes: { a: 1 } } });
    const patched = await harness.call('PatchPerson', { params: { id: 'p-gus' }, body: { age: 21, notes: null } });
    assert.deepEqual(patched.body, { id: 'p-gus', name: 'Gus', email: 'gus@example.com', age: 21 });
    assert.deepEqual((await harness.call('GetPerson', { params: { id: 'p-gus' } })).body, patched.body);
    const required = await harness.call('PatchPerson', { params: { id: 'p-gus' }, body: { name: null } });
    assert.equal(required.status, 400);
    assert.equal(required.body.violations[0].field, 'name');
    const missing = await harness.call('PatchPerson', { params: { id: 'nobody' }, body: { age: 1 } });
    assert.equal(missing.status, 404);
    assert.equal(missing.body.code, 'record_not_found');
  });

  it('happy flow: two patches in one request are one write, leaving only the final email claimed', async () => {
    await harness.call('PutPerson', { params: { id: 'p-hal' }, body: { name: 'Hal', email: 'hal@example.com' } });
    const renamed = await harness.call('RenameTwice', { params: { id: 'p-hal' }, body: { first: 'hal2@example.com', second: 'hal3@example.com' } });
    assert.equal(renamed.status, 200, JSON.stringify(renamed.body));
    const ids = await markers(harness);
    assert.ok(ids.includes('#unique#email#hal3@example.com'));
    assert.ok(!ids.includes('#unique#email#hal2@example.com') && !ids.includes('#unique#email#hal@example.com'));
  });

  it('happy flow: delete removes the record and releases its email; error flow: a missing one is 404 or ignored', async () => {
    await harness.call('PutPerson', { params: { id: 'p-ivy' }, body: { name: 'Ivy', email: 'ivy@example.com' } });
    assert.equal((await harness.call('DeletePerson', { params: { id: 'p-ivy' } })).status, 204);
    assert.equal((await harness.call('GetPerson', { params: { id: 'p-ivy' } })).status, 404);
    assert.ok(!(await markers(harness)).includes('#unique#email#ivy@example.com'));
    assert.equal((await harness.call('DeletePerson', { params: { id: 'p-ivy' } })).status, 404);
    assert.deepEqual((await harness.call('ForgetPerson', { params: { id: 'p-ivy' } })).body, { gone: false });
  });

  it('error flow: a record over the 400 KB item limit is 413 and nothing is written', async () => {
    const answer = await harness.call('CreatePerson', { body: { name: 'Big', email: 'big@example.com', notes: { text: 'x'.repeat(420 * 1024) } } });
    assert.equal(answer.status, 413);
    assert.equal(answer.body.code, 'item_too_large');
    assert.match(answer.body.detail, /400 KB/);
    assert.equal((await harness.items(people)).filter((item) => item.email === 'big@example.com' || item.id === '#unique#email#big@example.com').length, 0);
  });
});
