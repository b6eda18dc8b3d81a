// Shares a process: cdk-environments (it only builds and synthesizes CDK apps; see scripts/run-tests.ts)
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Template } from 'aws-cdk-lib/assertions';
import { ApiApp, ApiAuth, AirDataModel, AppApi, field, op, type AppDeclaration } from '../../lib';
import { buildEnvironments } from '../../lib/environments';
import { allTemplates, environmentStack, newApp, validationFindings } from '../support/cdk';

// X-Ray has no local emulator: what is deployed is checked as synthesized templates.
const notes: AppDeclaration = (environment) => {
  const app = new ApiApp(environment, 'Notes');
  const notesModel = new AirDataModel(app, 'Notes', { fields: { text: field.text() } });
  new AppApi(app, 'GetNote', { method: 'GET', path: '/notes/{noteId}', auth: ApiAuth.keyGroups('readers'), chain: [op.airdata.get(notesModel, { id: '{% $params.noteId %}', as: 'note' }), op.respond({ body: '{% $note %}' })] });
  new AppApi(app, 'Health', { method: 'GET', path: '/health', auth: ApiAuth.public(), chain: [op.respond({ body: { ok: true } })] });
};

type Resources = Record<string, { Type: string; Properties: Record<string, unknown> }>;
const functionsIn = (stack: Parameters<typeof allTemplates>[0]) =>
  allTemplates(stack).flatMap(({ template }) => Object.values(template.findResources('AWS::Lambda::Function') as Resources).map((resource) => resource.Properties));

describe('X-Ray tracing', () => {
  it('is off by default and then leaves no trace: no tracing setting, no X-Ray permission, no tracing variable', () => {
    const stack = environmentStack([notes], { environment: 'prod' });
    for (const { template } of allTemplates(stack)) {
      const json = JSON.stringify(template.toJSON());
      assert.doesNotMatch(json, /xray:|TracingConfig|APPAPI_TRACING/);
    }
    Template.fromStack(stack).hasResourceProperties('AWS::ApiGateway::Stage', { TracingEnabled: false });
  });

  it('on, traces the stage, the authorizer and every handler, whose shared roles may write segments', () => {
    const stack = environmentStack([notes], { tracing: true });
    Template.fromStack(stack).hasResourceProperties('AWS::ApiGateway::Stage', { TracingEnabled: true });
    const handlers = functionsIn(stack).filter((fn) => (fn.Environment as { Variables: Record<string, string> } | undefined)?.Variables.APPAPI_ROUTE);
    assert.equal(handlers.length, 2);
    for (const handler of handlers) {
      assert.deepEqual(handler.TracingConfig, { Mode: 'Active' });
      assert.equal((handler.Environment as { Variables: Record<string, string> }).Variables.APPAPI_TRACING, 'active');
    }
    const authorizer = functionsIn(stack).find((fn) => String(fn.Description).startsWith('API token authorizer'));
    assert.deepEqual(authorizer?.TracingConfig, { Mode: 'Active' });
    for (const { role } of stack.handlerRoles.roles) {
      const statements = (Template.fromStack(role.stack).toJSON().Resources as Resources)[role.stack.getLogicalId(role.node.defaultChild as never)]!.Properties.Policies as Array<{ PolicyDocument: { Statement: Array<{ Sid: string; Action: unknown; Resource: unknown }> } }>;
      const xray = statements[0]!.PolicyDocument.Statement.find((statement) => statement.Sid === 'WriteTraces');
      assert.deepEqual(xray, { Sid: 'WriteTraces', Effect: 'Allow', Action: ['xray:PutTelemetryRecords', 'xray:PutTraceSegments'], Resource: '*' });
    }
    // one X-Ray grant per shared role, none per function
    for (const { template } of allTemplates(stack)) assert.equal(Object.keys(template.findResources('AWS::IAM::Policy')).filter((id) => !id.startsWith('Authorizer')).length, 0);
  });

  it('from cdk.json: tracing and monitoring per environment, cdk-nag clean (X-Ray\'s "*" acknowledged with its reason)', () => {
    const app = newApp({ 'appapi:environments': [{ name: 'dev', tracing: true, monitoring: true, alarmEmail: 'oncall@example.com' }] });
    const [stack] = buildEnvironments(app, { apps: [notes] });
    assert.ok(stack!.monitoring);
    assert.equal(stack!.handlerRoles.tracing, true);
    const { violations, acknowledged } = validationFindings(app.synth().directory);
    assert.deepEqual(violations, []);
    assert.ok(acknowledged.some((finding) => finding.ruleName === 'AwsSolutions-IAM5[Resource::*]'));
  });
});
