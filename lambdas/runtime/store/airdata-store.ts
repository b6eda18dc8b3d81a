import { randomUUID } from 'node:crypto';
import { GetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { ModelManifest } from '../../shared/manifest';
import { badRequest, HttpProblem } from '../problem-error';
import { itemSize } from './item-size';
import { recordInput, type RecordValidator } from './record-schema';
import { MARKER_PREFIX, markersOf } from './unique-markers';
import { withStorage } from './storage-errors';
import { WriteConflict, type OnConditionFailed, type WriteBatch } from './write-batch';

type Item = Record<string, unknown>;

/** A record as this request sees it: as read from DynamoDB, and after this request's writes. */
interface RecordState {
  readonly original: Item | null;
  current: Item | null;
  /** Marker writes queued for this record, replaced whenever the record changes again. */
  readonly markerIds: Set<string>;
}

const MAX_ID_BYTES = 1024;

/**
 * AirData reads and writes of one request. Reads are consistent and see this request's own
 * writes; writes go to the request's WriteBatch, with unique-field marker items claimed in the
 * same transaction so two records can never share a unique value.
 */
export class AirDataStore {
  private readonly records = new Map<string, RecordState>();

  constructor(
    private readonly dynamo: DynamoDBDocumentClient,
    private readonly batch: WriteBatch,
    private readonly validators: Pick<ReadonlyMap<string, RecordValidator>, 'get'>,
    /** Markers found held by another record (or by none) when this request last ran: not released again. */
    private readonly notOwnedMarkers: Set<string> = new Set(),
  ) {}

  async get(model: ModelManifest, id: unknown): Promise<Item | null> {
    if (!isRecordId(id)) return null;
    return (await this.load(model, id)).current;
  }

  async insert(model: ModelManifest, input: unknown, onConflict: 'error' | 'existing'): Promise<Item> {
    const record = recordInput(input, model, 'record');
    if ('id' in record) throw badRequest('invalid_record', `airdata.insert generates the id of a ${model.name} record; leave "id" out, or use airdata.put to choose it.`);
    this.validator(model)(record);
    const id = randomUUID();
    if (onConflict === 'existing') {
      for (const marker of markersOf(model, record).values()) {
        const owner = await this.markerOwner(model, marker);
        const existing = owner === undefined ? null : await this.get(model, owner);
        if (existing) return existing;
      }
    }
    const state: RecordState = { original: null, current: null, markerIds: new Set() };
    this.records.set(stateKey(model, id), state);
    const next = canonicalRecord(model, { ...record, id });
    await this.write(model, id, state, next, onConflict === 'existing' ? () => 'retry' : (field) => uniqueConflict(model, field));
    return next;
  }

  async put(model: ModelManifest, idValue: unknown, input: unknown): Promise<Item> {
    const id = requireRecordId(idValue, model);
    const record = recordInput(input, model, 'record');
    if (record.id !== undefined && record.id !== id) throw badRequest('invalid_record', `The record's id "${String(record.id)}" differs from the id "${id}" it is put at.`);
    delete record.id;
    this.validator(model)(record);
    const next = canonicalRecord(model, { ...record, id });
    await this.write(model, id, await this.load(model, id), next, (field) => uniqueConflict(model, field));
    return next;
  }

  async patch(model: ModelManifest, idValue: unknown, fields: unknown): Promise<Item> {
    const id = requireRecordId(idValue, model);
    if (fields === null || typeof fields !== 'object' || Array.isArray(fields)) throw badRequest('invalid_record', `The fields to patch on ${model.name} must be an object.`);
    const state = await this.load(model, id);
    if (!state.current) throw recordNotFound(model);
    const next: Item = { ...state.current };
    for (const [name, value] of Object.entries(fields)) {
      if (name === 'id') {
        if (value !== id) throw badRequest('invalid_record', `A record's id cannot be changed by airdata.patch.`);
      } else if (value === null) delete next[name];
      else next[name] = value;
    }
    this.validator(model)(next);
    await this.write(model, id, state, canonicalRecord(model, next), (field) => uniqueConflict(model, field));
    return state.current!;
  }

  async delete(model: ModelManifest, idValue: unknown, notFound: 404 | 'ignore'): Promise<Item | null> {
    const state = isRecordId(idValue) ? await this.load(model, idValue) : undefined;
    if (!state?.current) {
      if (notFound === 404) throw recordNotFound(model);
      return null;
    }
    const deleted = state.current;
    await this.write(model, idValue as string, state, null, (field) => uniqueConflict(model, field));
    return deleted;
  }

  private validator(model: ModelManifest): RecordValidator {
    return this.validators.get(model.name)!;
  }

  private async load(model: ModelManifest, id: string): Promise<RecordState> {
    const key = stateKey(model, id);
    const known = this.records.get(key);
    if (known) return known;
    const { Item } = await withStorage(() => this.dynamo.send(new GetCommand({ TableName: model.table, Key: { id }, ConsistentRead: true })));
    const record = Item ? canonicalRecord(model, Item) : null;
    const state: RecordState = { original: record, current: record, markerIds: new Set() };
    this.records.set(key, state);
    return state;
  }

  /** The record id holding a unique value, in this request's pending writes or in the table. */
  private async markerOwner(model: ModelManifest, markerId: string): Promise<string | undefined> {
    const pending = this.batch.pending(model.table, { id: markerId });
    if (pending) return pending.kind === 'put' ? String(pending.item.recordId) : '';
    const { Item } = await withStorage(() => this.dynamo.send(new GetCommand({ TableName: model.table, Key: { id: markerId }, ConsistentRead: true })));
    return Item ? String(Item.recordId) : undefined;
  }

  /** Queues the record's new state against what was read, and moves its unique-value markers. */
  private async write(model: ModelManifest, id: string, state: RecordState, next: Item | null, onClaimFailed: (field: string) => OnConditionFailed): Promise<void> {
    const table = model.table;
    const original = state.original;
    for (const markerId of state.markerIds) this.batch.remove(table, { id: markerId });
    state.markerIds.clear();
    const before = markersOf(model, original);
    const after = markersOf(model, next);
    for (const [field, markerId] of after) {
      if (before.get(field) === markerId) continue;
      // a value another record of this request claims or releases is decided here (a transaction
      // holds an item once); a value held in the table is decided by the claim's condition at
      // commit, so no read comes first
      const pending = this.batch.pending(table, { id: markerId });
      if (!pending || (pending.kind === 'put' && pending.item.recordId === id)) continue;
      const onClaimed = onClaimFailed(field);
      throw onClaimed === 'retry' ? new WriteConflict('retry') : onClaimed;
    }
    state.current = next;
    if (!next && !original) this.batch.remove(table, { id });
    else if (!next) this.batch.set({ kind: 'delete', table, key: { id }, condition: uniqueValuesUnchanged(model, original!), onConditionFailed: 'retry' });
    else if (!original) this.batch.set({ kind: 'put', table, key: { id }, item: next, condition: { expression: 'attribute_not_exists(id)' }, onConditionFailed: 'retry' });
    else this.queueUpdate(model, id, original, next);
    for (const [field, markerId] of before) {
      if (after.get(field) === markerId) continue;
      // A record written before its field became unique has no marker until `appapi migrate unique`
      // runs, and of two such records holding one value only one gets it: nothing of ours to
      // release. The release's condition finds that out at commit, with no read before: refused,
      // the request runs again without it.
      const releaseKey = stateKey(model, markerId);
      if (this.batch.pending(table, { id: markerId }) || this.notOwnedMarkers.has(releaseKey)) continue;
      this.batch.set({
        kind: 'delete',
        table,
        key: { id: markerId },
        condition: { expression: '#recordId = :recordId', names: { '#recordId': 'recordId' }, values: { ':recordId': id } },
        onConditionFailed: {
          inspect: async (old) => {
            if (old?.recordId?.S !== id) this.notOwnedMarkers.add(releaseKey);
            return 'retry';
          },
        },
      });
      state.markerIds.add(markerId);
    }
    for (const [field, markerId] of after) {
      if (before.get(field) === markerId) continue;
      // held by another record: the 409 (or, for onConflict 'existing', a run that finds the holder)
      const claim = { expression: 'attribute_not_exists(id) OR #recordId = :recordId', names: { '#recordId': 'recordId' }, values: { ':recordId': id } };
      this.batch.set({ kind: 'put', table, key: { id: markerId }, item: { recordId: id }, condition: claim, onConditionFailed: onClaimFailed(field) });
      state.markerIds.add(markerId);
    }
  }

  /** Only the changed fields are written, so a concurrent patch of other fields is not lost. */
  private queueUpdate(model: ModelManifest, id: string, original: Item, next: Item): void {
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = {};
    const sets: string[] = [];
    const removes: string[] = [];
    let index = 0;
    for (const name of new Set([...Object.keys(original), ...Object.keys(next)])) {
      if (name === 'id' || JSON.stringify(original[name]) === JSON.stringify(next[name])) continue;
      names[`#f${index}`] = name;
      if (next[name] === undefined) removes.push(`#f${index}`);
      else {
        values[`:f${index}`] = next[name];
        sets.push(`#f${index} = :f${index}`);
      }
      index += 1;
    }
    if (sets.length === 0 && removes.length === 0) {
      this.batch.remove(model.table, { id });
      return;
    }
    const condition = uniqueValuesUnchanged(model, original);
    this.batch.set({
      kind: 'update',
      table: model.table,
      key: { id },
      update: [sets.length ? `SET ${sets.join(', ')}` : '', removes.length ? `REMOVE ${removes.join(', ')}` : ''].join(' ').trim(),
      names,
      values,
      sizeAfter: itemSize(next),
      condition,
      onConditionFailed: 'retry',
    });
  }
}

/** The record still exists with the unique values read, so its markers are still the ones to move. */
function uniqueValuesUnchanged(model: ModelManifest, original: Item) {
  const parts = ['attribute_exists(id)'];
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  Object.entries(model.fields)
    .filter(([, field]) => field.unique)
    .forEach(([name], index) => {
      names[`#u${index}`] = name;
      if (original[name] === undefined) parts.push(`attribute_not_exists(#u${index})`);
      else {
        values[`:u${index}`] = original[name];
        parts.push(`#u${index} = :u${index}`);
      }
    });
  return { expression: parts.join(' AND '), ...(Object.keys(names).length ? { names } : {}), ...(Object.keys(values).length ? { values } : {}) };
}

function stateKey(model: ModelManifest, id: string): string {
  return `${model.table}\u0000${id}`;
}

function isRecordId(id: unknown): id is string {
  return typeof id === 'string' && id !== '' && !id.startsWith(MARKER_PREFIX) && Buffer.byteLength(id) <= MAX_ID_BYTES;
}

function requireRecordId(id: unknown, model: ModelManifest): string {
  if (isRecordId(id)) return id;
  throw badRequest('invalid_id', `A ${model.name} id must be a non-empty string of at most ${MAX_ID_BYTES} bytes that does not start with "${MARKER_PREFIX}".`);
}

export function recordNotFound(model: ModelManifest): HttpProblem {
  return new HttpProblem('record_not_found', `No ${model.name} record has this id.`);
}

function uniqueConflict(model: ModelManifest, field: string): HttpProblem {
  return new HttpProblem('unique_conflict', `A ${model.name} record with this ${field} already exists.`, { field });
}

/** Records read the same however they were written: id first, then fields in declaration order. */
export function canonicalRecord(model: ModelManifest, item: Item): Item {
  const record: Item = { id: item.id };
  for (const name of Object.keys(model.fields)) if (item[name] !== undefined) record[name] = item[name];
  return record;
}
