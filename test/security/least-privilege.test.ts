// Shares a process: dynamo (its tables have the file's own prefix on the run's DynamoDB Local; it keeps no other state; see scripts/run-tests.ts)
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { AirDataModel, ApiApp, ApiAuth, AppApi, field, op, type AppDeclaration } from '../../lib';
import { dynamoDbRequests } from '../../lib/local/cloud/dynamodb-iam';
import { actionMatches, isAllowed, statementsOf, type IamRequest, type PolicyDocument } from '../../lib/local/cloud/iam';
import { tablesOf } from '../support/dynamo';
import { apps as labApps } from '../support/lab-app';
import { RuntimeHarness, type Answer, type ObservedDynamoCall, type RequestOptions } from '../support/runtime';

const tables = tablesOf(__filename);

/**
 * Least privilege, measured rather than mirrored: every route of every app runs on the handler
 * runtime and DynamoDB Local, each DynamoDB call it sends is recorded, and then, against the IAM
 * policy synthesized for that route's handler role,
 *  - every call is allowed (the chain can do its work in AWS), and
 *  - every action × resource the policy grants was used by some call (it grants nothing more).
 * The routes' scenarios below drive each chain through its branches (new and existing records,
 * conflicts, replays); a route without a scenario fails the test.
 */

// where the synthesized ARNs point once CloudFormation resolves them
const ACCOUNT_REGION = { partition: 'aws', region: 'eu-west-1', account: '123456789012' };
const PSEUDO_PARAMETERS: Record<string, string> = {
  'AWS::Partition': ACCOUNT_REGION.partition,
  'AWS::Region': ACCOUNT_REGION.region,
  'AWS::AccountId': ACCOUNT_REGION.account,
  'AWS::URLSuffix': 'amazonaws.com',
};

/** Operation variants neither the booking app nor the lab app uses. */
const declareVariants: AppDeclaration = (environment) => {
  const app = new ApiApp(environment, 'Variants');
  const members = new AirDataModel(app, 'Members', {
    fields: { handle: field.text({ unique: true }), team: field.text({ optional: true }) },
    indexes: { byTeam: { partitionKey: 'team' } },
  });
  const open = ApiAuth.public();
  const id = '{% $params.memberId %}';
  new AppApi(app, 'PutMember', { method: 'PUT', path: '/members/{memberId}', auth: open, chain: [op.airdata.put(members, { id, record: '{% $body %}', as: 'member' }), op.respond({ body: '{% $member %}' })] });
  new AppApi(app, 'PatchMember', { method: 'PATCH', path: '/members/{memberId}', auth: open, chain: [op.airdata.patch(members, { id, fields: '{% $body %}', as: 'member' }), op.respond({ body: '{% $member %}' })] });
  new AppApi(app, 'DeleteMember', { method: 'DELETE', path: '/members/{memberId}', auth: open, chain: [op.airdata.delete(members, { id }), op.respond({ status: 204 })] });
  new AppApi(app, 'PlatformMembers', { method: 'GET', path: '/platform/members', auth: open, chain: [op.airdata.query(members, { filter: { team: 'platform' }, as: 'page' }), op.respond({ body: '{% $page %}' })] });
  new AppApi(app, 'AllMembers', { method: 'GET', path: '/members', auth: open, chain: [op.airdata.query(members, { as: 'page' }), op.respond({ body: '{% $page %}' })] });
  new AppApi(app, 'StartVisit', {
    method: 'POST',
    path: '/visits',
    auth: open,
    chain: [op.journey.start({ identifier: '{% $body.who %}', onConflict: 'replace', as: 'visit' }), op.respond({ status: 201, body: '{% $visit %}' })],
  });
  new AppApi(app, 'PeekVisit', { method: 'GET', path: '/visits/{visitId}', auth: open, chain: [op.journey.get({ id: '{% $params.visitId %}', as: 'visit' }), op.respond({ body: '{% $visit %}' })] });
  new AppApi(app, 'EndVisit', {
    method: 'DELETE',
    path: '/visits/{visitId}',
    auth: open,
    chain: [op.journey.end({ id: '{% $params.visitId %}', status: 'aborted', as: 'visit' }), op.respond({ body: '{% $visit %}' })],
  });
};

type Call = (routeId: string, options?: RequestOptions) => Promise<Answer>;
type Scenario = (call: Call, state: Map<string, string>) => Promise<void>;

const expectStatus = async (answer: Promise<Answer>, status: number): Promise<Answer> => {
  const settled = await answer;
  assert.equal(settled.status, status, JSON.stringify(settled.body));
  return settled;
};
const partner = { keyId: 'partner', groups: ['partners'] };
const ops = { keyId: 'ops', groups: ['ops'] };

/** Requests per route, in this order; `state` passes ids from one route's scenario to the next. */
const SCENARIOS: Record<string, Scenario> = {
  Health: async (call) => void (await expectStatus(call('Health'), 200)),
  CreateCustomer: async (call, state) => {
    const body = { name: 'Ada', email: 'ada@example.com' };
    const created = await expectStatus(call('CreateCustomer', { ...partner, body, headers: { 'Idempotency-Key': 'customer-1' } }), 201);
    await expectStatus(call('CreateCustomer', { ...partner, body, headers: { 'Idempotency-Key': 'customer-1' } }), 201);
    await expectStatus(call('CreateCustomer', { ...partner, body }), 409);
    state.set('customer', created.body.id);
  },
  GetCustomer: async (call, state) => void (await expectStatus(call('GetCustomer', { ...partner, params: { customerId: state.get('customer')! } }), 200)),
  ListCustomers: async (call) => {
    await expectStatus(call('ListCustomers', { ...partner, query: { email: 'ada@example.com' } }), 200);
    await expectStatus(call('ListCustomers', partner), 200);
  },
  CreateBooking: async (call, state) => {
    const body = { customerId: state.get('customer')!, service: 'cut', slot: '2027-01-01T10:00:00Z' };
    const started = await expectStatus(call('CreateBooking', { ...partner, body, headers: { 'Idempotency-Key': 'booking-1' } }), 201);
    await expectStatus(call('CreateBooking', { ...partner, body }), 409);
    state.set('journey', started.body.journeyId);
  },
  AddBookingEvent: async (call, state) => {
    const params = { journeyId: state.get('journey')! };
    await expectStatus(call('AddBookingEvent', { ...partner, params, body: { type: 'note', data: { room: 1 } }, headers: { 'Idempotency-Key': 'event-1' } }), 200);
    await expectStatus(call('AddBookingEvent', { ...partner, params, body: { type: 'confirm' } }), 200);
  },
  GetBooking: async (call, state) => void (await expectStatus(call('GetBooking', { ...partner, params: { journeyId: state.get('journey')! } }), 200)),
  FollowBookingLink: async (call, state) => void (await expectStatus(call('FollowBookingLink', { params: { journeyId: state.get('journey')! } }), 302)),
  DeleteCustomer: async (call, state) => void (await expectStatus(call('DeleteCustomer', { ...ops, params: { customerId: state.get('customer')! } }), 204)),
  PutNote: async (call) => {
    await expectStatus(call('PutNote', { params: { noteId: 'n1' }, body: { title: 'first' } }), 200);
    await expectStatus(call('PutNote', { params: { noteId: 'n1' }, body: { title: 'second' } }), 200);
  },
  PatchNote: async (call) => void (await expectStatus(call('PatchNote', { params: { noteId: 'n1' }, body: { tags: ['a'] } }), 200)),
  MeasureBody: async (call) => void (await expectStatus(call('MeasureBody', { body: { data: 'abc' }, headers: { 'Idempotency-Key': 'measure-1' } }), 200)),
  // an http step and a throttled route touch no table: they run, and their policies must grant no DynamoDB action
  Relay: async (call) => void (await expectStatus(call('Relay', { query: {} }), 400)),
  Throttled: async (call) => void (await expectStatus(call('Throttled'), 200)),
  PutMember: async (call) => {
    await expectStatus(call('PutMember', { params: { memberId: 'm1' }, body: { handle: 'ada', team: 'platform' } }), 200);
    await expectStatus(call('PutMember', { params: { memberId: 'm1' }, body: { handle: 'lovelace', team: 'platform' } }), 200);
  },
  PatchMember: async (call) => void (await expectStatus(call('PatchMember', { params: { memberId: 'm1' }, body: { handle: 'countess' } }), 200)),
  PlatformMembers: async (call) => void (await expectStatus(call('PlatformMembers'), 200)),
  AllMembers: async (call) => void (await expectStatus(call('AllMembers'), 200)),
  DeleteMember: async (call) => void (await expectStatus(call('DeleteMember', { params: { memberId: 'm1' } }), 204)),
  StartVisit: async (call, state) => {
    await expectStatus(call('StartVisit', { body: { who: 'grace' }, headers: { 'Idempotency-Key': 'visit-1' } }), 201);
    const replaced = await expectStatus(call('StartVisit', { body: { who: 'grace' } }), 201);
    state.set('visit', replaced.body.id);
  },
  PeekVisit: async (call, state) => void (await expectStatus(call('PeekVisit', { params: { visitId: state.get('visit')! } }), 200)),
  EndVisit: async (call, state) => void (await expectStatus(call('EndVisit', { params: { visitId: state.get('visit')! } }), 200)),
};

/** CloudFormation values with the intrinsics these policies use resolved: Fn::Join, Ref of pseudo parameters; other references stay symbolic. */
function resolve(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(resolve);
  if (value === null || typeof value !== 'object') return value;
  const entries = Object.entries(value);
  const [key, argument] = entries[0] ?? [];
  if (entries.length === 1 && key === 'Fn::Join') {
    const [separator, parts] = argument as [string, unknown[]];
    return parts.map((part) => {
      const resolved = resolve(part);
      if (typeof resolved !== 'string') throw new Error(`Fn::Join part did not resolve to a string: ${JSON.stringify(part)}`);
      return resolved;
    }).join(separator);
  }
  if (entries.length === 1 && key === 'Ref') return PSEUDO_PARAMETERS[argument as string] ?? `cfn:Ref:${argument}`;
  if (entries.length === 1 && key === 'Fn::GetAtt') return `cfn:GetAtt:${(argument as string[]).join('.')}`;
  if (entries.length === 1 && key?.startsWith('Fn::')) throw new Error(`No resolution for ${key} here: ${JSON.stringify(value)}`);
  return Object.fromEntries(entries.map(([name, inner]) => [name, resolve(inner)]));
}

/**
 * The IAM policies of each route's handler role as synthesized (inline and attached), found from
 * the function constructs, so the check holds wherever the roles live (a role per handler, or roles
 * shared and kept in stacks of their own).
 */
function handlerPolicies(harness: RuntimeHarness): Map<string, PolicyDocument[]> {
  const templates = new Map<Stack, Record<string, { Type: string; Properties: any }>>();
  const resourcesOf = (stack: Stack) => {
    if (!templates.has(stack)) templates.set(stack, Template.fromStack(stack).toJSON().Resources);
    return templates.get(stack)!;
  };
  const policies = new Map<string, PolicyDocument[]>();
  for (const fn of harness.stack.node.findAll().filter((construct): construct is lambda.Function => construct instanceof lambda.Function)) {
    const cfnFunction = fn.node.defaultChild as lambda.CfnFunction;
    const routeId = (Stack.of(fn).resolve(cfnFunction.environment) as { variables?: Record<string, string> } | undefined)?.variables?.APPAPI_ROUTE;
    if (routeId === undefined) continue;
    assert.ok(fn.role instanceof iam.Role, `${routeId}: its role is not one this stack defines`);
    const roleStack = Stack.of(fn.role);
    const roleId = roleStack.getLogicalId(fn.role.node.defaultChild as iam.CfnRole);
    const resources = resourcesOf(roleStack);
    const role = resources[roleId]!;
    assert.equal(role.Properties.ManagedPolicyArns, undefined, `${routeId}: a managed policy on the handler role cannot be checked here`);
    const attached = Object.values(resources).filter(
      (candidate) => candidate.Type === 'AWS::IAM::Policy' && (candidate.Properties.Roles ?? []).some((ref: { Ref?: string }) => ref.Ref === roleId),
    );
    policies.set(routeId, [...(role.Properties.Policies ?? []), ...attached.map((policy) => policy.Properties)].map((policy) => resolve(policy.PolicyDocument) as PolicyDocument));
  }
  return policies;
}

const key = (request: IamRequest) => `${request.action.toLowerCase()} ${request.resource}`;

describe('least privilege: each handler may make exactly the DynamoDB calls its chain makes', () => {
  const observed: ObservedDynamoCall[] = [];
  let harness: RuntimeHarness;
  before(async () => {
    harness = await RuntimeHarness.start([...labApps, declareVariants], { tables, observe: (call) => observed.push(call) });
  });
  after(() => harness?.stop());

  it('every route of every app runs through its scenario', async () => {
    const routes = harness.manifest.routes.map((route) => route.id);
    assert.deepEqual(routes.filter((route) => !SCENARIOS[route]), [], 'routes without a scenario');
    const state = new Map<string, string>();
    for (const [routeId, scenario] of Object.entries(SCENARIOS)) {
      assert.ok(routes.includes(routeId), `scenario for an undeclared route ${routeId}`);
      await scenario((id, options) => harness.call(id, options), state);
    }
    assert.ok(observed.length > 0);
  });

  it('every DynamoDB call a route made is allowed by its handler\'s policy', () => {
    const policies = handlerPolicies(harness);
    const refused: string[] = [];
    for (const call of observed) {
      const documents = policies.get(call.routeId);
      assert.ok(documents, `no handler role for ${call.routeId}`);
      for (const request of dynamoDbRequests({ operation: call.command, input: call.input }, ACCOUNT_REGION)) {
        if (!isAllowed(documents, request)) refused.push(`${call.routeId}: ${request.action} on ${request.resource}`);
      }
    }
    assert.deepEqual([...new Set(refused)], []);
  });

  it('no policy grants a DynamoDB action on a resource its route never used, nor anything but writing logs', () => {
    const used = new Map<string, Set<string>>();
    for (const call of observed) {
      const keys = used.get(call.routeId) ?? new Set<string>();
      for (const request of dynamoDbRequests({ operation: call.command, input: call.input }, ACCOUNT_REGION)) keys.add(key(request));
      used.set(call.routeId, keys);
    }
    const unused: string[] = [];
    for (const [routeId, documents] of handlerPolicies(harness)) {
      for (const statement of documents.flatMap((document) => statementsOf(document))) {
        assert.equal(statement.Effect, 'Allow', `${routeId}: ${statement.Sid}`);
        const actions = typeof statement.Action === 'string' ? [statement.Action] : statement.Action!;
        const resources = typeof statement.Resource === 'string' ? [statement.Resource] : statement.Resource!;
        if (actions.every((action) => !actionMatches(action, 'dynamodb:GetItem') && actionMatches('logs:*', action))) {
          // the Lambda platform's own writes: its log groups' streams and events, named, never `*`
          assert.deepEqual(actions.filter((action) => !['logs:CreateLogStream', 'logs:PutLogEvents'].includes(action)), [], `${routeId}: ${statement.Sid}`);
          assert.ok(resources.every((resource) => resource !== '*' && /log-group|Logs/.test(resource)), `${routeId}: ${statement.Sid} on ${resources}`);
          continue;
        }
        for (const action of actions) {
          assert.ok(actionMatches('dynamodb:*', action), `${routeId}: ${statement.Sid} grants ${action}, which the chain runtime never calls`);
          for (const resource of resources) {
            if (!used.get(routeId)?.has(key({ action, resource }))) unused.push(`${routeId}: ${action} on ${resource}`);
          }
        }
      }
    }
    assert.deepEqual(unused, []);
  });
});
