// Shares a process: dynamo (its tables have the file's own prefix on the run's DynamoDB Local; it keeps no other state; see scripts/run-tests.ts)
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { BatchWriteCommand, GetCommand } from '@aws-sdk/lib-dynamodb';
import { AirDataModel, ApiApp, ApiAuth, AppApi, field, op, type AppDeclaration } from '../../lib';
import { runCli } from '../../lib/cli/main';
import { BackfillInterrupted, runBackfill, type BackfillStep, type BackfillSummary } from '../../lib/migrate/backfill-run';
import { renameFieldBackfill } from '../../lib/migrate/rename-field-backfill';
import { uniqueBackfill } from '../../lib/migrate/unique-backfill';
import { tablesOf } from '../support/dynamo';
import { RuntimeHarness } from '../support/runtime';

const tables = tablesOf(__filename);

type Item = Record<string, unknown>;

/**
 * The models after a deploy that made `email` unique and renamed `phone` to `mobile`; each test has
 * its own, and where a run is interrupted and resumed, "…Copy" is migrated in one go to compare.
 */
const declaration: AppDeclaration = (environment) => {
  const crm = new ApiApp(environment, 'Crm');
  const customers = new AirDataModel(crm, 'Customers', { fields: { name: field.text(), email: field.email({ unique: true }) } });
  new AirDataModel(crm, 'CustomersCopy', { fields: { name: field.text(), email: field.email({ unique: true }) } });
  for (const name of ['Resumed', 'ResumedCopy', 'Leads']) new AirDataModel(crm, name, { fields: { name: field.text(), email: field.email({ unique: true }) } });
  new AirDataModel(crm, 'Contacts', { fields: { name: field.text(), mobile: field.phone({ optional: true, unique: true }) } });
  new AirDataModel(crm, 'ContactsCopy', { fields: { name: field.text(), mobile: field.phone({ optional: true, unique: true }) } });
  new AppApi(crm, 'CreateCustomer', { method: 'POST', path: '/customers', auth: ApiAuth.public(), chain: [op.airdata.insert(customers, { record: '{% $body %}', as: 'customer' }), op.respond({ status: 201, body: '{% $customer %}' })] });
  new AppApi(crm, 'DeleteCustomer', { method: 'DELETE', path: '/customers/{id}', auth: ApiAuth.public(), chain: [op.airdata.delete(customers, { id: '{% $params.id %}' }), op.respond({ status: 204 })] });
  new AppApi(crm, 'RenameCustomer', { method: 'PATCH', path: '/customers/{id}', auth: ApiAuth.public(), chain: [op.airdata.patch(customers, { id: '{% $params.id %}', fields: '{% $body %}', as: 'customer' }), op.respond({ body: '{% $customer %}' })] });
};

describe('backfills on DynamoDB Local', () => {
  let harness: RuntimeHarness;
  const table = (model: string) => harness.manifest.models[model]!.table;
  const model = (name: string) => harness.manifest.models[name]!;
  /** Writes items as an earlier version stored them: records without the markers the new declaration expects. */
  const seed = async (modelName: string, items: readonly Item[]) => {
    for (let start = 0; start < items.length; start += 25) {
      await harness.documents.send(new BatchWriteCommand({ RequestItems: { [table(modelName)]: items.slice(start, start + 25).map((Item) => ({ PutRequest: { Item } })) } }));
    }
  };
  const sorted = (items: Item[]) => items.sort((a, b) => String(a.id).localeCompare(String(b.id)));
  const state = async (modelName: string) => sorted(await harness.items(table(modelName)));
  const run = (step: BackfillStep, modelName: string, options: { dryRun?: boolean; pageSize?: number; signal?: AbortSignal } = {}) =>
    runBackfill({ documents: harness.documents, table: table(modelName), pageSize: options.pageSize ?? 7, ...options }, step);

  /** Runs the step, stopping it half-way through its `stopAtPage`th page (some of whose records are done), then resumes it. */
  async function interruptedThenResumed(makeStep: () => BackfillStep, modelName: string, stopAtPage: number): Promise<{ stopped: BackfillSummary; resumed: BackfillSummary; checkpoint: Item | undefined }> {
    const controller = new AbortController();
    const step = makeStep();
    let pages = 0;
    const stopping: BackfillStep = {
      checkpointId: step.checkpointId,
      page: async (records, pageRun) => {
        pages += 1;
        if (pages < stopAtPage) return step.page(records, pageRun);
        const half = await step.page(records.slice(0, Math.ceil(records.length / 2)), pageRun);
        controller.abort();
        return half;
      },
    };
    const stopped = await run(stopping, modelName, { signal: controller.signal }).then(
      () => assert.fail('the run should have been interrupted'),
      (error: unknown) => (error instanceof BackfillInterrupted ? error.summary : Promise.reject(error)),
    );
    const { Item: checkpoint } = await harness.documents.send(new GetCommand({ TableName: table(modelName), Key: { id: step.checkpointId }, ConsistentRead: true }));
    const resumed = await run(makeStep(), modelName);
    return { stopped, resumed, checkpoint };
  }

  before(async () => {
    harness = await RuntimeHarness.start([declaration], { tables });
  });
  after(async () => harness?.stop());

  describe('migrate unique', () => {
    it('without duplicates: writes one marker per record that holds a value, none for the others, and changes no record', async () => {
      const legacy = Array.from({ length: 23 }, (_, index) => ({ id: `u${String(index).padStart(2, '0')}`, name: `n${index}`, ...(index % 8 === 7 ? {} : { email: `person${index}@Example.com` }) }));
      await seed('CustomersCopy', legacy);
      const summary = await run(uniqueBackfill(harness.documents, model('CustomersCopy'), 'email'), 'CustomersCopy');
      assert.equal(summary.complete, true);
      assert.deepEqual({ ...summary.counts }, { records: 23, withValue: 21, markersWritten: 21, alreadyMarked: 0, duplicates: 0, changedMeanwhile: 0 });
      const items = await state('CustomersCopy');
      const markers = items.filter((item) => String(item.id).startsWith('#'));
      assert.equal(markers.length, 21);
      assert.deepEqual(items.filter((item) => !String(item.id).startsWith('#')), sorted([...legacy]), 'records unchanged');
      assert.deepEqual(markers.find((marker) => marker.recordId === 'u01'), { id: '#unique#email#person1@example.com', recordId: 'u01' }, 'keyed as the runtime keys them: e-mails lower-cased');
      const again = await run(uniqueBackfill(harness.documents, model('CustomersCopy'), 'email'), 'CustomersCopy');
      assert.equal(again.counts.alreadyMarked, 21, 'idempotent: a second pass finds every marker');
      assert.deepEqual(await state('CustomersCopy'), items);
    });

    it('with duplicates: a dry run writes nothing; the run reports every duplicate, changes no record, and the duplicate can then be deleted', async () => {
      await seed('Customers', [
        { id: 'd1', name: 'Ada', email: 'ada@example.com' },
        { id: 'd2', name: 'Ada again', email: 'ADA@example.com' },
        { id: 'd3', name: 'Bob', email: 'bob@example.com' },
      ]);
      // what the deploy alone leaves: a new record claims a value an old record holds
      const claimed = await harness.call('CreateCustomer', { body: { name: 'Bob too', email: 'bob@example.com' } });
      assert.equal(claimed.status, 201, 'before the backfill, old values are not protected');
      const before = await state('Customers');

      const dry = await run(uniqueBackfill(harness.documents, model('Customers'), 'email'), 'Customers', { dryRun: true });
      assert.deepEqual(await state('Customers'), before, 'a dry run writes nothing, not even a checkpoint');
      // ada: one of d1/d2 gets the marker, the other is a duplicate; bob: the new record has it, d3 is a duplicate
      assert.deepEqual([dry.counts.markersWritten, dry.counts.duplicates, dry.counts.alreadyMarked], [1, 2, 1]);

      const summary = await run(uniqueBackfill(harness.documents, model('Customers'), 'email'), 'Customers');
      assert.deepEqual([summary.counts.markersWritten, summary.counts.duplicates, summary.counts.alreadyMarked], [1, 2, 1]);
      const messages = summary.findings.map((finding) => finding.message).join('\n');
      const marked = (await harness.documents.send(new GetCommand({ TableName: table('Customers'), Key: { id: '#unique#email#ada@example.com' } }))).Item?.recordId;
      const duplicate = marked === 'd1' ? 'd2' : 'd1';
      assert.match(messages, new RegExp(`Customers\\.email "(ada|ADA)@example\\.com" is held by record ${duplicate} and by record ${marked}, which has the marker \\(e-mails compare without case\\)`));
      assert.match(messages, new RegExp(`Customers\\.email "bob@example\\.com" is held by record d3 and by record ${claimed.body.id}`));
      const records = (await state('Customers')).filter((item) => !String(item.id).startsWith('#'));
      assert.deepEqual(records, before.filter((item) => !String(item.id).startsWith('#')), 'no record changed');

      // the marker protects the value now; the duplicate without it can still be deleted or changed
      assert.equal((await harness.call('CreateCustomer', { body: { name: 'Eve', email: 'Ada@Example.com' } })).status, 409);
      assert.equal((await harness.call('DeleteCustomer', { params: { id: duplicate } })).status, 204);
      assert.equal((await harness.call('RenameCustomer', { params: { id: 'd3' }, body: { email: 'robert@example.com' } })).status, 200);
      const clean = await run(uniqueBackfill(harness.documents, model('Customers'), 'email'), 'Customers');
      assert.deepEqual([clean.counts.duplicates, clean.counts.markersWritten, clean.counts.alreadyMarked], [0, 0, 3]);
    });

    it('interrupted half-way through a page and resumed: the same final state as one uninterrupted run', async () => {
      const legacy = (prefix: string) => Array.from({ length: 40 }, (_, index) => ({ id: `r${String(index).padStart(2, '0')}`, name: prefix, email: `p${index % 33}@example.com` }));
      await seed('Resumed', legacy('a'));
      await seed('ResumedCopy', legacy('a'));
      const once = await run(uniqueBackfill(harness.documents, model('ResumedCopy'), 'email'), 'ResumedCopy');
      const { stopped, resumed, checkpoint } = await interruptedThenResumed(() => uniqueBackfill(harness.documents, model('Resumed'), 'email'), 'Resumed', 3);
      assert.equal(stopped.complete, false);
      assert.ok(checkpoint?.startKey, 'the checkpoint holds the position after the last finished page');
      assert.equal(resumed.complete, true);
      assert.ok(resumed.resumedFrom, 'the second run resumed the first');
      const strip = (items: Item[]) => items.filter((item) => /^(r\d\d|#unique#email#p\d+@)/.test(String(item.id)));
      assert.deepEqual(strip(await state('Resumed')), strip(await state('ResumedCopy')), 'same records and markers');
      assert.equal(resumed.counts.duplicates, once.counts.duplicates);
      assert.equal(resumed.counts.duplicates, 7, once.findings.map((finding) => finding.message).join('\n'));
      assert.equal((await state('Resumed')).filter((item) => String(item.id).startsWith('#migration')).length, 0, 'the checkpoint is gone once complete');
    });
  });

  describe('migrate rename-field', () => {
    const contacts = (suffix: string): Item[] => [
      { id: 'c1', name: 'one', phone: '+441111111111' },
      { id: 'c2', name: 'two' },
      { id: 'c3', name: 'three', phone: '+443333333333', mobile: '+449999999999' },
      { id: 'c4', name: 'four', phone: '+444444444444' },
      ...Array.from({ length: 17 }, (_, index) => ({ id: `m${String(index).padStart(2, '0')}`, name: suffix, phone: `+4470000000${String(index).padStart(2, '0')}` })),
      // phone was unique before: its markers exist
      { id: '#unique#phone#+441111111111', recordId: 'c1' },
      // written since the deploy: c5 holds in mobile what c4 holds in phone
      { id: 'c5', name: 'five', mobile: '+444444444444' },
      { id: '#unique#mobile#+444444444444', recordId: 'c5' },
      { id: '#unique#mobile#+449999999999', recordId: 'c3' },
    ];

    it('moves FROM to TO with the markers, reports what it cannot move, and resumes to the same final state', async () => {
      await seed('Contacts', contacts('x'));
      await seed('ContactsCopy', contacts('x'));
      const dry = await run(renameFieldBackfill(harness.documents, model('ContactsCopy'), 'phone', 'mobile'), 'ContactsCopy', { dryRun: true });
      assert.deepEqual([dry.counts.renamed, dry.counts.bothSet, dry.counts.duplicates], [18, 1, 1]);
      assert.deepEqual(await state('ContactsCopy'), sorted(contacts('x')), 'the dry run wrote nothing');

      const once = await run(renameFieldBackfill(harness.documents, model('ContactsCopy'), 'phone', 'mobile'), 'ContactsCopy');
      assert.deepEqual({ ...once.counts }, { records: 22, renamed: 18, alreadyRenamed: 1, withoutField: 1, bothSet: 1, duplicates: 1, changedMeanwhile: 0 });
      const items = new Map((await state('ContactsCopy')).map((item) => [item.id, item]));
      assert.deepEqual(items.get('c1'), { id: 'c1', name: 'one', mobile: '+441111111111' });
      assert.equal(items.get('#unique#phone#+441111111111'), undefined, 'the old field\'s marker is released');
      assert.deepEqual(items.get('#unique#mobile#+441111111111'), { id: '#unique#mobile#+441111111111', recordId: 'c1' });
      assert.deepEqual(items.get('c3'), { id: 'c3', name: 'three', phone: '+443333333333', mobile: '+449999999999' }, 'both set: left as it is');
      assert.deepEqual(items.get('c4'), { id: 'c4', name: 'four', phone: '+444444444444' }, 'its value is held by c5: left as it is');
      assert.match(once.findings.map((finding) => finding.message).join('\n'), /ContactsCopy\.mobile "\+444444444444" of record c4 is already held by record c5/);

      const { resumed } = await interruptedThenResumed(() => renameFieldBackfill(harness.documents, model('Contacts'), 'phone', 'mobile'), 'Contacts', 2);
      assert.equal(resumed.complete, true);
      assert.deepEqual(await state('Contacts'), await state('ContactsCopy'), 'interrupted and resumed: the same items as one run');
      const again = await run(renameFieldBackfill(harness.documents, model('Contacts'), 'phone', 'mobile'), 'Contacts');
      assert.deepEqual([again.counts.renamed, again.counts.alreadyRenamed], [0, 19], 'idempotent');
    });
  });

  describe('the appapi migrate command', () => {
    const cli = async (...argv: string[]) => {
      const lines = { out: [] as string[], err: [] as string[] };
      const code = await runCli(['migrate', ...argv], { out: (line) => lines.out.push(line), err: (line) => lines.err.push(line) }, {
        migrate: { apps: [declaration], openDynamo: async () => ({ documents: harness.documents, close: async () => {} }), pageSize: 5, signal: new AbortController().signal, resourcePrefix: tables.prefix },
      });
      return { code, out: lines.out.join('\n'), err: lines.err.join('\n') };
    };

    it('prints each duplicate and a summary, and exits 1 while duplicates remain', async () => {
      await seed('Leads', [{ id: 'x1', name: 'x', email: 'dup@example.com' }, { id: 'x2', name: 'x', email: 'dup@example.com' }, { id: 'x3', name: 'x' }]);
      const result = await cli('unique', 'Leads', 'email', '--dry-run');
      assert.equal(result.code, 1);
      assert.ok(result.out.includes(`Dry run (nothing is written): migrate unique Leads email — Leads in dev (local), table ${table('Leads')}`), result.out);
      assert.match(result.out, /duplicate: Leads\.email "dup@example\.com" is held by record x\d and by record x\d/);
      assert.match(result.out, /Summary: complete; 3 items scanned; records: 3, with value: 2, would be markers written: 1, already marked: 0, duplicates: 1, changed meanwhile: 0\./);
      assert.match(result.err, /1 record\(s\) hold a email another record holds .* Change or delete all but one record of each value, then run the same command again/);
    });

    it('refuses what it cannot do, saying what to do instead', async () => {
      assert.match((await cli('unique', 'Customers', 'name')).err, /Customers\.name is not declared unique in dev\. Declare it with unique: true and deploy first/);
      assert.match((await cli('unique', 'Orders', 'email')).err, /dev declares no AirData model "Orders" \(models: Customers, CustomersCopy, Resumed, ResumedCopy, Leads, Contacts, ContactsCopy\)/);
      assert.match((await cli('rename-field', 'Contacts', 'name', 'mobile')).err, /Contacts still declares name in dev.*Remove name from the declaration/);
      assert.match((await cli('rename-field', 'Contacts', 'phone', 'cell')).err, /Contacts does not declare cell in dev/);
      assert.equal((await cli('rename-field', 'Contacts', 'phone')).code, 2);
    });
  });
});
