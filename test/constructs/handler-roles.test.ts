// Shares a process: cdk-stacks (it only builds and synthesizes CDK apps; see scripts/run-tests.ts)
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Stack, type CfnElement } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AirDataModel, ApiApp, ApiAuth, AppApi, field, op, type AppDeclaration } from '../../lib';
import { environmentStack } from '../support/cdk';

const shop: AppDeclaration = (environment) => {
  const app = new ApiApp(environment, 'Shop');
  const customers = new AirDataModel(app, 'Customers', { fields: { name: field.text() } });
  const orders = new AirDataModel(app, 'Orders', { fields: { total: field.number() } });
  const get = (model: AirDataModel) => [op.airdata.get(model, { id: '{% $params.id %}', as: 'record' }), op.respond({ body: '{% $record %}' })];
  // two reads of customers: the same access, one role
  new AppApi(app, 'GetCustomer', { method: 'GET', path: '/customers/{id}', auth: ApiAuth.keyGroups('partners'), chain: get(customers) });
  new AppApi(app, 'GetCustomerPublic', { method: 'GET', path: '/public/customers/{id}', auth: ApiAuth.public(), chain: get(customers) });
  // another table: another role
  new AppApi(app, 'GetOrder', { method: 'GET', path: '/orders/{id}', auth: ApiAuth.keyGroups('partners'), chain: get(orders) });
  new AppApi(app, 'Health', { method: 'GET', path: '/health', auth: ApiAuth.public(), chain: [op.respond({ body: { ok: true } })] });
  new AppApi(app, 'Ping', { method: 'GET', path: '/ping', auth: ApiAuth.public(), chain: [op.respond({ body: { ok: true } })] });
};

type Statement = { Sid: string; Action: string | string[]; Resource: unknown };
type RoleResource = { Properties: { Description: string; Policies: Array<{ PolicyDocument: { Statement: Statement[] } }> } };

describe('handler roles', () => {
  const stack = environmentStack([shop]);
  // the roles live in nested stacks of their own, out of the parent's 500 resources
  const handlerRoles = stack.handlerRoles.roles.map(({ role }) => [role.node.id, Template.fromStack(Stack.of(role)).toJSON().Resources[Stack.of(role).getLogicalId(role.node.defaultChild as CfnElement)]] as [string, RoleResource]);

  it('are shared by handlers whose chains need exactly the same access, in a nested stack of their own', () => {
    assert.deepEqual(Object.keys(Template.fromStack(stack).findResources('AWS::IAM::Role')).filter((id) => id.startsWith('HandlerRoles')), []);
    assert.equal(handlerRoles.length, 3, 'customers reads, orders reads, no data access');
    const byDescription = handlerRoles.map(([, role]) => role.Properties.Description).sort();
    assert.deepEqual(byDescription, ['Runs GetCustomer, GetCustomerPublic in dev', 'Runs GetOrder in dev', 'Runs Health, Ping in dev']);
    assert.equal(stack.handlerRoles.roleOf('GetCustomer'), stack.handlerRoles.roleOf('GetCustomerPublic'));
    assert.notEqual(stack.handlerRoles.roleOf('GetCustomer'), stack.handlerRoles.roleOf('GetOrder'));
  });

  it('let each handler write its own named log group, and the log groups of the handlers sharing it only', () => {
    const [, shared] = handlerRoles.find(([, role]) => role.Properties.Description.startsWith('Runs GetCustomer,'))!;
    const logs = shared.Properties.Policies[0]!.PolicyDocument.Statement.find((statement) => statement.Sid === 'WriteOwnLogs')!;
    const arns = JSON.stringify(logs.Resource);
    assert.match(arns, /log-group:\/appapi\/appapi-dev\/shop\/GetCustomer:\*/);
    assert.match(arns, /log-group:\/appapi\/appapi-dev\/shop\/GetCustomerPublic:\*/);
    assert.doesNotMatch(arns, /GetOrder|Health/);
    for (const routeStack of stack.routeStacks) {
      const template = Template.fromStack(routeStack);
      for (const route of routeStack.group.routes) {
        template.hasResourceProperties('AWS::Logs::LogGroup', { LogGroupName: `/appapi/appapi-dev/shop/${route.id}` });
      }
      // every function's role is a parameter from the parent: the nested stacks create no roles
      assert.deepEqual(Object.keys(template.findResources('AWS::IAM::Role')), []);
      for (const fn of Object.values(template.findResources('AWS::Lambda::Function'))) {
        assert.ok('Ref' in (fn as { Properties: { Role: object } }).Properties.Role, 'Role comes in as a parameter');
      }
    }
  });

  it('name every table and index exactly: the only wildcard is the log streams of named log groups', () => {
    for (const [, role] of handlerRoles) {
      for (const statement of role.Properties.Policies[0]!.PolicyDocument.Statement) {
        assert.ok(![statement.Action].flat().some((action) => action.includes('*')), `${statement.Sid} has a wildcard action`);
        const resources = JSON.stringify(statement.Resource);
        if (statement.Sid === 'WriteOwnLogs') assert.equal(resources.match(/\*/g)?.length, resources.match(/:log-group:\/appapi\/[^"]+:\*"/g)?.length);
        else assert.doesNotMatch(resources, /\*/, `${statement.Sid} has a wildcard resource`);
      }
    }
  });

  it('split a large sharing group so each role\'s inline policy stays under IAM\'s 10,240 characters', () => {
    const many: AppDeclaration = (environment) => {
      const app = new ApiApp(environment, 'Many');
      for (let index = 0; index < 90; index++) {
        new AppApi(app, `Ping${index}`, { method: 'GET', path: `/ping${index}`, auth: ApiAuth.public(), chain: [op.respond()] });
      }
    };
    const big = environmentStack([many]);
    const roles = big.handlerRoles.roles.map(({ role }) => [role.node.id, Template.fromStack(Stack.of(role)).toJSON().Resources[Stack.of(role).getLogicalId(role.node.defaultChild as CfnElement)]] as [string, RoleResource]);
    assert.equal(roles.length, 3, '90 handlers, at most 40 per role');
    for (const [, role] of roles) {
      // the size IAM counts: the policy without whitespace, intrinsics resolved to real ARNs
      const policy = JSON.stringify(role.Properties.Policies[0]!.PolicyDocument).replace(/\{"Fn::Join":\["",\[(.*?)\]\]\}/g, (_, parts: string) =>
        JSON.stringify(parts.replace(/\{"Ref":"AWS::Partition"\}/g, '"aws"').replace(/\{"Ref":"AWS::Region"\}/g, '"ap-southeast-2"').replace(/\{"Ref":"AWS::AccountId"\}/g, '"123456789012"').replace(/","/g, '').replace(/^"|"$/g, '')),
      );
      assert.ok(policy.length < 10_240, `inline policy of ${policy.length} characters`);
    }
  });
});
