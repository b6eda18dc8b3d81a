// Shares a process: units (its tests call functions and close the servers and sockets they open; see scripts/run-tests.ts)
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { dynamoDbRequests } from '../../../lib/local/cloud/dynamodb-iam';
import { arnMatches, evaluate, UnsupportedPolicyError, type PolicyDocument } from '../../../lib/local/cloud/iam';

const TABLE = 'arn:aws:dynamodb:eu-west-1:123456789012:table/orders';
const INDEX = `${TABLE}/index/byCustomer`;
const allow = (Action: string | string[], Resource: string | string[]): PolicyDocument => ({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action, Resource }] });

describe('IAM policy evaluation', () => {
  it('allows a listed action on a listed resource, and implicitly denies anything else', () => {
    const policy = allow(['dynamodb:GetItem', 'dynamodb:PutItem'], TABLE);
    assert.equal(evaluate([policy], { action: 'dynamodb:GetItem', resource: TABLE }), 'allow');
    assert.equal(evaluate([policy], { action: 'dynamodb:DeleteItem', resource: TABLE }), 'implicit-deny');
    assert.equal(evaluate([policy], { action: 'dynamodb:GetItem', resource: `${TABLE}-archive` }), 'implicit-deny');
    assert.equal(evaluate([policy], { action: 'dynamodb:GetItem', resource: INDEX }), 'implicit-deny', 'a table grant does not cover its indexes');
    assert.equal(evaluate([], { action: 'dynamodb:GetItem', resource: TABLE }), 'implicit-deny');
  });

  it('matches actions case-insensitively with * and ?', () => {
    assert.equal(evaluate([allow('DynamoDB:get*', TABLE)], { action: 'dynamodb:GetItem', resource: TABLE }), 'allow');
    assert.equal(evaluate([allow('dynamodb:?etItem', TABLE)], { action: 'dynamodb:GetItem', resource: TABLE }), 'allow');
    assert.equal(evaluate([allow('dynamodb:Get*', TABLE)], { action: 'dynamodb:PutItem', resource: TABLE }), 'implicit-deny');
    assert.equal(evaluate([allow('*', TABLE)], { action: 's3:GetObject', resource: TABLE }), 'allow');
  });

  it('matches resources case-sensitively; * spans "/" but stays within a colon-separated segment unless it ends one', () => {
    assert.ok(arnMatches(`${TABLE}/index/*`, INDEX));
    assert.ok(!arnMatches(`${TABLE}/index/*`, TABLE));
    assert.ok(arnMatches('arn:aws:dynamodb:*:*:table/orders', TABLE));
    assert.ok(arnMatches('arn:aws:dynamodb:eu-*-1:123456789012:table/*', INDEX));
    assert.ok(!arnMatches('arn:aws:dynamodb:eu*1:123456789012:table/orders', TABLE.replace('eu-west-1', 'eu-west-1:x')), 'a * inside a segment does not cross a colon');
    assert.ok(arnMatches('arn:aws:dynamodb:*', TABLE), 'a * that ends a segment may');
    assert.ok(!arnMatches('arn:aws:dynamodb:eu-west-1:123456789012:table/Orders', TABLE));
    assert.ok(arnMatches('arn:aws:dynamodb:eu-west-1:123456789012:table/order?', TABLE));
    assert.ok(arnMatches('*', TABLE));
  });

  it('an explicit Deny wins over any Allow, in the same or another policy', () => {
    const deny: PolicyDocument = { Statement: { Effect: 'Deny', Action: 'dynamodb:DeleteItem', Resource: '*' } };
    const everything = allow('dynamodb:*', '*');
    assert.equal(evaluate([everything, deny], { action: 'dynamodb:DeleteItem', resource: TABLE }), 'explicit-deny');
    assert.equal(evaluate([{ Statement: [...(everything.Statement as []), ...[deny.Statement as never]] }], { action: 'dynamodb:DeleteItem', resource: TABLE }), 'explicit-deny');
    assert.equal(evaluate([everything, deny], { action: 'dynamodb:GetItem', resource: TABLE }), 'allow');
  });

  it('error flow: refuses Condition, NotAction, NotResource and unresolved intrinsics rather than ignoring them', () => {
    const refuse = (statement: Record<string, unknown>, element: RegExp) =>
      assert.throws(() => evaluate([{ Statement: { Sid: 'S1', Effect: 'Allow', Action: 'dynamodb:GetItem', Resource: TABLE, ...statement } as never }], { action: 'dynamodb:GetItem', resource: TABLE }), (error: Error) => error instanceof UnsupportedPolicyError && element.test(error.message) && /S1/.test(error.message));
    refuse({ Condition: { Bool: { 'aws:SecureTransport': 'true' } } }, /Condition/);
    refuse({ NotAction: 'dynamodb:DeleteItem' }, /NotAction/);
    refuse({ NotResource: TABLE }, /NotResource/);
    refuse({ Resource: { 'Fn::GetAtt': ['Table', 'Arn'] } }, /resolve CloudFormation intrinsics/);
  });
});

describe('DynamoDB calls as IAM authorizes them', () => {
  const where = { region: 'eu-west-1', account: '123456789012' };

  it('a call is its action on the table, or on the index it names', () => {
    assert.deepEqual(dynamoDbRequests({ operation: 'GetItem', input: { TableName: 'orders', Key: {} } }, where), [{ action: 'dynamodb:GetItem', resource: TABLE }]);
    assert.deepEqual(dynamoDbRequests({ operation: 'Query', input: { TableName: 'orders', IndexName: 'byCustomer' } }, where), [{ action: 'dynamodb:Query', resource: INDEX }]);
    assert.deepEqual(dynamoDbRequests({ operation: 'Get', input: { TableName: 'orders' } }, where), [{ action: 'dynamodb:GetItem', resource: TABLE }], "the document client's name");
  });

  it('a transaction is authorized item by item with the per-item actions', () => {
    const requests = dynamoDbRequests(
      {
        operation: 'TransactWrite',
        input: { TransactItems: [{ Put: { TableName: 'orders' } }, { Update: { TableName: 'stock' } }, { Delete: { TableName: 'orders' } }, { ConditionCheck: { TableName: 'limits' } }] },
      },
      where,
    );
    assert.deepEqual(
      requests.map((request) => `${request.action} ${request.resource.split(':table/')[1]}`),
      ['dynamodb:PutItem orders', 'dynamodb:UpdateItem stock', 'dynamodb:DeleteItem orders', 'dynamodb:ConditionCheckItem limits'],
    );
  });

  it('error flow: an operation without a mapping is an error, not an allow', () => {
    assert.throws(() => dynamoDbRequests({ operation: 'ExecuteStatement', input: {} }, where), /No IAM mapping for DynamoDB ExecuteStatement/);
  });
});
