import { loadManifest } from '../shared/manifest-loader';

// Loaded at cold start, as the token checks will need the routes' key groups.
const manifest = loadManifest();

/**
 * The environment's REQUEST authorizer. Token verification is not built yet, so it fails closed:
 * every request to a key-group route is answered 401 by API Gateway.
 */
export async function handler(): Promise<never> {
  console.info(JSON.stringify({ level: 'info', msg: 'token rejected', reason: 'token verification unavailable', env: manifest.env }));
  throw new Error('Unauthorized');
}
