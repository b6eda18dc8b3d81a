import { createDocumentClient } from '../runtime/dynamodb';
import { createLogger } from '../shared/logger';
import { loadManifest } from '../shared/manifest-loader';
import type { PublicSigningJwk } from '../shared/signing-jwk';
import { createAuthorizer } from './create-authorizer';

// Built at cold start: manifest, verifier, DynamoDB client; keys are read when a token names them.
export const handler = (() => {
  try {
    const publicJwk = JSON.parse(process.env.APPAPI_SIGNING_JWK ?? 'null') as PublicSigningJwk | null;
    if (!publicJwk) throw new Error('APPAPI_SIGNING_JWK is not set: the stack passes the environment\'s public signing key.');
    return createAuthorizer({ manifest: loadManifest(), publicJwk, dynamo: createDocumentClient() });
  } catch (error) {
    // No --enable-source-maps (parsing the map, SDK included, cost ~45 ms of CPU per cold start):
    // Lambda reports the failed init with the bundle's lines, this line names the TypeScript.
    createLogger({ function: 'authorizer' }).error('cold start failed', { error });
    throw error;
  }
})();
