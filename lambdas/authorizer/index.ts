import { createDocumentClient } from '../runtime/dynamodb';
import { loadManifest } from '../shared/manifest-loader';
import type { PublicSigningJwk } from '../shared/signing-jwk';
import { createAuthorizer } from './create-authorizer';

// Built at cold start: manifest, verifier, DynamoDB client; keys are read when a token names them.
const publicJwk = JSON.parse(process.env.APPAPI_SIGNING_JWK ?? 'null') as PublicSigningJwk | null;
if (!publicJwk) throw new Error('APPAPI_SIGNING_JWK is not set: the stack passes the environment\'s public signing key.');

export const handler = createAuthorizer({ manifest: loadManifest(), publicJwk, dynamo: createDocumentClient() });
