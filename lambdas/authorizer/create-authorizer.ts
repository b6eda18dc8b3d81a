import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { EnvironmentManifest } from '../shared/manifest';
import type { PublicSigningJwk } from '../shared/signing-jwk';
import { bearerToken } from './bearer-token';
import { KeySet, type KeySetOptions } from './key-set';
import { policyForGroups, stageArn, type PolicyDocument } from './route-policy';
import { createTokenVerifier, TokenRejected } from './token-verifier';

/** The parts of API Gateway's REQUEST authorizer event the authorizer reads. */
export interface AuthorizerEvent {
  readonly methodArn: string;
  readonly headers?: Record<string, string | undefined> | null;
  readonly multiValueHeaders?: Record<string, readonly string[] | undefined> | null;
  readonly requestContext?: { readonly requestId?: string } | null;
}

export interface AuthorizerResult {
  readonly principalId: string;
  readonly policyDocument: PolicyDocument;
  /** Reaches the handler as `$auth`; values must be strings for API Gateway. */
  readonly context: { readonly keyId: string; readonly keyName: string; readonly groups: string };
}

export type Authorizer = (event: AuthorizerEvent) => Promise<AuthorizerResult>;

/** The one error message API Gateway turns into 401; any other failure is an authorizer failure. */
export const UNAUTHORIZED = 'Unauthorized';

export interface AuthorizerOptions {
  readonly manifest: EnvironmentManifest;
  readonly publicJwk: PublicSigningJwk;
  readonly dynamo: DynamoDBDocumentClient;
  readonly keySet?: KeySetOptions;
  readonly log?: (entry: Record<string, unknown>) => void;
}

/**
 * The environment's token authorizer, shared by the Lambda and the local gateway: verifier, key set
 * and route table are built once. A refused token throws `Unauthorized` (401) with the reason
 * logged, never returned; a valid token gets a policy over every route its key's groups allow, so
 * the decision can be cached per token (403 on the others).
 */
export function createAuthorizer(options: AuthorizerOptions): Authorizer & { readonly keys: KeySet } {
  const { manifest } = options;
  const verify = createTokenVerifier(manifest.env, options.publicJwk);
  const keys = new KeySet(options.dynamo, manifest.tables.apiKeys, options.keySet);
  const log = options.log ?? ((entry) => console.info(JSON.stringify(entry)));
  const policies = new Map<string, PolicyDocument>();
  const authorize = async (event: AuthorizerEvent): Promise<AuthorizerResult> => {
    const requestId = event.requestContext?.requestId;
    let keyId: string | undefined;
    try {
      const claims = verify(bearerToken(event));
      keyId = claims.sub;
      const key = await keys.get(claims.sub);
      if (!key) throw new TokenRejected('key unknown or deleted');
      if (key.tokenId !== claims.jti) throw new TokenRejected('token replaced by a newer one for this key');
      const stage = stageArn(event.methodArn);
      const cacheKey = `${stage}\u0000${[...key.groups].sort().join(',')}`;
      let policy = policies.get(cacheKey);
      if (!policy) {
        policy = policyForGroups(manifest.routes, key.groups, stage);
        policies.set(cacheKey, policy);
      }
      log({ level: 'info', msg: 'token accepted', requestId, keyId: key.keyId });
      return { principalId: key.keyId, policyDocument: policy, context: { keyId: key.keyId, keyName: key.name, groups: key.groups.join(',') } };
    } catch (error) {
      if (error instanceof TokenRejected) {
        log({ level: 'info', msg: 'token rejected', requestId, reason: error.reason, ...(keyId ? { keyId: keyId.slice(0, 64) } : {}) });
        throw new Error(UNAUTHORIZED);
      }
      log({ level: 'error', msg: 'authorizer failure', requestId, error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) });
      throw error;
    }
  };
  return Object.assign(authorize, { keys });
}
