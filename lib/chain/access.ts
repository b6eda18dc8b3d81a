import type { Chain, FilterCondition, ModelManifest, Operation, RouteManifest } from '../../lambdas/shared/manifest';
import { expressionSource } from './expression';

/** What one chain does to one table: the least-privilege IAM grant of its handler. */
export interface TableAccess {
  readonly actions: ReadonlySet<string>;
  /** Indexes the chain queries; granted one by one, never `index/*`. */
  readonly indexes: ReadonlySet<string>;
}

/** Key of the journeys table in the access map; models are keyed by model name. */
export const JOURNEYS = '#journeys';

type MutableAccess = { actions: Set<string>; indexes: Set<string> };

/** Key of the idempotency table in the access map. */
export const IDEMPOTENCY = '#idempotency';

/**
 * What one route needs: its chain's access, and for POST routes reading and recording
 * Idempotency-Key answers.
 */
export function routeAccess(route: RouteManifest, models: { readonly [name: string]: ModelManifest }): ReadonlyMap<string, TableAccess> {
  const access = new Map(chainAccess(route.chain, models));
  if (route.method === 'POST') access.set(IDEMPOTENCY, { actions: new Set(['dynamodb:GetItem', 'dynamodb:PutItem']), indexes: new Set() });
  return access;
}

/**
 * The DynamoDB actions a chain needs, per table: exactly the calls the runtime makes. Writes run
 * as one TransactWriteItems per request, which IAM authorizes item by item with the per-item
 * actions (PutItem, UpdateItem, DeleteItem), and unique fields add the actions on their marker items.
 */
export function chainAccess(chain: Chain, models: { readonly [name: string]: ModelManifest }): ReadonlyMap<string, TableAccess> {
  const access = new Map<string, MutableAccess>();
  const on = (table: string): MutableAccess => {
    let entry = access.get(table);
    if (!entry) {
      entry = { actions: new Set(), indexes: new Set() };
      access.set(table, entry);
    }
    return entry;
  };
  const visit = (steps: Chain): void => steps.forEach((step) => record(step, on, models, visit));
  visit(chain);
  return access;
}

function record(
  step: Operation,
  on: (table: string) => MutableAccess,
  models: { readonly [name: string]: ModelManifest },
  visit: (steps: Chain) => void,
): void {
  const hasUniqueFields = (modelName: string): boolean => Object.values(models[modelName]?.fields ?? {}).some((field) => field.unique);
  const grant = (table: string, ...actions: string[]): void => actions.forEach((action) => on(table).actions.add(`dynamodb:${action}`));
  switch (step.op) {
    case 'airdata.get':
      grant(step.model, 'GetItem');
      return;
    case 'airdata.query':
      if (step.index) {
        grant(step.model, 'Query');
        on(step.model).indexes.add(step.index);
        // an expression may leave the indexed field out of the filter, and the query then scans
        const partitionKey = models[step.model]?.indexes[step.index]?.partitionKey;
        if (partitionKey !== undefined && isExpression(step.filter[partitionKey])) grant(step.model, 'Scan');
      } else {
        grant(step.model, 'Scan');
      }
      return;
    case 'airdata.insert':
      // unique values are claimed by marker items whose put condition answers 409; only
      // onConflict 'existing' reads them, to answer the record holding the value
      grant(step.model, 'PutItem');
      if (step.onConflict === 'existing' && hasUniqueFields(step.model)) grant(step.model, 'GetItem');
      return;
    case 'airdata.put':
      // a new record is put, an existing one updated field by field; markers of changed unique values move
      grant(step.model, 'GetItem', 'PutItem', 'UpdateItem');
      if (hasUniqueFields(step.model)) grant(step.model, 'DeleteItem');
      return;
    case 'airdata.patch':
      grant(step.model, 'GetItem', 'UpdateItem');
      if (hasUniqueFields(step.model)) grant(step.model, 'PutItem', 'DeleteItem');
      return;
    case 'airdata.delete':
      grant(step.model, 'GetItem', 'DeleteItem');
      return;
    case 'journey.start':
      // with an identifier, its marker item and the journey holding it are read: first, to resume
      // or replace that journey; when rejecting, only once the marker's put condition failed
      grant(JOURNEYS, 'PutItem');
      if (step.identifier !== undefined) grant(JOURNEYS, 'GetItem');
      // replacing ends the active journey: its item is updated and an event appended
      if (step.onConflict === 'replace') grant(JOURNEYS, 'UpdateItem');
      return;
    case 'journey.get':
      // with its events, the journey's partition is one Query (journey item included)
      grant(JOURNEYS, step.events ? 'Query' : 'GetItem');
      return;
    case 'journey.update':
      // the journey item is updated; a declared event is an item of its own; a status may end the
      // journey, which releases its identifier's item
      grant(JOURNEYS, 'GetItem', 'UpdateItem');
      if (step.event) grant(JOURNEYS, 'PutItem');
      if (step.status !== undefined) grant(JOURNEYS, 'DeleteItem');
      return;
    case 'journey.end':
      // the journey item is updated (no event is appended) and its identifier's item released
      grant(JOURNEYS, 'GetItem', 'UpdateItem', 'DeleteItem');
      return;
    case 'when':
      visit(step.then);
      visit(step.otherwise);
      return;
    case 'validate':
    case 'transform':
    case 'http':
    case 'respond':
    case 'redirect':
      return;
  }
}

function isExpression(condition: FilterCondition | undefined): boolean {
  if (typeof condition === 'string') return expressionSource(condition) !== undefined;
  if (condition !== null && typeof condition === 'object' && !Array.isArray(condition) && 'equals' in condition) {
    return isExpression((condition as { equals?: FilterCondition }).equals);
  }
  return false;
}
