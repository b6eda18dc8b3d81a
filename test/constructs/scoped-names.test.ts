// Shares a process: cdk-apps (it builds and synthesizes CDK apps and reads their output; see scripts/run-tests.ts)
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Stack, type CfnElement } from 'aws-cdk-lib';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type { CfnLogGroup } from 'aws-cdk-lib/aws-logs';
import { Template } from 'aws-cdk-lib/assertions';
import { declareBooking } from '../../lib/apps/booking';
import { AirDataModel, ApiApp, ApiAuth, AppApi, field, op, type AppApiStack, type AppDeclaration } from '../../lib';
import { findModelKey, findRouteByName, routeDisplayName } from '../../lib/cli/find-route';
import { snapshotEnvironment } from '../../lib/lock/environment-snapshot';
import { checkAgainstLock } from '../../lib/lock/lock-check';
import { readLockFile } from '../../lib/lock/lock-file';
import { openApiDocument } from '../../lib/openapi';
import { fitName } from '../../lib/scoped-names';
import { allTemplates, environmentStack } from '../support/cdk';

/** Another team's app declaring the reference app's ids and model name, on paths of its own. */
const declareShop: AppDeclaration = (environment) => {
  const shop = new ApiApp(environment, 'Shop');
  const customers = new AirDataModel(shop, 'Customers', { fields: { name: field.text(), email: field.email({ unique: true }) } });
  new AppApi(shop, 'GetCustomer', {
    method: 'GET',
    path: '/shop/customers/{customerId}',
    auth: ApiAuth.keyGroups('partners'),
    chain: [op.airdata.get(customers, { id: '{% $params.customerId %}', as: 'customer' }), op.respond({ body: '{% $customer %}' })],
  });
  new AppApi(shop, 'Health', { method: 'GET', path: '/shop/health', auth: ApiAuth.public(), chain: [op.respond({ body: { ok: true } })] });
};

const deployedDev = readLockFile()!.environments.dev!;
const pinned = { deployedNames: { models: deployedDev.models, ...(deployedDev.appApis ? { appApis: deployedDev.appApis } : {}) } };

function handlerOf(stack: AppApiStack, routeId: string): { logicalId: string; environment: Record<string, string>; logGroup: string } {
  for (const routeStack of stack.routeStacks) {
    const handler = routeStack.handlers.get(routeId);
    if (!handler) continue;
    const cfn = handler.function.node.defaultChild as CfnElement;
    const template = Template.fromStack(routeStack).toJSON().Resources as Record<string, { Properties: { Environment: { Variables: Record<string, string> } } }>;
    const logicalId = routeStack.getLogicalId(cfn);
    return { logicalId, environment: template[logicalId]!.Properties.Environment.Variables, logGroup: String(routeStack.resolve((handler.logGroup.node.defaultChild as CfnLogGroup).logGroupName)) };
  }
  throw new Error(`no handler for ${routeId}`);
}

function tableOf(stack: AppApiStack, key: string): { logicalId: string; tableName: string } {
  const model = stack.node.findAll().find((c): c is AirDataModel => c instanceof AirDataModel && c.manifestKey === key);
  assert.ok(model, `no model ${key}`);
  const cfn = model.table.node.defaultChild as CfnElement;
  const resource = Template.fromStack(stack).toJSON().Resources[stack.getLogicalId(cfn)] as { Properties: { TableName: string } };
  return { logicalId: stack.getLogicalId(cfn), tableName: resource.Properties.TableName };
}

function roleStatements(stack: AppApiStack, routeId: string): Array<{ Sid: string; Action: string | string[]; Resource: unknown }> {
  const role = stack.handlerRoles.roleOf(routeId) as iam.Role;
  const roleStack = Stack.of(role);
  const resources = Template.fromStack(roleStack).toJSON().Resources as Record<string, { Properties: { Policies: Array<{ PolicyDocument: { Statement: never[] } }> } }>;
  return resources[roleStack.getLogicalId(role.node.defaultChild as CfnElement)]!.Properties.Policies[0]!.PolicyDocument.Statement;
}

describe('App API ids and model names are scoped by their app', () => {
  const alone = environmentStack([declareBooking], pinned);
  const together = environmentStack([declareBooking, declareShop], pinned);

  it('what the reference app deployed keeps its names when another app declares the same ids: table, logical ids, handler, operationId', () => {
    const ids = together.manifest.routes.map((route) => route.id);
    assert.ok(ids.includes('GetCustomer') && ids.includes('shop.GetCustomer') && ids.includes('Health') && ids.includes('shop.Health'), ids.join(', '));
    assert.deepEqual(Object.keys(together.manifest.models).sort(), ['Customers', 'shop.Customers']);
    assert.deepEqual(tableOf(together, 'Customers'), tableOf(alone, 'Customers'));
    assert.equal(tableOf(together, 'Customers').tableName, 'appapi-dev-customers');
    assert.equal(tableOf(together, 'shop.Customers').tableName, 'appapi-dev-shop-customers');
    assert.deepEqual(handlerOf(together, 'GetCustomer'), handlerOf(alone, 'GetCustomer'));
    const shopHandler = handlerOf(together, 'shop.GetCustomer');
    assert.equal(shopHandler.environment.APPAPI_ROUTE, 'shop.GetCustomer');
    assert.equal(shopHandler.logGroup, '/appapi/appapi-dev/shop/GetCustomer');
    assert.equal(handlerOf(together, 'GetCustomer').logGroup, '/appapi/appapi-dev/booking/GetCustomer');
    const operationIds = Object.values((openApiDocument(together.manifest) as { paths: Record<string, unknown> }).paths).flatMap((item) => Object.values(item as Record<string, { operationId?: string }>).map((operation) => operation.operationId)).filter(Boolean);
    assert.ok(operationIds.includes('GetCustomer') && operationIds.includes('shop.GetCustomer'), operationIds.join(', '));
    assert.equal(new Set(operationIds).size, operationIds.length);
    // the lock check of the deployed environment passes: nothing of the reference app moves
    assert.deepEqual(checkAgainstLock('dev', deployedDev, snapshotEnvironment(together)).filter((finding) => finding.severity === 'error'), []);
  });

  it('without a deployed state, both apps are scoped alike; an app alone keeps bare names', () => {
    const fresh = environmentStack([declareBooking, declareShop]);
    const ids = fresh.manifest.routes.map((route) => route.id);
    assert.ok(ids.includes('booking.GetCustomer') && ids.includes('shop.GetCustomer') && !ids.includes('GetCustomer'), ids.join(', '));
    assert.ok(ids.includes('CreateBooking'), 'an id only one app declares stays bare');
    assert.equal(tableOf(fresh, 'booking.Customers').tableName, 'appapi-dev-booking-customers');
    assert.equal(tableOf(fresh, 'shop.Customers').tableName, 'appapi-dev-shop-customers');
    const lonely = environmentStack([declareShop]);
    assert.deepEqual(lonely.manifest.routes.map((route) => route.id).sort(), ['GetCustomer', 'Health']);
    assert.equal(tableOf(lonely, 'Customers').tableName, 'appapi-dev-customers');
  });

  it('each handler may touch only its own app\'s table of the shared name', () => {
    const tableArn = (name: string) => new RegExp(`:table/${name}"`);
    const shop = JSON.stringify(together.resolve(roleStatements(together, 'shop.GetCustomer')));
    assert.match(shop, tableArn('appapi-dev-shop-customers'));
    assert.doesNotMatch(shop, tableArn('appapi-dev-customers'));
    const booking = JSON.stringify(together.resolve(roleStatements(together, 'GetCustomer')));
    assert.match(booking, tableArn('appapi-dev-customers'));
    assert.doesNotMatch(booking, tableArn('appapi-dev-shop-customers'));
  });

  it('sharing a model is explicit, by its app\'s name, and its IAM is exactly what the sharing chain does', () => {
    const reporting: AppDeclaration = (environment) => {
      const app = new ApiApp(environment, 'Reporting');
      new AppApi(app, 'CountCustomers', {
        method: 'GET',
        path: '/reports/customers',
        auth: ApiAuth.keyGroups('ops'),
        chain: [op.airdata.query(AirDataModel.fromApp(app, 'booking', 'Customers'), { as: 'page' }), op.respond({ body: { count: '{% $count($page.items) %}' } })],
      });
      new AppApi(app, 'FindCustomer', {
        method: 'GET',
        path: '/reports/customers/{customerId}',
        auth: ApiAuth.keyGroups('ops'),
        chain: [op.airdata.get('shop.Customers', { id: '{% $params.customerId %}', as: 'customer' }), op.respond({ body: '{% $customer %}' })],
      });
    };
    const stack = environmentStack([declareBooking, declareShop, reporting], pinned);
    const count = stack.resolve(roleStatements(stack, 'CountCustomers')) as Array<{ Action: string | string[]; Resource: unknown }>;
    const data = count.filter((statement) => JSON.stringify(statement.Resource).includes(':table/'));
    assert.deepEqual(data.map((statement) => [statement.Action].flat()), [['dynamodb:Scan']]);
    assert.match(JSON.stringify(data), /:table\/appapi-dev-customers"/);
    const find = JSON.stringify(stack.resolve(roleStatements(stack, 'FindCustomer')));
    assert.match(find, /"dynamodb:GetItem"/);
    assert.match(find, /:table\/appapi-dev-shop-customers"/);
    assert.doesNotMatch(find, /:table\/appapi-dev-customers"/);
  });

  it('error flow: a bare name of another app\'s model, an unknown app model, the same id twice in one app', () => {
    const borrowing: AppDeclaration = (environment) => {
      const app = new ApiApp(environment, 'Reporting');
      new AppApi(app, 'Count', { method: 'GET', path: '/count', auth: ApiAuth.public(), chain: [op.airdata.query('Customers', { as: 'page' }), op.respond({ body: '{% $page %}' })] });
    };
    assert.throws(
      () => environmentStack([declareBooking, declareShop, borrowing]),
      /App API "Count" \(GET \/count\), step 1 \(airdata\.query\): AirData model "Customers" is not declared by app reporting but by app booking and app shop\. Models are scoped by their app; to share one, name it with its app: op\.airdata\.…\('booking\.Customers', …\) or AirDataModel\.fromApp\(scope, 'booking', 'Customers'\) \(candidates: booking\.Customers, shop\.Customers\), or declare the model in app reporting\./,
    );
    const misnamed: AppDeclaration = (environment) => {
      const app = new ApiApp(environment, 'Reporting');
      new AppApi(app, 'Count', { method: 'GET', path: '/count', auth: ApiAuth.public(), chain: [op.airdata.query('booking.Clients', { as: 'page' }), op.respond({ body: '{% $page %}' })] });
    };
    assert.throws(() => environmentStack([declareBooking, misnamed]), /unknown AirData model "booking\.Clients": app booking declares Customers\. Name another app's model as "app\.Model", e\.g\. AirDataModel\.fromApp\(scope, 'booking', 'Customers'\)/);
  });

  it('long app and model names fit DynamoDB\'s 255 characters, deterministically and distinctly', () => {
    const longName = (suffix: string) => `M${'x'.repeat(240)}${suffix}`;
    const long: AppDeclaration = (environment) => {
      for (const appName of ['a'.repeat(40), 'b'.repeat(40)]) {
        const app = new ApiApp(environment, appName.toUpperCase(), { appName });
        for (const suffix of ['one', 'two']) new AirDataModel(app, longName(suffix), { fields: { name: field.text() } });
      }
    };
    const names = Object.values(environmentStack([long]).manifest.models).map((model) => model.table);
    assert.equal(new Set(names).size, 4);
    for (const name of names) assert.ok(name.length <= 255 && name.startsWith(`appapi-dev-`), name);
    assert.deepEqual(Object.values(environmentStack([long]).manifest.models).map((model) => model.table), names);
    assert.equal(fitName('short', 255), 'short');
  });

  it('the CLI names an App API by its id when one app declares it, else by app.Id, and says so', () => {
    const { manifest } = together;
    assert.equal(findRouteByName(manifest, 'shop.GetCustomer').id, 'shop.GetCustomer');
    assert.equal(findRouteByName(manifest, 'booking.GetCustomer').id, 'GetCustomer');
    assert.equal(findRouteByName(manifest, 'CreateBooking').id, 'CreateBooking');
    assert.throws(() => findRouteByName(manifest, 'GetCustomer'), /"GetCustomer" names App APIs of 2 apps in dev \(booking\.GetCustomer, shop\.GetCustomer\): write the app too, e\.g\. booking\.GetCustomer\./);
    assert.throws(() => findRouteByName(manifest, 'Nope'), /No App API "Nope" in dev\. It has: /);
    const display = manifest.routes.map((route) => routeDisplayName(manifest.routes, route));
    assert.ok(display.includes('booking.GetCustomer') && display.includes('shop.GetCustomer') && display.includes('CreateBooking'), display.join(', '));
    for (const name of display) assert.equal(routeDisplayName(manifest.routes, findRouteByName(manifest, name)), name);
    assert.equal(findModelKey(manifest, 'booking.Customers'), 'Customers');
    assert.equal(findModelKey(manifest, 'shop.Customers'), 'shop.Customers');
    assert.equal(findModelKey(manifest, 'Orders'), undefined);
    assert.throws(() => findModelKey(manifest, 'Customers'), /"Customers" names AirData models of 2 apps in dev \(booking\.Customers, shop\.Customers\): write the app too, e\.g\. booking\.Customers\./);
  });

  it('every template of the two apps names distinct functions and log groups', () => {
    const logGroups = allTemplates(together).flatMap(({ template }) => Object.values(template.findResources('AWS::Logs::LogGroup')).map((resource) => (resource as { Properties: { LogGroupName?: unknown } }).Properties.LogGroupName)).filter((name) => name !== undefined).map((name) => JSON.stringify(name));
    assert.equal(new Set(logGroups).size, logGroups.length);
    assert.ok(logGroups.some((name) => name.includes('/shop/Health')) && logGroups.some((name) => name.includes('/booking/Health')));
  });
});
