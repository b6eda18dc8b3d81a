// Shares a process: cdk-stacks (it only builds and synthesizes CDK apps; see scripts/run-tests.ts)
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { Duration, Stack, type CfnElement } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import type * as iam from 'aws-cdk-lib/aws-iam';
import { AirDataModel, ApiApp, ApiAuth, AppApi, field, op, type AppApiStack, type AppDeclaration } from '../../lib';
import { allTemplates, environmentStack } from '../support/cdk';

/** A small app touching every kind of access: read-only, write, journeys, public. */
const shop: AppDeclaration = (environment: AppApiStack) => {
  const app = new ApiApp(environment, 'Shop');
  const customers = new AirDataModel(app, 'Customers', {
    fields: { name: field.text(), email: field.email({ unique: true }) },
    indexes: { byEmail: { partitionKey: 'email' } },
  });
  new AirDataModel(app, 'Orders', { fields: { total: field.number() } });
  new AppApi(app, 'GetCustomer', {
    method: 'GET',
    path: '/customers/{customerId}',
    auth: ApiAuth.keyGroups('partners'),
    chain: [op.airdata.get(customers, { id: '{% $params.customerId %}', as: 'customer' }), op.respond({ body: '{% $customer %}' })],
  });
  new AppApi(app, 'CreateOrder', {
    method: 'POST',
    path: '/orders',
    auth: ApiAuth.keyGroups('partners', 'ops'),
    query: [{ name: 'source', required: true }],
    body: { type: 'object', required: ['item'], properties: { item: { type: 'string', format: 'uuid', pattern: '^[a-z]+$' }, quantity: { type: 'integer', exclusiveMinimum: 0 } }, additionalProperties: false },
    throttling: { rateLimit: 50, burstLimit: 20 },
    chain: [op.airdata.insert('Orders', { record: '{% $body %}', as: 'order' }), op.respond({ status: 201, body: '{% $order %}' })],
  });
  new AppApi(app, 'StartVisit', {
    method: 'POST',
    path: '/visits',
    auth: ApiAuth.keyGroups('partners'),
    chain: [op.journey.start({ as: 'visit' }), op.respond({ status: 201, body: '{% $visit %}' })],
  });
  new AppApi(app, 'Health', { method: 'GET', path: '/health', auth: ApiAuth.public(), chain: [op.respond({ body: { status: 'ok' } })] });
};

function routeTemplate(stack: AppApiStack, routeId: string): Template {
  const routeStack = stack.routeStacks.find((s) => s.group.routes.some((route) => route.id === routeId));
  assert.ok(routeStack, `no route stack holds ${routeId}`);
  return Template.fromStack(routeStack);
}

/** The statements of the role an App API's handler runs with (roles live in the parent stack, shared by handlers of the same access). */
function rolePolicy(stack: AppApiStack, routeId: string): Array<{ Action: string | string[]; Resource: unknown; Sid: string }> {
  const role = stack.handlerRoles.roleOf(routeId) as iam.Role;
  const roleStack = Stack.of(role);
  const roles = Template.fromStack(roleStack).toJSON().Resources as Record<string, { Properties: { Policies: Array<{ PolicyDocument: { Statement: never[] } }> } }>;
  return roles[roleStack.getLogicalId(role.node.defaultChild as CfnElement)]!.Properties.Policies[0]!.PolicyDocument.Statement;
}

describe('AppApiStack', () => {
  const stack = environmentStack([shop]);
  const parent = Template.fromStack(stack);

  it('creates the environment tables on demand with point-in-time recovery, named for the environment', () => {
    for (const tableName of ['appapi-dev-journeys', 'appapi-dev-api-keys', 'appapi-dev-customers', 'appapi-dev-orders']) {
      parent.hasResource('AWS::DynamoDB::Table', {
        Properties: Match.objectLike({
          TableName: tableName,
          BillingMode: 'PAY_PER_REQUEST',
          PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
          DeletionProtectionEnabled: false,
        }),
        DeletionPolicy: 'Delete',
      });
    }
    parent.hasResourceProperties('AWS::DynamoDB::Table', {
      TableName: 'appapi-dev-customers',
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      GlobalSecondaryIndexes: [Match.objectLike({ IndexName: 'byEmail', KeySchema: [{ AttributeName: 'email', KeyType: 'HASH' }], Projection: { ProjectionType: 'ALL' } })],
    });
    parent.hasResourceProperties('AWS::DynamoDB::Table', { TableName: 'appapi-dev-journeys', TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true } });
  });

  it('protects and retains every table in prod', () => {
    const prod = Template.fromStack(environmentStack([shop], { environment: 'prod' }));
    const tables = prod.findResources('AWS::DynamoDB::Table');
    assert.equal(Object.keys(tables).length, 5);
    for (const table of Object.values(tables)) {
      assert.equal(table.Properties.DeletionProtectionEnabled, true);
      assert.equal(table.DeletionPolicy, 'Retain');
      assert.match(table.Properties.TableName, /^appapi-prod-/);
    }
  });

  it('creates the signing-key secret, the REST API and a stage named for the environment', () => {
    parent.hasResourceProperties('AWS::SecretsManager::Secret', { Name: 'appapi/dev/signing-key' });
    parent.hasResourceProperties('AWS::ApiGateway::RestApi', { Name: 'appapi-dev', EndpointConfiguration: { Types: ['REGIONAL'] } });
    parent.hasResourceProperties('AWS::ApiGateway::Stage', {
      StageName: 'dev',
      AccessLogSetting: Match.objectLike({ Format: Match.stringLikeRegexp('"requestId":"\\$context.requestId"') }),
      MethodSettings: Match.arrayWith([
        Match.objectLike({ HttpMethod: 'POST', ResourcePath: '/~1orders', ThrottlingRateLimit: 50, ThrottlingBurstLimit: 20 }),
      ]),
    });
    parent.resourceCountIs('AWS::ApiGateway::RestApi', 1);
  });

  it('outputs the REST API id and the stage name, which `appapi deploy` reads to redeploy the stage', () => {
    const [restApiId] = Object.keys(parent.findResources('AWS::ApiGateway::RestApi'));
    const [stageId] = Object.keys(parent.findResources('AWS::ApiGateway::Stage'));
    parent.hasOutput('RestApiId', { Value: { Ref: restApiId } });
    parent.hasOutput('StageName', { Value: { Ref: stageId } });
  });

  it('tells at synth that destroying an unprotected environment loses its signing key, and says nothing of the kind in prod', () => {
    Annotations.fromStack(stack).hasInfo('/AppApi-dev/SigningKey', Match.stringLikeRegexp('cdk destroy AppApi-dev` deletes its signing key.*every API token issued for dev stops working'));
    Annotations.fromStack(environmentStack([shop], { environment: 'prod' })).hasNoInfo('*', Match.stringLikeRegexp('signing key'));
  });

  it('creates a REQUEST authorizer on the Authorization header, cached 30 s, whose role only reads API keys', () => {
    parent.hasResourceProperties('AWS::ApiGateway::Authorizer', {
      Type: 'REQUEST',
      IdentitySource: 'method.request.header.Authorization',
      AuthorizerResultTtlInSeconds: 30,
    });
    parent.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs22.x',
      Handler: 'authorizer.handler',
      // the public key comes from the deploy-time signing key resource, not from Secrets Manager at run time
      Environment: { Variables: Match.objectLike({ APPAPI_ENV: 'dev', APPAPI_SIGNING_JWK: { 'Fn::GetAtt': [Match.stringLikeRegexp('^SigningKey'), 'PublicJwk'] } }) },
    });
    const roles = parent.findResources('AWS::IAM::Role', { Properties: { Description: Match.stringLikeRegexp('Checks API tokens') } });
    const statements = (Object.values(roles)[0] as { Properties: { Policies: Array<{ PolicyDocument: { Statement: Array<{ Action: unknown }> } }> } }).Properties.Policies[0]!.PolicyDocument.Statement;
    assert.deepEqual(statements.map((s) => s.Action), [['logs:CreateLogStream', 'logs:PutLogEvents'], 'dynamodb:GetItem']);
    assert.doesNotMatch(JSON.stringify(statements), /secretsmanager/);
  });

  it('creates the signing key pair at deploy time into the environment\'s secret', () => {
    parent.hasResourceProperties('Custom::AppApiSigningKey', { SecretId: { Ref: Match.stringLikeRegexp('^SigningKey') } });
    parent.hasResource('AWS::SecretsManager::Secret', { Properties: { Name: 'appapi/dev/signing-key' }, DeletionPolicy: 'Delete' });
  });

  it('attaches a WAF web ACL to the stage enforcing 5 MiB by Content-Length, with 413/411/415 problem bodies', () => {
    const acl = Object.values(parent.findResources('AWS::WAFv2::WebACL'))[0] as { Properties: { Scope: string; Rules: Array<{ Name: string; Action: { Block: { CustomResponse: { ResponseCode: number } } } }>; CustomResponseBodies: Record<string, { Content: string }> } };
    assert.equal(acl.Properties.Scope, 'REGIONAL');
    assert.deepEqual(
      acl.Properties.Rules.map((rule) => [rule.Name, rule.Action.Block.CustomResponse.ResponseCode]),
      [
        ['ContentLengthOverLimit', 413],
        ['ContentLengthNotANumber', 400],
        ['ChunkedBody', 411],
        ['BodyWithoutContentLength', 411],
        ['CompressedBody', 415],
      ],
    );
    assert.equal(JSON.parse(acl.Properties.CustomResponseBodies.ContentLengthOverLimit!.Content).code, 'payload_too_large');
    parent.hasResourceProperties('AWS::WAFv2::WebACLAssociation', {
      ResourceArn: Match.objectLike({ 'Fn::Join': Match.arrayWith([Match.arrayWith([Match.stringLikeRegexp('/restapis/')])]) }),
      WebACLArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^PayloadLimit'), 'Arn'] },
    });
  });

  it('answers undeclared methods on a declared path from an ANY method integrated with the fallback function', () => {
    const template = routeTemplate(stack, 'GetCustomer');
    template.hasResourceProperties('AWS::ApiGateway::Method', {
      HttpMethod: 'ANY',
      AuthorizationType: 'NONE',
      Integration: Match.objectLike({ Type: 'AWS_PROXY', IntegrationHttpMethod: 'POST', Uri: Match.objectLike({ 'Fn::Join': Match.anyValue() }) }),
    });
    // its ARN comes from the parent, where the function is
    assert.match(JSON.stringify(template.findResources('AWS::ApiGateway::Method', { Properties: { HttpMethod: 'ANY' } })), /FallbackFunction/);
  });

  it('has no MOCK integrations, which would answer 500 to content types without a request template', () => {
    for (const { template } of allTemplates(stack)) {
      assert.deepEqual(Object.keys(template.findResources('AWS::ApiGateway::Method', { Properties: { Integration: { Type: 'MOCK' } } })), []);
    }
  });

  it('answers CORS preflights with an OPTIONS method on the paths of apps with cors, and not elsewhere', () => {
    const withCors = environmentStack([
      (environment) => {
        const app = new ApiApp(environment, 'Web', { cors: { allowOrigins: ['https://app.example.com'] } });
        new AppApi(app, 'Hello', { method: 'GET', path: '/hello', auth: ApiAuth.public(), chain: [op.respond()] });
        const other = new ApiApp(environment, 'Backend');
        new AppApi(other, 'Internal', { method: 'GET', path: '/internal', auth: ApiAuth.public(), chain: [op.respond()] });
      },
    ]);
    routeTemplate(withCors, 'Hello').hasResourceProperties('AWS::ApiGateway::Method', {
      HttpMethod: 'OPTIONS',
      AuthorizationType: 'NONE',
      Integration: Match.objectLike({ Type: 'AWS_PROXY' }),
    });
    // what the preflight answers is the fallback function's, read from the manifest
    assert.deepEqual(withCors.manifest.apps.web?.cors?.allowOrigins, ['https://app.example.com']);
    assert.equal(Object.keys(routeTemplate(withCors, 'Internal').findResources('AWS::ApiGateway::Method', { Properties: { HttpMethod: 'OPTIONS' } })).length, 0);
    assert.equal(withCors.manifest.apps.web!.cors!.maxAgeSeconds, 600);
  });

  it('validates the declared body at the gateway with a draft-04 model that is never stricter than the handler', () => {
    const template = routeTemplate(stack, 'CreateOrder');
    const model = Object.values(template.findResources('AWS::ApiGateway::Model'))[0] as { Properties: { ContentType: string; Schema: Record<string, any> } };
    assert.equal(model.Properties.ContentType, 'application/json');
    assert.deepEqual(model.Properties.Schema, {
      $schema: 'http://json-schema.org/draft-04/schema#',
      type: 'object',
      required: ['item'],
      properties: { item: { type: 'string' }, quantity: { type: 'integer', minimum: 0, exclusiveMinimum: true } },
      additionalProperties: false,
    });
    template.hasResourceProperties('AWS::ApiGateway::Method', {
      HttpMethod: 'POST',
      RequestModels: { 'application/json': { Ref: Match.stringLikeRegexp('CreateOrderBody') } },
      RequestValidatorId: Match.anyValue(),
    });
  });

  it('answers every other gateway-made error as problem+json: 404 for unknown paths, 429 with Retry-After, 413, 400, 5xx without internals', () => {
    const byType = (type: string) => Object.values(parent.findResources('AWS::ApiGateway::GatewayResponse', { Properties: { ResponseType: type } }))[0] as { Properties: { StatusCode?: string; ResponseParameters: Record<string, string>; ResponseTemplates: Record<string, string> } };
    for (const [type, status, code] of [
      ['MISSING_AUTHENTICATION_TOKEN', '404', 'not_found'],
      ['THROTTLED', '429', 'too_many_requests'],
      ['REQUEST_TOO_LARGE', '413', 'payload_too_large'],
      ['BAD_REQUEST_BODY', '400', 'validation_failed'],
      ['INTEGRATION_TIMEOUT', '504', 'upstream_timeout'],
    ] as const) {
      const response = byType(type);
      assert.equal(response.Properties.StatusCode, status, type);
      assert.equal(JSON.parse(response.Properties.ResponseTemplates['application/json']!).code, code);
    }
    assert.equal(byType('THROTTLED').Properties.ResponseParameters['gatewayresponse.header.Retry-After'], "'1'");
    assert.equal(byType('DEFAULT_5XX').Properties.StatusCode, undefined, 'keeps the original 5xx status');
    assert.doesNotMatch(byType('DEFAULT_5XX').Properties.ResponseTemplates['application/json']!, /\$context\.error/);
    assert.match(byType('DEFAULT_4XX').Properties.ResponseTemplates['application/json']!, /"detail":\$context\.error\.messageString/);
  });

  it('answers auth failures made by the gateway as problem+json with the request id', () => {
    for (const [type, status, code] of [
      ['UNAUTHORIZED', '401', 'unauthorized'],
      ['ACCESS_DENIED', '403', 'forbidden'],
      ['AUTHORIZER_FAILURE', '503', 'auth_unavailable'],
    ] as const) {
      const responses = parent.findResources('AWS::ApiGateway::GatewayResponse', { Properties: { ResponseType: type } });
      const response = Object.values(responses)[0] as { Properties: { StatusCode: string; ResponseParameters: Record<string, string>; ResponseTemplates: Record<string, string> } };
      assert.equal(response.Properties.StatusCode, status);
      assert.equal(response.Properties.ResponseParameters['gatewayresponse.header.Content-Type'], "'application/problem+json'");
      const body = JSON.parse(response.Properties.ResponseTemplates['application/json']!);
      assert.deepEqual([body.status, body.code, body.requestId], [Number(status), code, '$context.requestId']);
    }
  });

  it('gives a read-only GET chain GetItem on its one table and nothing else', () => {
    const statements = rolePolicy(stack, 'GetCustomer');
    const dynamo = statements.filter((s) => String(s.Action).startsWith('dynamodb:'));
    assert.deepEqual(dynamo.map((s) => s.Action), ['dynamodb:GetItem']);
    assert.match(JSON.stringify(dynamo[0]!.Resource), /:table\/appapi-dev-customers"/);
    assert.equal(statements.length, 2, 'own logs + GetItem, nothing more');
    assert.doesNotMatch(JSON.stringify(dynamo), /journeys|orders|api-keys|Put|Update|Delete|Scan|Query|\*/);
  });

  it('gives a writing chain the write actions on its own table only', () => {
    const statements = rolePolicy(stack, 'CreateOrder');
    const dynamo = statements.filter((s) => String(s.Action).startsWith('dynamodb:'));
    assert.deepEqual(
      dynamo.map((s) => [s.Sid, s.Action]),
      [
        ['IdempotencyAnswersTable', ['dynamodb:GetItem', 'dynamodb:PutItem']],
        ['OrdersTable', 'dynamodb:PutItem'],
      ],
    );
    assert.match(JSON.stringify(dynamo[0]!.Resource), /:table\/appapi-dev-idempotency"/);
    assert.match(JSON.stringify(dynamo[1]!.Resource), /:table\/appapi-dev-orders"/);
  });

  it('gives a journey chain access to the journeys table only (and, as a POST, its idempotency answers)', () => {
    const statements = rolePolicy(stack, 'StartVisit');
    const dynamo = statements.filter((s) => String(s.Action).startsWith('dynamodb:'));
    assert.deepEqual(
      dynamo.map((s) => [s.Sid, s.Action]),
      [
        ['IdempotencyAnswersTable', ['dynamodb:GetItem', 'dynamodb:PutItem']],
        // a journey without an identifier is started without a read
        ['JourneysTable', 'dynamodb:PutItem'],
      ],
    );
    assert.match(JSON.stringify(dynamo[1]!.Resource), /:table\/appapi-dev-journeys"/);
  });

  it('gives a GET chain no idempotency access', () => {
    const statements = rolePolicy(stack, 'GetCustomer');
    assert.ok(statements.every((s) => !JSON.stringify(s.Resource).includes('idempotency')));
  });

  it('runs each handler on nodejs22.x from the shared asset, told its route', () => {
    routeTemplate(stack, 'GetCustomer').hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs22.x',
      Handler: 'handler.handler',
      Architectures: ['arm64'],
      Timeout: 10,
      Environment: { Variables: { APPAPI_ROUTE: 'GetCustomer', APPAPI_ENV: 'dev' } },
    });
  });

  it('gives a chain with outbound calls their declared timeouts on top, up to API Gateway\'s 29 s', () => {
    const calling = environmentStack([
      (environment) => {
        const app = new ApiApp(environment, 'Calls', { httpHosts: ['api.example.com'] });
        const call = (seconds: number) => op.http({ url: 'https://api.example.com/x', timeout: Duration.seconds(seconds), as: `r${seconds}` });
        new AppApi(app, 'OneCall', { method: 'GET', path: '/one', auth: ApiAuth.public(), chain: [call(5), op.respond()] });
        new AppApi(app, 'ManyCalls', { method: 'GET', path: '/many', auth: ApiAuth.public(), chain: [call(12), call(13), op.respond()] });
      },
    ]);
    routeTemplate(calling, 'OneCall').hasResourceProperties('AWS::Lambda::Function', { Timeout: 15 });
    routeTemplate(calling, 'ManyCalls').hasResourceProperties('AWS::Lambda::Function', { Timeout: 29 });
  });

  it('protects key-group routes with the custom authorizer and leaves public routes open', () => {
    routeTemplate(stack, 'GetCustomer').hasResourceProperties('AWS::ApiGateway::Method', {
      HttpMethod: 'GET',
      AuthorizationType: 'CUSTOM',
      AuthorizerId: { Ref: Match.stringLikeRegexp('Authorizer') },
      RequestParameters: { 'method.request.path.customerId': true },
      Integration: Match.objectLike({ Type: 'AWS_PROXY', IntegrationHttpMethod: 'POST' }),
    });
    routeTemplate(stack, 'Health').hasResourceProperties('AWS::ApiGateway::Method', { HttpMethod: 'GET', AuthorizationType: 'NONE', AuthorizerId: Match.absent() });
  });

  it('requires declared required query parameters through the request validator', () => {
    routeTemplate(stack, 'CreateOrder').hasResourceProperties('AWS::ApiGateway::Method', {
      RequestParameters: { 'method.request.querystring.source': true },
      RequestValidatorId: { Ref: Match.stringLikeRegexp('RequestValidator') },
    });
  });

  it('allows API Gateway to invoke each handler for its own method and path only', () => {
    routeTemplate(stack, 'GetCustomer').hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      Principal: 'apigateway.amazonaws.com',
      SourceArn: Match.objectLike({ 'Fn::Join': ['', Match.arrayWith([Match.stringLikeRegexp('/\\*/GET/customers/\\*$')])] }),
    });
  });

  it('creates the methods and path resources in nested stacks, one per path subtree, and deploys after them', () => {
    assert.deepEqual(stack.routeStacks.map((s) => s.group.basePath).sort(), ['/customers', '/health', '/orders', '/visits']);
    parent.resourceCountIs('AWS::ApiGateway::Method', 1); // the root fallback
    parent.resourceCountIs('AWS::CloudFormation::Stack', 5); // four route stacks and the handler roles' stack
    const deployments = parent.findResources('AWS::ApiGateway::Deployment');
    const dependsOn = (Object.values(deployments)[0] as { DependsOn: string[] }).DependsOn;
    assert.equal(dependsOn.filter((id) => /Routes.*NestedStackResource/.test(id)).length, 4);
  });

  it('answers undeclared methods on the root from the fallback function, which may be invoked by this API only and writes only its logs', () => {
    parent.hasResourceProperties('AWS::ApiGateway::Method', { HttpMethod: 'ANY', AuthorizationType: 'NONE', Integration: Match.objectLike({ Type: 'AWS_PROXY' }) });
    parent.hasResourceProperties('AWS::Lambda::Function', { Handler: 'fallback.handler', Runtime: 'nodejs22.x' });
    parent.hasResourceProperties('AWS::Lambda::Permission', {
      Principal: 'apigateway.amazonaws.com',
      FunctionName: { 'Fn::GetAtt': [Match.stringLikeRegexp('^FallbackFunction'), 'Arn'] },
      SourceArn: Match.objectLike({ 'Fn::Join': ['', Match.arrayWith([Match.stringLikeRegexp(':execute-api:'), { Ref: Match.stringLikeRegexp('^Api') }, '/*/*/*'])] }),
    });
    const [role] = Object.values(parent.findResources('AWS::IAM::Role', { Properties: { Description: Match.stringLikeRegexp('^Answers undeclared methods') } }));
    const statements = (role as { Properties: { Policies: Array<{ PolicyDocument: { Statement: Array<{ Action: string[] }> } }> } }).Properties.Policies[0]!.PolicyDocument.Statement;
    assert.deepEqual(statements.map((statement) => statement.Action), [['logs:CreateLogStream', 'logs:PutLogEvents']]);
  });

  it('ships the compiled manifest as plain JSON', () => {
    assert.deepEqual(
      stack.manifest.routes.map((route) => `${route.method} ${route.path} ${route.auth.type}`),
      ['GET /customers/{customerId} keyGroups', 'POST /orders keyGroups', 'POST /visits keyGroups', 'GET /health public'],
    );
    assert.deepEqual(JSON.parse(JSON.stringify(stack.manifest)), stack.manifest);
  });
});

describe('AppApiStack synth-time validation', () => {
  const declare =
    (body: (app: ApiApp) => void): AppDeclaration =>
    (environment) =>
      body(new ApiApp(environment, 'Shop'));
  const health = { auth: ApiAuth.public(), chain: [op.respond()] };

  const cases: Array<[string, AppDeclaration, RegExp]> = [
    [
      'duplicate method + path',
      declare((app) => {
        new AppApi(app, 'A', { method: 'GET', path: '/a/{id}', ...health });
        new AppApi(app, 'B', { method: 'GET', path: '/a/{key}', ...health });
      }),
      /App APIs "A" \(app shop\) and "B" \(app shop\) both declare GET \/a\/\{id\} \/ \/a\/\{key\}\. Each method \+ path may be declared once/,
    ],
    [
      'parameters named differently at one position',
      declare((app) => {
        new AppApi(app, 'A', { method: 'GET', path: '/a/{id}', ...health });
        new AppApi(app, 'B', { method: 'POST', path: '/a/{key}/x', ...health });
      }),
      /name the parameter after "\/a" differently \("\{id\}" and "\{key\}"\)/,
    ],
    ['malformed path template', declare((app) => new AppApi(app, 'A', { method: 'GET', path: '/a/{id', ...health })), /App API "A": path "\/a\/\{id": segment "\{id" is not a valid parameter/],
    [
      'query parameter declared twice',
      declare((app) => new AppApi(app, 'A', { method: 'GET', path: '/a', query: [{ name: 'q' }, { name: 'q', type: 'integer' }], ...health })),
      /App API "A": query parameter "q" is declared twice/,
    ],
    [
      'unknown model',
      declare((app) => new AppApi(app, 'A', { method: 'GET', path: '/a', auth: ApiAuth.public(), chain: [op.airdata.get('Nope', { id: '1', as: 'x' }), op.respond()] })),
      /App API "A" \(GET \/a\), step 1 \(airdata\.get\): unknown AirData model "Nope"/,
    ],
    ['a body on GET', declare((app) => new AppApi(app, 'A', { method: 'GET', path: '/a', body: { type: 'object' }, ...health })), /a GET request carries no body/],
    ['duplicate App API ids in one app', declare((app) => {
      new AppApi(new Construct(app, 'Part'), 'Same', { method: 'GET', path: '/one', ...health });
      new AppApi(app, 'Same', { method: 'GET', path: '/two', ...health });
    }), /Two App APIs of app shop have the id "Same" \(AppApi-dev\/Shop\/Part\/Same and AppApi-dev\/Shop\/Same\); ids name the handler and must be unique in their app/],
    ['an App API outside an app', (environment) => void new AppApi(environment, 'Loose', { method: 'GET', path: '/x', ...health }), /App API "Loose" is not declared inside an ApiApp/],
    ['an unsupported method', declare((app) => new AppApi(app, 'A', { method: 'HEAD' as never, path: '/a', ...health })), /method "HEAD" is not supported; use one of GET, POST, PUT, PATCH, DELETE/],
    ['a model field named id', declare((app) => new AirDataModel(app, 'M', { fields: { id: field.text() } })), /"id" is generated for every record; remove it from fields/],
    ['an index on an undeclared field', declare((app) => new AirDataModel(app, 'M', { fields: { a: field.text() }, indexes: { byB: { partitionKey: 'b' } } })), /index "byB" is keyed on "b", which is not a declared field/],
    ['an environment name with capitals', () => undefined, /environment "Dev" must be lower-case/],
  ];
  for (const [name, apps, message] of cases) {
    it(`error flow: ${name}`, () => {
      const environment = /environment "Dev"/.test(message.source) ? 'Dev' : 'dev';
      assert.throws(() => environmentStack([apps], { environment }), (error: unknown) => {
        assert.match((error as Error).message, message);
        return true;
      });
    });
  }

  it('warns with a stable id on a 301 redirect, and still synthesizes', () => {
    const stack = environmentStack([
      declare((app) => new AppApi(app, 'Moved', { method: 'GET', path: '/old', auth: ApiAuth.public(), chain: [op.redirect({ location: 'https://x.example/new', status: 301 })] })),
    ]);
    Annotations.fromStack(stack).hasWarning('/AppApi-dev/Shop/Moved', Match.stringLikeRegexp('a 301 redirect is cached by browsers.*Use 302.*appapi:redirect301'));
  });
});
