import { Annotations, CustomResource, Duration, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { LAMBDA_ENTRIES, lambdaAssetDirectory } from './lambda-asset';

export interface SigningKeyProps {
  /** The environment's name, e.g. `dev`: part of the descriptions. */
  readonly environmentName: string;
  /**
   * The secret's name, e.g. `appapi/dev/signing-key`.
   * @see https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_CreateSecret.html#SecretsManager-CreateSecret-request-Name
   */
  readonly secretName: string;
  /**
   * What happens to the secret, and so to the key every token of the environment is signed with,
   * when it leaves the stack.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
  /** Retention of the key-creating Lambda's and the provider framework's log groups. @default logs.RetentionDays.ONE_MONTH */
  readonly logRetention?: logs.RetentionDays;
  /** @default RemovalPolicy.DESTROY */
  readonly logRemovalPolicy?: RemovalPolicy;
}

/** What Secrets Manager accepts in a name: 1 to 512 of ASCII letters, digits and `/_+=.@-`. */
const SECRET_NAME = /^[A-Za-z0-9/_+=.@-]{1,512}$/;
/** Secrets Manager appends `-` and six characters to a secret's ARN; a name ending like that confuses ARN lookups. */
const ARN_SUFFIX_LOOKALIKE = /-[A-Za-z0-9]{6}$/;

/**
 * The environment's Ed25519 signing key, created by the deploy itself: a Secrets Manager secret
 * plus a custom resource whose Lambda fills it with a key pair when it holds none, and otherwise
 * keeps the pair it holds, so a redeploy never rotates the key. The public half is exposed as
 * {@link publicJwk} (for the authorizer's environment); only the custom resource's Lambda can
 * read or write the secret.
 *
 * @example
 * const signingKey = new SigningKey(this, 'SigningKey', { environmentName: 'dev', secretName: 'appapi/dev/signing-key' });
 * authorizerFunction.addEnvironment('APPAPI_SIGNING_JWK', signingKey.publicJwk);
 */
export class SigningKey extends Construct {
  /** The secret holding the key pair as JSON `{ privateJwk, publicJwk }`. */
  readonly secret: secretsmanager.Secret;
  /** The public JWK as a JSON string (`kty`, `crv`, `x`, `kid`, `alg`, `use`; never `d`). A deploy-time token. */
  readonly publicJwk: string;
  /** The key id: the RFC 7638 thumbprint of the public key. A deploy-time token. */
  readonly kid: string;
  /** The Lambda that creates or keeps the key pair. */
  readonly function: lambda.Function;

  constructor(scope: Construct, id: string, props: SigningKeyProps) {
    super(scope, id);
    validate(this, id, props);
    const logRetention = props.logRetention ?? logs.RetentionDays.ONE_MONTH;
    const logRemovalPolicy = props.logRemovalPolicy ?? RemovalPolicy.DESTROY;

    this.secret = new secretsmanager.Secret(this, 'Default', {
      secretName: props.secretName,
      description: `Signs the API tokens of environment ${props.environmentName} (Ed25519 key pair as JWKs, created by the deploy)`,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
    });

    const logGroup = new logs.LogGroup(this, 'Logs', { retention: logRetention, removalPolicy: logRemovalPolicy });
    const role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Creates or keeps the signing key of environment ${props.environmentName}`,
      inlinePolicies: {
        signingKey: new iam.PolicyDocument({
          statements: [
            new iam.PolicyStatement({ sid: 'WriteOwnLogs', actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [logGroup.logGroupArn] }),
            new iam.PolicyStatement({
              sid: 'ReadAndFillSigningKey',
              actions: ['secretsmanager:GetSecretValue', 'secretsmanager:PutSecretValue'],
              resources: [this.secret.secretArn],
            }),
          ],
        }),
      },
    });
    this.function = new lambda.Function(this, 'Function', {
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      code: lambda.Code.fromAsset(lambdaAssetDirectory('signingKey', undefined, { bundling: Stack.of(this).bundlingRequired })),
      handler: LAMBDA_ENTRIES.signingKey.handler,
      role,
      logGroup,
      timeout: Duration.seconds(30),
      memorySize: 256,
      description: `Creates or keeps the signing key of environment ${props.environmentName}`,
      environment: { NODE_OPTIONS: '--enable-source-maps' },
    });

    // The provider framework's own Lambda gets a role of ours rather than its default one (which
    // carries the AWSLambdaBasicExecutionRole managed policy): invoking this one function and
    // writing its own log group, nothing else. Passed without policy updates, so the framework's
    // grants (which would add `<function ARN>:*`) are not added on top.
    const providerLogGroup = new logs.LogGroup(this, 'ProviderLogs', { retention: logRetention, removalPolicy: logRemovalPolicy });
    const providerRole = new iam.Role(this, 'ProviderRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Runs the custom resource provider of the signing key of environment ${props.environmentName}`,
      inlinePolicies: {
        provider: new iam.PolicyDocument({
          statements: [
            new iam.PolicyStatement({ sid: 'WriteOwnLogs', actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [providerLogGroup.logGroupArn] }),
            new iam.PolicyStatement({ sid: 'InvokeSigningKeyFunction', actions: ['lambda:InvokeFunction', 'lambda:GetFunction'], resources: [this.function.functionArn] }),
          ],
        }),
      },
    });
    const provider = new cr.Provider(this, 'Provider', {
      onEventHandler: this.function,
      frameworkOnEventRole: providerRole.withoutPolicyUpdates(),
      logGroup: providerLogGroup,
    });

    const resource = new CustomResource(this, 'KeyPair', {
      serviceToken: provider.serviceToken,
      resourceType: 'Custom::AppApiSigningKey',
      properties: { SecretId: this.secret.secretArn },
    });
    this.publicJwk = resource.getAttString('PublicJwk');
    this.kid = resource.getAttString('Kid');
  }
}

function validate(scope: Construct, id: string, props: SigningKeyProps): void {
  const { environmentName, secretName } = props;
  if (!Token.isUnresolved(environmentName) && (typeof environmentName !== 'string' || environmentName.trim() === '')) {
    throw new Error(`SigningKey "${id}": environmentName is ${JSON.stringify(environmentName)}; pass the environment's name, e.g. "dev".`);
  }
  if (Token.isUnresolved(secretName)) return;
  if (typeof secretName !== 'string' || !SECRET_NAME.test(secretName)) {
    throw new Error(
      `SigningKey "${id}": secretName ${JSON.stringify(secretName)} is not a Secrets Manager name; use 1 to 512 ASCII letters, digits and the characters /_+=.@- (e.g. "appapi/dev/signing-key").`,
    );
  }
  if (ARN_SUFFIX_LOOKALIKE.test(secretName)) {
    Annotations.of(scope).addWarningV2(
      'appapi:secretNameSuffix',
      `SigningKey "${id}": secretName "${secretName}" ends with "-" and six characters, which Secrets Manager can mistake for the random suffix of a secret's ARN when a partial ARN is looked up; end it differently (e.g. "${secretName.replace(/-([A-Za-z0-9]{6})$/, '/$1')}").`,
    );
  }
}
