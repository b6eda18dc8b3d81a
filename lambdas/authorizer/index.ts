import { createDocumentClient } from '../runtime/dynamodb';
import { loadManifest } from '../shared/manifest-loader';
import type { PublicSigningJwk } from '../shared/signing-jwk';
import { createAuthorizer } from './create-authorizer';

// Everything is built at cold start: manifest, verifier, DynamoDB client, and the first key load.
const publicJwk = JSON.parse(process.env.APPAPI_SIGNING_JWK ?? 'null') as PublicSigningJwk | null;
if (!publicJwk) throw new Error('APPAPI_SIGNING_JWK is not set: the stack passes the environment\'s public signing key.');

const authorize = createAuthorizer({ manifest: loadManifest(), publicJwk, dynamo: createDocumentClient() });
// a failed first load is retried by the first request, which then fails if it fails again
authorize.keys.reload().catch(() => undefined);

export const handler = authorize;
