import middy from '@middy/core';
import type { MiddlewareObj } from '@middy/core';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayAuthorizerWithContextResult, APIGatewayRequestAuthorizerEvent, Context } from 'aws-lambda';
import { createLogger, type Logger, type LogSink } from '../shared/logger';
import type { EnvironmentManifest } from '../shared/manifest';
import type { PublicSigningJwk } from '../shared/signing-jwk';
import { bearerToken } from './bearer-token';
import { KeyCache, type KeyCacheOptions, type KeySource } from './key-cache';
import { policyForGroups, stageArn, type PolicyDocument } from './route-policy';
import { createTokenVerifier, TokenRejected } from './token-verifier';

/** API Gateway's REQUEST authorizer event, as @types/aws-lambda defines it: the parts the authorizer reads. */
export type AuthorizerEvent = Pick<APIGatewayRequestAuthorizerEvent, 'methodArn'> &
  Partial<Pick<APIGatewayRequestAuthorizerEvent, 'headers' | 'multiValueHeaders'>> & {
    readonly requestContext?: { readonly requestId?: string } | null;
  };

/** Reaches the handler as `$auth`; values must be strings for API Gateway. */
export interface KeyContext {
  readonly keyId: string;
  readonly keyName: string;
  readonly groups: string;
  readonly [name: string]: string;
}

export interface AuthorizerResult extends APIGatewayAuthorizerWithContextResult<KeyContext> {
  readonly policyDocument: PolicyDocument;
}

export type Authorizer = (event: AuthorizerEvent, context?: Partial<Context>) => Promise<AuthorizerResult>;

/** The one error message API Gateway turns into 401; any other failure is an authorizer failure. */
export const UNAUTHORIZED = 'Unauthorized';

export interface AuthorizerOptions {
  readonly manifest: EnvironmentManifest;
  readonly publicJwk: PublicSigningJwk;
  readonly dynamo: DynamoDBDocumentClient;
  /** Bounds of the per-key cache (revocation, unknown ids, size). */
  readonly keySet?: KeyCacheOptions;
  /** Where keys are found. @default a KeyCache on the environment's keys table, with `keySet` */
  readonly keySource?: KeySource;
  /** Receives each log entry. @default the Lambdas' logger, on stdout */
  readonly log?: LogSink;
}

/**
 * The environment's token authorizer as a middy pipeline, shared by the Lambda and the local
 * gateway: verifier, key cache and route table are built once. A valid token gets a policy over
 * every route its key's groups allow, so the decision can be cached per token (403 on the
 * others). Headers are read as API Gateway passes them, without a header normalizer, so a second
 * Authorization header cannot be folded away before bearerToken refuses it.
 */
export function createAuthorizer(options: AuthorizerOptions): Authorizer & { readonly keys: KeySource } {
  const { manifest } = options;
  const verify = createTokenVerifier(manifest.env, options.publicJwk);
  const keys = options.keySource ?? new KeyCache(options.dynamo, manifest.tables.apiKeys, options.keySet);
  const logger = createLogger({ function: 'authorizer', ...(options.log ? { sink: options.log } : {}) });
  const policies = new Map<string, PolicyDocument>();
  const authorize = async (event: AuthorizerEvent): Promise<AuthorizerResult> => {
    const claims = verify(bearerToken(event));
    let key = await keys.get(claims.sub);
    // a key re-issued since it was cached: its new token proves the cached token id is old
    if (key && key.tokenId !== claims.jti && keys.refreshed) key = await keys.refreshed(claims.sub);
    if (!key) throw new TokenRejected('key unknown or deleted', claims.sub.slice(0, 64));
    if (key.tokenId !== claims.jti) throw new TokenRejected('token replaced by a newer one for this key', key.keyId);
    const stage = stageArn(event.methodArn);
    const cacheKey = `${stage}\u0000${[...key.groups].sort().join(',')}`;
    let policy = policies.get(cacheKey);
    if (!policy) {
      policy = policyForGroups(manifest.routes, key.groups, stage);
      policies.set(cacheKey, policy);
    }
    logger.info('token accepted', { requestId: event.requestContext?.requestId, keyId: key.keyId });
    return { principalId: key.keyId, policyDocument: policy, context: { keyId: key.keyId, keyName: key.name, groups: key.groups.join(',') } };
  };
  const pipeline = middy<AuthorizerEvent, AuthorizerResult, Error, Context>().use(refusalAsUnauthorized(logger)).handler(authorize);
  return Object.assign((event: AuthorizerEvent, context?: Partial<Context>) => pipeline(event, (context ?? {}) as Context), { keys });
}

/**
 * A refused token becomes `Unauthorized` (401), its reason logged and never returned; any other
 * failure is logged and rethrown, which API Gateway answers as an authorizer failure.
 */
function refusalAsUnauthorized(logger: Logger): MiddlewareObj<AuthorizerEvent, AuthorizerResult, Error, Context> {
  return {
    onError: (request) => {
      const requestId = request.event.requestContext?.requestId;
      const error = request.error;
      if (error instanceof TokenRejected) {
        logger.info('token rejected', { requestId, reason: error.reason, ...(error.keyId ? { keyId: error.keyId } : {}) });
        request.error = new Error(UNAUTHORIZED);
        return;
      }
      logger.error('authorizer failure', { requestId, error });
    },
  };
}
