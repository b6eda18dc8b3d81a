/** How the local gateway treats one property of a template resource. */
export type Parity =
  | { readonly status: 'executed'; readonly how: string }
  | { readonly status: 'partial'; readonly how: string }
  | { readonly status: 'not emulated'; readonly how: string };

const executed = (how: string): Parity => ({ status: 'executed', how });
const partial = (how: string): Parity => ({ status: 'partial', how });
const absent = (how: string): Parity => ({ status: 'not emulated', how });

const IDENTIFIES = 'ties the resource to its REST API';
const NAMING = 'a name or description: nothing to execute';

/**
 * What the local gateway does with each property of each resource type the environments'
 * templates use: executes it from the template (`lib/local/cloud/`), emulates it partially (and
 * how), or does not emulate it (and what that means locally). `appapi parity` prints the entries
 * a stack uses; the README's table is rendered from this catalogue; a test fails when a stack uses
 * a property without an entry, or when the README's table differs.
 */
export const PARITY_CATALOGUE: Readonly<Record<string, Readonly<Record<string, Parity>>>> = {
  'AWS::WAFv2::WebACL': {
    Rules: executed('every request, by priority, first Block/Allow wins, Count goes on; statements it does not implement are refused at startup'),
    DefaultAction: executed('Allow or Block when no rule terminates'),
    CustomResponseBodies: executed('a blocking rule\'s custom status and body'),
    Scope: partial('REGIONAL assumed (the stage\'s association)'),
    VisibilityConfig: absent('metrics and sampled requests: no CloudWatch locally'),
    Description: absent(NAMING),
  },
  'AWS::WAFv2::WebACLAssociation': {
    WebACLArn: executed('picks the web ACL the stage runs'),
    ResourceArn: partial('assumed to be the environment\'s one stage'),
  },
  'AWS::ApiGateway::RestApi': {
    BinaryMediaTypes: executed('bodies of these types reach handlers base64-encoded'),
    EndpointConfiguration: absent('served on loopback HTTP, no TLS or edge'),
    Name: absent(NAMING),
    Description: absent(NAMING),
  },
  'AWS::ApiGateway::Resource': {
    PathPart: executed('the resource tree: literal before {param} before {proxy+}'),
    ParentId: executed('the resource tree, nested stacks included'),
    RestApiId: absent(IDENTIFIES),
  },
  'AWS::ApiGateway::Method': {
    HttpMethod: executed('the resource\'s method before its ANY; none: MISSING_AUTHENTICATION_TOKEN'),
    AuthorizationType: executed('NONE or CUSTOM (others refused at startup)'),
    AuthorizerId: executed('must be the REST API\'s one authorizer'),
    Integration: partial('AWS_PROXY to the function its URI names (handler or fallback); other integration types refused at startup'),
    RequestParameters: executed('required path, query string and header parameters, when the method has a validator'),
    RequestModels: executed('the draft-04 model for the body\'s Content-Type'),
    RequestValidatorId: executed('which checks run'),
    OperationName: absent(NAMING),
    ResourceId: executed('the resource the method hangs from'),
    RestApiId: absent(IDENTIFIES),
  },
  'AWS::ApiGateway::Model': {
    Schema: executed('compiled with ajv-draft-04 at startup; $ref to other models refused'),
    ContentType: partial('the method\'s RequestModels key decides which model applies'),
    RestApiId: absent(IDENTIFIES),
  },
  'AWS::ApiGateway::RequestValidator': {
    ValidateRequestBody: executed('body against the model, after the authorizer'),
    ValidateRequestParameters: executed('required parameters present and not blank'),
    RestApiId: absent(IDENTIFIES),
  },
  'AWS::ApiGateway::Authorizer': {
    Type: executed('REQUEST (others refused at startup)'),
    IdentitySource: executed('one header; absent: 401 without invoking the authorizer'),
    AuthorizerResultTtlInSeconds: executed('a policy is cached per identity for the TTL and applied to every method'),
    AuthorizerUri: partial('the environment\'s authorizer code runs in process, not the function the URI names'),
    Name: absent(NAMING),
    RestApiId: absent(IDENTIFIES),
  },
  'AWS::ApiGateway::GatewayResponse': {
    ResponseType: executed('every error API Gateway makes itself, with DEFAULT_4XX/5XX fallback'),
    StatusCode: executed('the answer\'s status'),
    ResponseParameters: partial('literal header values only (others refused at startup)'),
    ResponseTemplates: partial('application/json with $context.requestId and $context.error.message(String); other VTL refused at startup'),
    RestApiId: absent(IDENTIFIES),
  },
  'AWS::ApiGateway::Stage': {
    MethodSettings: partial('throttling per method (token bucket); wildcard settings refused; caching, logging and metrics settings not emulated'),
    AccessLogSetting: partial('the local access log has its own format'),
    TracingEnabled: absent('no X-Ray locally; the console shows each request\'s trace'),
    StageName: partial('the stage in events and ARNs is the environment\'s name'),
    DeploymentId: absent('every change is live after a reload'),
    Description: absent(NAMING),
    RestApiId: absent(IDENTIFIES),
  },
  'AWS::ApiGateway::Deployment': {
    Description: absent(NAMING),
    RestApiId: absent('every change is live after a reload'),
  },
  'AWS::Lambda::Function': {
    Handler: executed('which code a method\'s integration runs (handler or fallback)'),
    Environment: partial('handlers: APPAPI_ROUTE picks the route, APPAPI_LOG_LEVEL the log level; chains cannot read other variables; the authorizer\'s are not read'),
    Timeout: partial('handlers: the deadline their Lambda context counts down from; the authorizer\'s and the fallback\'s are not applied'),
    MemorySize: partial('reported as memoryLimitInMB; memory is not limited'),
    Code: partial('the current source in process, not the asset'),
    Runtime: partial('the local Node.js'),
    Architectures: absent('the local CPU'),
    Role: executed('the role whose policies authorize its DynamoDB calls'),
    LoggingConfig: partial('lines go to the local log'),
    Description: absent(NAMING),
  },
  'AWS::Lambda::Permission': {
    Action: absent('the gateway always may invoke its functions'),
    FunctionName: absent('the gateway always may invoke its functions'),
    Principal: absent('the gateway always may invoke its functions'),
    SourceArn: absent('the gateway always may invoke its functions'),
  },
  'AWS::IAM::Role': {
    Policies: executed('every DynamoDB call of a handler or the authorizer (explicit Deny, per-item transactions, index ARNs); Condition, NotAction, NotResource refused'),
    AssumeRolePolicyDocument: absent('functions run as their role without assuming it'),
    Description: absent(NAMING),
  },
  'AWS::IAM::Policy': {
    PolicyDocument: executed('attached statements count like inline ones'),
    Roles: executed('which roles it is attached to'),
    PolicyName: absent(NAMING),
  },
  'AWS::DynamoDB::Table': {
    TableName: executed('DynamoDB Local tables of the same names (with the local prefix)'),
    KeySchema: executed('created on DynamoDB Local'),
    AttributeDefinitions: executed('created on DynamoDB Local'),
    GlobalSecondaryIndexes: executed('created on DynamoDB Local'),
    BillingMode: absent('no capacity or throttling: DynamoDB Local never throttles'),
    TimeToLiveSpecification: absent('DynamoDB Local does not delete expired items'),
    PointInTimeRecoverySpecification: absent('no backups locally'),
    DeletionProtectionEnabled: absent('local tables can be deleted'),
  },
  'AWS::Logs::LogGroup': {
    LogGroupName: absent('the local log is the gateway\'s output'),
    RetentionInDays: absent('the local log is the gateway\'s output'),
  },
  'AWS::Logs::MetricFilter': {
    FilterPattern: absent('no CloudWatch locally'),
    LogGroupName: absent('no CloudWatch locally'),
    MetricTransformations: absent('no CloudWatch locally'),
  },
  'AWS::CloudWatch::Alarm': Object.fromEntries(
    ['AlarmActions', 'AlarmDescription', 'AlarmName', 'ComparisonOperator', 'DatapointsToAlarm', 'Dimensions', 'EvaluationPeriods', 'ExtendedStatistic', 'MetricName', 'Metrics', 'Namespace', 'OKActions', 'Period', 'Statistic', 'Threshold', 'TreatMissingData'].map((name) => [name, absent('no CloudWatch locally')]),
  ),
  'AWS::CloudWatch::Dashboard': { DashboardBody: absent('no CloudWatch locally'), DashboardName: absent('no CloudWatch locally') },
  'AWS::SNS::Topic': { TopicName: absent('no alarms locally'), DisplayName: absent('no alarms locally'), KmsMasterKeyId: absent('no alarms locally') },
  'AWS::SNS::TopicPolicy': { PolicyDocument: absent('no alarms locally'), Topics: absent('no alarms locally') },
  'AWS::KMS::Key': { KeyPolicy: absent('no alarms locally'), EnableKeyRotation: absent('no alarms locally'), PendingWindowInDays: absent('no alarms locally'), Description: absent(NAMING) },
  'AWS::SecretsManager::Secret': {
    Name: partial('the signing key lives in a local key file instead'),
    GenerateSecretString: partial('the local key file is generated on first start'),
    Description: absent(NAMING),
  },
  'Custom::AppApiSigningKey': {
    ServiceToken: partial('the local key file stands in for the custom resource\'s key pair'),
    SecretId: partial('the local key file stands in for the secret'),
  },
  'AWS::CloudFormation::Stack': {
    TemplateURL: executed('nested stacks are read in process with their parent'),
  },
};

/** Behaviour with no template property: what no template says, and what local mode lacks. */
export const PLATFORM_GAPS: ReadonlyArray<readonly [string, string]> = [
  ['cold starts', 'every function is loaded once at startup; no per-instance cold start or concurrency limit'],
  ['DynamoDB throttling and capacity', 'DynamoDB Local never throttles'],
  ['TTL deletion', 'DynamoDB Local keeps expired items'],
  ['Aspects', 'run only in a full synth; the local gateway reads the stack without one'],
];
