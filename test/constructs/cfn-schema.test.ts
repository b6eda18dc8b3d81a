// Shares a process: cdk-environments (it only builds and synthesizes CDK apps; see scripts/run-tests.ts)
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { buildEnvironments } from '../../lib/environments';
import { newApp } from '../support/cdk';
import { checkTemplate, type CfnSchemaFinding, type CfnTemplate } from '../support/cfn-schema';
import { synthesizedTemplates, type SynthesizedTemplate } from '../support/cfn-schema/assembly';

// Every template `cdk synth` writes is checked against the CloudFormation resource specification
// (@aws-cdk/aws-service-spec). Nothing can be deployed here, so this is how a property CloudFormation
// would reject at deploy time (a typo, a wrong type, a missing required value) fails `npm test`.

type MutableTemplate = { Resources: Record<string, { Type: string; Properties: Record<string, any>; [key: string]: any }>; [section: string]: any };

let templates: SynthesizedTemplate[];

before(() => {
  const app = newApp();
  // cdk-nag only reads the templates: leaving it out changes nothing the check sees, and saves its run
  const stacks = buildEnvironments(app, { nag: false });
  templates = synthesizedTemplates(app.synth().directory, stacks);
});

function devTemplate(): SynthesizedTemplate {
  return templates.find((t) => t.name === 'AppApi-dev')!;
}

function logicalIdOf(template: CfnTemplate, type: string): string {
  const id = Object.entries(template.Resources ?? {}).find(([, resource]) => resource.Type === type)?.[0];
  assert.ok(id, `the dev template has a ${type}`);
  return id;
}

/** The findings for a copy of the dev template changed by `inject`; the real template is left as synthesized. */
function findingsAfter(inject: (template: MutableTemplate) => void): CfnSchemaFinding[] {
  const { template, nestedTemplates } = devTemplate();
  const copy = structuredClone(template) as MutableTemplate;
  inject(copy);
  return checkTemplate(copy, { nestedTemplates });
}

function assertOnlyFinding(findings: readonly CfnSchemaFinding[], logicalId: string, path: string, problem: RegExp): void {
  assert.deepEqual(findings.map((f) => [f.logicalId, f.path]), [[logicalId, path]], findings.map((f) => f.message).join('\n'));
  assert.match(findings[0].message, new RegExp(`^${logicalId} ${path.replace(/[.[\]]/g, '\\$&')}: `));
  assert.match(findings[0].problem, problem);
}

describe('CloudFormation schema of the synthesized templates', () => {
  it('every resource of every environment, nested stacks included, matches the CloudFormation resource specification', () => {
    const environments = ['AppApi-dev', 'AppApi-staging', 'AppApi-prod'];
    assert.deepEqual(templates.filter((t) => !t.name.includes('/')).map((t) => t.name), environments);
    for (const environment of environments) {
      const root = templates.find((t) => t.name === environment)!;
      const nested = templates.filter((t) => t.name.startsWith(`${environment}/`));
      assert.ok(nested.length > 0 && Object.keys(root.nestedTemplates).length === nested.length, `${environment} has its nested route stacks`);
    }
    const findings = templates.flatMap((t) => checkTemplate(t.template, { nestedTemplates: t.nestedTemplates }).map((f) => `${t.name}: ${f.message}`));
    assert.deepEqual(findings, []);
  });

  describe('error flow: a fault injected into a copy of the dev template is reported with its logical id and path', () => {
    it('an unknown property, in a nested property type', () => {
      const id = logicalIdOf(devTemplate().template, 'AWS::Lambda::Function');
      const findings = findingsAfter((t) => (t.Resources[id].Properties.Code.S3Buckett = 'assets'));
      assertOnlyFinding(findings, id, 'Properties.Code.S3Buckett', /unknown property "S3Buckett" of Code \(known: .*S3Bucket,/);
    });

    it('an unknown resource property', () => {
      const id = logicalIdOf(devTemplate().template, 'AWS::DynamoDB::Table');
      const findings = findingsAfter((t) => (t.Resources[id].Properties.BillingModes = 'PAY_PER_REQUEST'));
      assertOnlyFinding(findings, id, 'Properties.BillingModes', /unknown property "BillingModes" of AWS::DynamoDB::Table/);
    });

    it('a missing required property', () => {
      const id = logicalIdOf(devTemplate().template, 'AWS::Lambda::Function');
      const findings = findingsAfter((t) => delete t.Resources[id].Properties.Role);
      assertOnlyFinding(findings, id, 'Properties.Role', /required property "Role" of AWS::Lambda::Function is missing/);
    });

    it('a missing required property inside a list of property types', () => {
      const id = logicalIdOf(devTemplate().template, 'AWS::WAFv2::WebACL');
      const findings = findingsAfter((t) => delete t.Resources[id].Properties.Rules[0].VisibilityConfig.MetricName);
      assertOnlyFinding(findings, id, 'Properties.Rules[0].VisibilityConfig.MetricName', /required property "MetricName" of VisibilityConfig is missing/);
    });

    it('a wrong primitive type', () => {
      const id = logicalIdOf(devTemplate().template, 'AWS::Lambda::Function');
      const findings = findingsAfter((t) => (t.Resources[id].Properties.MemorySize = '256 MB'));
      assertOnlyFinding(findings, id, 'Properties.MemorySize', /expected an integer, got the string "256 MB"/);
    });

    it('an object where a boolean belongs', () => {
      const id = logicalIdOf(devTemplate().template, 'AWS::DynamoDB::Table');
      const findings = findingsAfter((t) => (t.Resources[id].Properties.DeletionProtectionEnabled = { enabled: true }));
      assertOnlyFinding(findings, id, 'Properties.DeletionProtectionEnabled', /expected a boolean, got an object/);
    });

    it('an invalid enum value, deep in a WAF rule', () => {
      const id = logicalIdOf(devTemplate().template, 'AWS::WAFv2::WebACL');
      const findings = findingsAfter((t) => (t.Resources[id].Properties.Rules[0].Statement.RegexMatchStatement.TextTransformations[0].Type = 'LOWER_CASE'));
      assertOnlyFinding(findings, id, 'Properties.Rules[0].Statement.RegexMatchStatement.TextTransformations[0].Type', /"LOWER_CASE" is not one of the allowed values: .*LOWERCASE/);
    });

    it('an invalid enum value of a resource property', () => {
      const id = logicalIdOf(devTemplate().template, 'AWS::WAFv2::WebACL');
      const findings = findingsAfter((t) => (t.Resources[id].Properties.Scope = 'GLOBAL'));
      assertOnlyFinding(findings, id, 'Properties.Scope', /"GLOBAL" is not one of the allowed values: CLOUDFRONT, REGIONAL/);
    });

    it('an unknown Fn::GetAtt attribute', () => {
      const id = logicalIdOf(devTemplate().template, 'AWS::Lambda::Function');
      const role = devTemplate().template.Resources![id].Properties as { Role: { 'Fn::GetAtt': [string, string] } };
      const findings = findingsAfter((t) => (t.Resources[id].Properties.Role = { 'Fn::GetAtt': [role.Role['Fn::GetAtt'][0], 'RoleArn'] }));
      assertOnlyFinding(findings, id, 'Properties.Role.Fn::GetAtt', /AWS::IAM::Role has no attribute "RoleArn" \(it has: .*Arn/);
    });

    it('a Ref to a missing resource', () => {
      const id = logicalIdOf(devTemplate().template, 'AWS::ApiGateway::GatewayResponse');
      const findings = findingsAfter((t) => (t.Resources[id].Properties.RestApiId = { Ref: 'ApiRemoved' }));
      assertOnlyFinding(findings, id, 'Properties.RestApiId.Ref', /Ref to "ApiRemoved", which is neither a resource, a parameter nor a pseudo parameter/);
    });

    it('a DependsOn to a missing resource', () => {
      const id = logicalIdOf(devTemplate().template, 'AWS::Lambda::Function');
      const findings = findingsAfter((t) => (t.Resources[id].DependsOn = [...t.Resources[id].DependsOn, 'RoleRemoved']));
      assertOnlyFinding(findings, id, `DependsOn[${(devTemplate().template.Resources![id].DependsOn as string[]).length}]`, /DependsOn "RoleRemoved", which is not a resource of this template/);
    });

    it('an Fn::Sub variable naming a missing resource', () => {
      const id = logicalIdOf(devTemplate().template, 'AWS::Lambda::Function');
      const findings = findingsAfter((t) => (t.Resources[id].Properties.Code.S3Bucket = { 'Fn::Sub': 'assets-${AWS::Region}-${BucketRemoved}' }));
      assertOnlyFinding(findings, id, 'Properties.Code.S3Bucket.Fn::Sub', /Ref to "BucketRemoved"/);
    });

    it('an unknown resource type', () => {
      const id = logicalIdOf(devTemplate().template, 'AWS::Logs::LogGroup');
      const findings = findingsAfter((t) => (t.Resources[id].Type = 'AWS::Logs::Loggroup'));
      assertOnlyFinding(findings, id, 'Type', /"AWS::Logs::Loggroup" is not a CloudFormation resource type/);
    });

    it('an output and a condition naming what the template lacks', () => {
      const findings = findingsAfter((t) => {
        t.Conditions = { IsProd: { 'Fn::And': [{ Condition: 'IsLive' }, { 'Fn::Equals': [{ Ref: 'Stage' }, 'prod'] }] } };
        t.Outputs = { ApiUrl: { Value: { 'Fn::GetAtt': ['ApiRemoved', 'RootResourceId'] }, Condition: 'IsProd' } };
      });
      assert.deepEqual(
        findings.map((f) => f.message),
        [
          'ApiUrl Outputs.Value.Fn::GetAtt: Fn::GetAtt on "ApiRemoved", which is not a resource of this template',
          'IsProd Conditions.Fn::And[0]: Condition "IsLive" is not declared in Conditions',
          'IsProd Conditions.Fn::And[1].Fn::Equals[0].Ref: Ref to "Stage", which is neither a resource, a parameter nor a pseudo parameter of this template',
        ],
      );
    });

    it('a nested stack given no value for one of its parameters, and an output the nested stack lacks', () => {
      // a nested stack that takes parameters (the route stacks do; the handler roles' stack takes none)
      const [id, nested] = Object.entries(devTemplate().nestedTemplates).find(([, template]) => Object.keys(template.Parameters ?? {}).length > 0)!;
      const parameter = Object.keys(nested.Parameters ?? {})[0];
      const missingParameter = findingsAfter((t) => delete t.Resources[id].Properties.Parameters[parameter]);
      assertOnlyFinding(missingParameter, id, `Properties.Parameters.${parameter}`, /has no Default and is not given/);
      const lambda = logicalIdOf(devTemplate().template, 'AWS::Lambda::Function');
      const missingOutput = findingsAfter((t) => (t.Resources[lambda].Properties.Description = { 'Fn::GetAtt': [id, 'Outputs.Missing'] }));
      assertOnlyFinding(missingOutput, lambda, 'Properties.Description.Fn::GetAtt', /has no attribute "Outputs.Missing"/);
    });
  });

  describe('intrinsic functions in a value position', () => {
    const conditionAndParameters = (t: MutableTemplate): void => {
      t.Conditions = { IsBig: { 'Fn::Equals': [{ Ref: 'Size' }, 'big'] } };
      t.Parameters = { ...t.Parameters, Size: { Type: 'String' }, TimeoutSeconds: { Type: 'Number' }, Layers: { Type: 'CommaDelimitedList' } };
    };

    it('accepts each wherever what it can produce fits', () => {
      const id = logicalIdOf(devTemplate().template, 'AWS::Lambda::Function');
      const findings = findingsAfter((t) => {
        conditionAndParameters(t);
        const properties = t.Resources[id].Properties;
        properties.MemorySize = { 'Fn::If': ['IsBig', 1024, { Ref: 'AWS::NoValue' }] };
        properties.Timeout = { Ref: 'TimeoutSeconds' };
        properties.Layers = { Ref: 'Layers' };
        properties.Architectures = { 'Fn::Split': [',', 'arm64'] };
        properties.Handler = { 'Fn::Select': [0, ['index.handler']] };
        properties.Description = { 'Fn::Join': ['', ['in ', { Ref: 'AWS::Region' }]] };
        properties.Environment.Variables.ROLE = { 'Fn::GetAtt': [properties.Role['Fn::GetAtt'][0], 'Arn'] };
        properties.Environment.Variables.BUCKET = { 'Fn::ImportValue': 'shared-bucket' };
        properties.Code = { 'Fn::If': ['IsBig', properties.Code, { ZipFile: 'exports.handler = async () => {}' }] };
      });
      assert.deepEqual(findings.map((f) => f.message), []);
    });

    it('error flow: reports one whose result cannot have the property\'s shape', () => {
      const id = logicalIdOf(devTemplate().template, 'AWS::Lambda::Function');
      const findings = findingsAfter((t) => {
        conditionAndParameters(t);
        t.Resources[id].Properties.Environment = { 'Fn::Join': ['', ['a', 'b']] };
        t.Resources[id].Properties.Architectures = { Ref: 'Size' };
        t.Resources[id].Properties.MemorySize = { 'Fn::If': ['IsBig', { 'Fn::Split': [',', 'a,b'] }, 128] };
        t.Resources[id].Properties.Timeout = { 'Fn::If': ['IsSmall', 3, 5] };
      });
      assert.deepEqual(
        findings.map((f) => [f.path, f.problem]),
        [
          ['Properties.Timeout.Fn::If', 'Fn::If names condition "IsSmall", which is not declared in Conditions'],
          ['Properties.Architectures', 'Ref produces a string, but a list of a string is expected'],
          ['Properties.Environment', 'Fn::Join produces a string, but an object (Environment) is expected'],
          ['Properties.MemorySize.Fn::If[1]', 'Fn::Split produces a list, but an integer is expected'],
        ],
      );
    });
  });
});
