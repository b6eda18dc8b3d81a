import type { Chain, FilterCondition, ModelManifest, Operation } from '../../lambdas/shared/manifest';
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

/**
 * The DynamoDB actions a chain needs, per table. Writes run as one transaction per request, so
 * every write action also appears as the transaction's per-item action (TransactWriteItems is
 * authorized item by item), and unique fields add the actions on their marker items.
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
      grant(step.model, 'PutItem', 'ConditionCheckItem');
      if (step.onConflict === 'existing') grant(step.model, 'GetItem');
      return;
    case 'airdata.put':
    case 'airdata.patch':
      grant(step.model, step.op === 'airdata.put' ? 'PutItem' : 'UpdateItem', 'GetItem', 'ConditionCheckItem');
      // a changed unique value moves its marker item
      if (hasUniqueFields(step.model)) grant(step.model, 'PutItem', 'DeleteItem');
      return;
    case 'airdata.delete':
      grant(step.model, 'DeleteItem', 'GetItem', 'ConditionCheckItem');
      return;
    case 'journey.start':
      grant(JOURNEYS, 'PutItem', 'GetItem', 'ConditionCheckItem');
      if (step.onConflict === 'replace') grant(JOURNEYS, 'UpdateItem', 'DeleteItem');
      return;
    case 'journey.get':
      grant(JOURNEYS, 'GetItem');
      if (step.events) grant(JOURNEYS, 'Query');
      return;
    case 'journey.update':
    case 'journey.end':
      // the journey item is updated, an event item appended, an ended journey's identifier released
      grant(JOURNEYS, 'GetItem', 'UpdateItem', 'PutItem', 'DeleteItem', 'ConditionCheckItem');
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
