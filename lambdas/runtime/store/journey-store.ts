import { randomBytes, randomUUID } from 'node:crypto';
import { GetCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { JourneyStatus } from '../../shared/manifest';
import { badRequest, HttpProblem } from '../problem-error';
import { itemSize, MAX_ITEM_BYTES } from './item-size';
import { withStorage } from './storage-errors';
import { itemTooLarge, type WriteBatch } from './write-batch';

type Json = Record<string, unknown>;

/** The journey item; events are items of their own under the same partition key. */
interface JourneyItem {
  readonly pk: string;
  readonly sk: 'journey';
  readonly id: string;
  readonly app: string;
  readonly identifier?: string;
  readonly status: 'active' | 'completed' | 'aborted';
  readonly step: string | null;
  readonly data: Json;
  readonly createdAt: string;
  readonly updatedAt: string;
  /** Epoch seconds: the journey's expiry, and the table's TTL attribute. */
  readonly expiresAt: number;
  readonly eventCount: number;
}

export interface JourneyEvent {
  readonly type: string;
  readonly data?: unknown;
  readonly at: string;
}

export interface JourneyChange {
  readonly data?: unknown;
  readonly step?: unknown;
  readonly status?: unknown;
  readonly event?: { readonly type: unknown; readonly data?: unknown };
}

interface JourneyState {
  readonly original: JourneyItem | null;
  current: JourneyItem | null;
  /** Changes to an existing journey, written as one atomic UpdateItem so concurrent updates merge. */
  readonly dataChanges: Map<string, unknown>;
  readonly events: JourneyEvent[];
}

const JOURNEY = 'journey';
const EVENT_PREFIX = 'event#';
const MAX_DATA_KEYS_PER_REQUEST = 100;
const MAX_EVENTS_READ = 1_000;
const MAX_IDENTIFIER_LENGTH = 512;

/**
 * Journeys of one app, for one request: reads are consistent and see this request's writes; writes
 * go to the request's WriteBatch. An identifier is held by a marker item while its journey is
 * active, which makes it unique among the app's active journeys.
 */
export class JourneyStore {
  private readonly journeys = new Map<string, JourneyState>();

  constructor(
    private readonly dynamo: DynamoDBDocumentClient,
    private readonly table: string,
    private readonly app: string,
    private readonly batch: WriteBatch,
    private readonly now: Date,
    /** Identifiers found held when this request last ran: started the reading way (kept across its attempts). */
    private readonly contended: Set<string> = new Set(),
  ) {}

  async start(input: { identifier?: unknown; step?: unknown; data?: unknown; onConflict: 'resume' | 'replace' | 'reject'; expiresInDays: number }): Promise<Json> {
    const identifier = optionalIdentifier(input.identifier);
    const data = dataObject(input.data) ?? {};
    const step = optionalStep(input.step);
    const id = randomUUID();
    const expiresAt = Math.floor(this.now.getTime() / 1000) + input.expiresInDays * 86_400;
    const contendedKey = identifier === undefined ? '' : `${this.app}\u0000${identifier}`;
    if (identifier !== undefined && input.onConflict === 'reject' && !this.batch.pending(this.table, identifierKey(this.app, identifier)) && !this.contended.has(contendedKey)) {
      // Rejecting needs no read first: the identifier is claimed if no journey holds it, and when
      // one does, the transaction returns its marker and only then is the holder read. An ended
      // holder (expired, not yet removed by TTL) makes the request run again the reading way.
      this.batch.set({
        kind: 'put',
        table: this.table,
        key: identifierKey(this.app, identifier),
        item: { journeyId: id, expiresAt },
        condition: { expression: 'attribute_not_exists(pk)' },
        onConditionFailed: {
          inspect: async (old) => {
            const holderId = old?.journeyId?.S;
            const holder = holderId === undefined ? undefined : await this.state(holderId);
            if (holder?.current && statusOf(holder.current, this.now) === 'active') return identifierInUse();
            this.contended.add(contendedKey);
            return 'retry';
          },
        },
      });
    } else if (identifier !== undefined) {
      const markerKey = identifierKey(this.app, identifier);
      const pending = this.batch.pending(this.table, markerKey);
      const marker = pending?.kind === 'put' ? pending.item : await this.read(markerKey);
      const holder = typeof marker?.journeyId === 'string' ? await this.state(marker.journeyId) : undefined;
      if (holder?.current && statusOf(holder.current, this.now) === 'active') {
        if (input.onConflict === 'reject') throw identifierInUse();
        if (input.onConflict === 'resume') return this.view(holder.current);
        this.change(holder, { status: 'aborted', event: { type: 'replaced', data: { by: id } } }, false);
      }
      const condition =
        pending?.condition ??
        (marker
          ? { expression: '#journeyId = :holder', names: { '#journeyId': 'journeyId' }, values: { ':holder': marker.journeyId } }
          : { expression: 'attribute_not_exists(pk)' });
      this.batch.set({ kind: 'put', table: this.table, key: markerKey, item: { journeyId: id, expiresAt }, condition, onConditionFailed: 'retry' });
    }
    const at = this.now.toISOString();
    const journey: JourneyItem = {
      pk: `${JOURNEY}#${id}`,
      sk: JOURNEY,
      id,
      app: this.app,
      ...(identifier === undefined ? {} : { identifier }),
      status: 'active',
      step,
      data,
      createdAt: at,
      updatedAt: at,
      expiresAt,
      eventCount: 0,
    };
    const state: JourneyState = { original: null, current: journey, dataChanges: new Map(), events: [] };
    this.journeys.set(id, state);
    this.queue(state);
    return this.view(journey);
  }

  async get(id: unknown, withEvents: boolean): Promise<Json | null> {
    if (withEvents && isJourneyId(id) && !this.journeys.has(id)) return this.getWithEvents(id);
    const state = await this.state(id);
    if (!state?.current) return null;
    const view = this.view(state.current);
    if (!withEvents) return view;
    return { ...view, events: [...(await this.storedEvents(state.current.id)), ...state.events] };
  }

  async update(id: unknown, change: JourneyChange): Promise<Json> {
    const state = await this.state(id);
    if (!state?.current) throw journeyNotFound();
    this.change(state, change, true);
    return this.view(state.current!);
  }

  private change(state: JourneyState, change: JourneyChange, releaseIdentifier: boolean): void {
    const current = state.current!;
    const status = statusOf(current, this.now);
    if (status !== 'active') throw new HttpProblem('journey_not_active', `The journey is ${status}; it takes no more updates.`);
    const data = dataObject(change.data);
    const step = change.step === undefined ? undefined : optionalStep(change.step);
    const nextStatus = targetStatus(change.status);
    const event = change.event === undefined ? undefined : eventOf(change.event, this.now);
    for (const [name, value] of Object.entries(data ?? {})) state.dataChanges.set(name, value);
    if (state.dataChanges.size > MAX_DATA_KEYS_PER_REQUEST) {
      throw new HttpProblem('too_many_data_keys', `One request may change at most ${MAX_DATA_KEYS_PER_REQUEST} top-level keys of a journey's data.`);
    }
    if (event) state.events.push(event);
    state.current = {
      ...current,
      data: { ...current.data, ...data },
      ...(step === undefined ? {} : { step }),
      ...(nextStatus === undefined ? {} : { status: nextStatus }),
      updatedAt: this.now.toISOString(),
      eventCount: current.eventCount + (event ? 1 : 0),
    };
    this.queue(state);
    if (event) {
      const sk = `${EVENT_PREFIX}${event.at}#${randomBytes(6).toString('hex')}`;
      this.batch.set({ kind: 'put', table: this.table, key: { pk: current.pk, sk }, item: { ...event, expiresAt: current.expiresAt }, onConditionFailed: 'retry' });
    }
    if (releaseIdentifier && nextStatus !== undefined && nextStatus !== 'active' && current.identifier !== undefined) {
      this.batch.set({
        kind: 'delete',
        table: this.table,
        key: identifierKey(current.app, current.identifier),
        condition: { expression: '#journeyId = :journeyId', names: { '#journeyId': 'journeyId' }, values: { ':journeyId': current.id } },
        onConditionFailed: 'retry',
      });
    }
  }

  /** A journey started in this request is put whole; an existing one gets only its changes. */
  private queue(state: JourneyState): void {
    const journey = state.current!;
    const size = itemSize(journey as unknown as Json);
    if (size > MAX_ITEM_BYTES) throw itemTooLarge(size);
    const key = { pk: journey.pk, sk: JOURNEY };
    if (!state.original) {
      const { pk: _pk, sk: _sk, ...item } = journey;
      this.batch.set({ kind: 'put', table: this.table, key, item, condition: { expression: 'attribute_not_exists(pk)' }, onConditionFailed: 'retry' });
      return;
    }
    // DynamoDB refuses unused placeholders, so only what this update touches is named
    const names: Record<string, string> = { '#status': 'status', '#updatedAt': 'updatedAt', '#expiresAt': 'expiresAt' };
    const values: Record<string, unknown> = { ':updatedAt': journey.updatedAt, ':active': 'active', ':now': Math.floor(this.now.getTime() / 1000) };
    const sets = ['#updatedAt = :updatedAt'];
    if (state.dataChanges.size > 0) names['#data'] = 'data';
    [...state.dataChanges].forEach(([name, value], index) => {
      names[`#d${index}`] = name;
      values[`:d${index}`] = value;
      sets.push(`#data.#d${index} = :d${index}`);
    });
    if (journey.step !== state.original.step) {
      names['#step'] = 'step';
      values[':step'] = journey.step;
      sets.push('#step = :step');
    }
    if (journey.status !== state.original.status) {
      values[':status'] = journey.status;
      sets.push('#status = :status');
    }
    let update = `SET ${sets.join(', ')}`;
    if (state.events.length > 0) {
      names['#eventCount'] = 'eventCount';
      values[':events'] = state.events.length;
      update += ' ADD #eventCount :events';
    }
    this.batch.set({
      kind: 'update',
      table: this.table,
      key,
      update,
      names,
      values,
      sizeAfter: size,
      condition: { expression: '#status = :active AND #expiresAt > :now' },
      onConditionFailed: new HttpProblem('journey_not_active', 'The journey ended while this request ran; it takes no more updates.'),
    });
  }

  private async state(id: unknown): Promise<JourneyState | undefined> {
    if (!isJourneyId(id)) return undefined;
    const known = this.journeys.get(id);
    if (known) return known;
    return this.remember(id, (await this.read({ pk: `${JOURNEY}#${id}`, sk: JOURNEY })) as JourneyItem | undefined);
  }

  private remember(id: string, item: JourneyItem | undefined): JourneyState {
    // journeys belong to their app: another app's journey does not exist here
    const journey = item && item.app === this.app ? { ...item, eventCount: item.eventCount ?? 0 } : null;
    const state: JourneyState = { original: journey, current: journey, dataChanges: new Map(), events: [] };
    this.journeys.set(id, state);
    return state;
  }

  /**
   * The journey and its events in one Query of its partition: events (`event#…`) sort before the
   * journey item (`journey`), so a journey with up to MAX_EVENTS_READ events comes whole in the
   * first page (1 MB). Beyond that, the journey item is a second Query of its own key.
   */
  private async getWithEvents(id: string): Promise<Json | null> {
    const events: JourneyEvent[] = [];
    let journey: JourneyItem | undefined;
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.queryPartition(id, { Limit: MAX_EVENTS_READ + 1 - events.length, ...(startKey ? { ExclusiveStartKey: startKey } : {}) });
      for (const item of page.Items ?? []) {
        if (item.sk === JOURNEY) journey = item as unknown as JourneyItem;
        else if (events.length < MAX_EVENTS_READ && String(item.sk).startsWith(EVENT_PREFIX)) events.push(eventOfItem(item));
      }
      startKey = page.LastEvaluatedKey;
    } while (startKey && !journey && events.length < MAX_EVENTS_READ);
    if (!journey && startKey) {
      const page = await this.queryPartition(id, { KeyConditionExpression: 'pk = :pk AND sk = :journey', ExpressionAttributeValues: { ':pk': `${JOURNEY}#${id}`, ':journey': JOURNEY } });
      journey = page.Items?.[0] as JourneyItem | undefined;
    }
    const state = this.remember(id, journey);
    return state.current ? { ...this.view(state.current), events } : null;
  }

  private queryPartition(id: string, extra: Record<string, unknown>): Promise<{ Items?: Json[]; LastEvaluatedKey?: Record<string, unknown> }> {
    return withStorage(() =>
      this.dynamo.send(new QueryCommand({ TableName: this.table, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': `${JOURNEY}#${id}` }, ConsistentRead: true, ...extra })),
    );
  }

  private async read(key: { pk: string; sk: string }): Promise<Json | undefined> {
    const { Item } = await withStorage(() => this.dynamo.send(new GetCommand({ TableName: this.table, Key: key, ConsistentRead: true })));
    return Item;
  }

  private async storedEvents(id: string): Promise<JourneyEvent[]> {
    const events: JourneyEvent[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await withStorage(() =>
        this.dynamo.send(
          new QueryCommand({
            TableName: this.table,
            KeyConditionExpression: 'pk = :pk AND begins_with(sk, :events)',
            ExpressionAttributeValues: { ':pk': `${JOURNEY}#${id}`, ':events': EVENT_PREFIX },
            ConsistentRead: true,
            Limit: MAX_EVENTS_READ - events.length,
            ...(startKey ? { ExclusiveStartKey: startKey } : {}),
          }),
        ),
      );
      for (const item of page.Items ?? []) events.push(eventOfItem(item));
      startKey = page.LastEvaluatedKey;
    } while (startKey && events.length < MAX_EVENTS_READ);
    return events;
  }

  private view(journey: JourneyItem): Json {
    return {
      id: journey.id,
      identifier: journey.identifier ?? null,
      status: statusOf(journey, this.now),
      step: journey.step,
      data: journey.data,
      eventCount: journey.eventCount,
      createdAt: journey.createdAt,
      updatedAt: journey.updatedAt,
      expiresAt: new Date(journey.expiresAt * 1000).toISOString(),
    };
  }
}

function eventOfItem(item: Json): JourneyEvent {
  return { type: String(item.type), ...(item.data === undefined ? {} : { data: item.data }), at: String(item.at) };
}

function isJourneyId(id: unknown): id is string {
  return typeof id === 'string' && id !== '' && id.length <= 128;
}

/** Expired is derived, so a journey reads as expired from the moment it expires, before TTL removes it. */
function statusOf(journey: JourneyItem, now: Date): JourneyStatus {
  return journey.status === 'active' && journey.expiresAt * 1000 <= now.getTime() ? 'expired' : journey.status;
}

function identifierKey(app: string, identifier: string): { pk: string; sk: string } {
  return { pk: `identifier#${app}#${identifier}`, sk: 'identifier' };
}

function identifierInUse(): HttpProblem {
  return new HttpProblem('journey_identifier_in_use', 'An active journey of this app already has this identifier.');
}

export function journeyNotFound(): HttpProblem {
  return new HttpProblem('journey_not_found', 'No journey of this app has this id.');
}

function optionalIdentifier(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' || value === '' || value.length > MAX_IDENTIFIER_LENGTH) {
    throw badRequest('invalid_journey', `A journey identifier must be a non-empty string of at most ${MAX_IDENTIFIER_LENGTH} characters.`);
  }
  return value;
}

function optionalStep(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string' || value.length > 256) throw badRequest('invalid_journey', 'A journey step must be a string of at most 256 characters.');
  return value;
}

function dataObject(value: unknown): Json | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object' || Array.isArray(value)) throw badRequest('invalid_journey', 'Journey data must be an object; its keys are merged into the journey data.');
  return value as Json;
}

function targetStatus(value: unknown): 'active' | 'completed' | 'aborted' | undefined {
  if (value === undefined || value === null || value === 'active') return undefined;
  if (value === 'completed' || value === 'aborted') return value;
  throw badRequest('invalid_journey', `A journey's status can be set to "completed" or "aborted", not ${JSON.stringify(value)}.`);
}

function eventOf(event: { type: unknown; data?: unknown }, now: Date): JourneyEvent {
  if (typeof event.type !== 'string' || event.type === '' || event.type.length > 128) {
    throw badRequest('invalid_journey', 'A journey event type must be a non-empty string of at most 128 characters.');
  }
  return { type: event.type, ...(event.data === undefined || event.data === null ? {} : { data: event.data }), at: now.toISOString() };
}
