import type { IamRequest } from './iam';

/** Where the tables live, for their ARNs. */
export interface AccountRegion {
  /** @default 'aws' */
  readonly partition?: string;
  readonly region: string;
  readonly account: string;
}

/** A DynamoDB API call as a client sends it: the operation's name and its input. */
export interface DynamoDbCall {
  /** e.g. `GetItem`, `Query`, `TransactWriteItems`; the document client's `Get`, `TransactWrite`, … work too */
  readonly operation: string;
  readonly input: Readonly<Record<string, unknown>>;
}

/** The document client's (@aws-sdk/lib-dynamodb) names for the API operations it sends. */
const DOCUMENT_CLIENT_NAMES: Readonly<Record<string, string>> = {
  Get: 'GetItem',
  Put: 'PutItem',
  Update: 'UpdateItem',
  Delete: 'DeleteItem',
  TransactWrite: 'TransactWriteItems',
  TransactGet: 'TransactGetItems',
  BatchGet: 'BatchGetItem',
  BatchWrite: 'BatchWriteItem',
};

/** Operations authorized by one action on the table, or on the index when the call names one. */
const SINGLE_TABLE = new Set(['GetItem', 'PutItem', 'UpdateItem', 'DeleteItem', 'Query', 'Scan', 'DescribeTable']);

/** TransactWriteItems is authorized item by item, each with its own action. */
const TRANSACTION_ITEM_ACTIONS: Readonly<Record<string, string>> = { Put: 'PutItem', Update: 'UpdateItem', Delete: 'DeleteItem', ConditionCheck: 'ConditionCheckItem' };

/**
 * The IAM requests one DynamoDB call makes: its action on the table's ARN, or on the index's
 * (`table/NAME/index/INDEX`) for a Query or Scan of an index. A TransactWriteItems is authorized
 * as the per-item actions on each item's table (PutItem, UpdateItem, DeleteItem,
 * ConditionCheckItem), and TransactGetItems as GetItem on each.
 * @see https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/transaction-apis-iam.html
 * @see https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazondynamodb.html (the index resource type)
 */
export function dynamoDbRequests(call: DynamoDbCall, where: AccountRegion): IamRequest[] {
  const arn = (table: string, index?: string) =>
    `arn:${where.partition ?? 'aws'}:dynamodb:${where.region}:${where.account}:table/${table}${index === undefined ? '' : `/index/${index}`}`;
  const named = call.operation.replace(/Command$/, '');
  const operation = DOCUMENT_CLIENT_NAMES[named] ?? named;
  if (SINGLE_TABLE.has(operation)) {
    const table = tableOf(call.input, operation);
    const index = typeof call.input.IndexName === 'string' ? call.input.IndexName : undefined;
    return [{ action: `dynamodb:${operation}`, resource: arn(table, index) }];
  }
  if (operation === 'TransactWriteItems' || operation === 'TransactGetItems') {
    const items = (call.input.TransactItems ?? []) as ReadonlyArray<Record<string, { TableName?: unknown }>>;
    return items.flatMap((item) =>
      Object.entries(item).map(([kind, part]) => {
        const action = operation === 'TransactGetItems' ? 'GetItem' : TRANSACTION_ITEM_ACTIONS[kind];
        if (action === undefined) throw new Error(`TransactWriteItems item "${kind}" is not one DynamoDB accepts (Put, Update, Delete, ConditionCheck).`);
        return { action: `dynamodb:${action}`, resource: arn(tableOf(part as Record<string, unknown>, `${operation} ${kind}`)) };
      }),
    );
  }
  throw new Error(`No IAM mapping for DynamoDB ${operation} yet; add it to lib/local/cloud/dynamodb-iam.ts.`);
}

function tableOf(input: Readonly<Record<string, unknown>>, what: string): string {
  if (typeof input.TableName !== 'string') throw new Error(`DynamoDB ${what} without a TableName.`);
  return input.TableName;
}
