import { loadManifest } from '../shared/manifest-loader';
import { createHandler } from './create-handler';

// Cold start: the manifest is read and the route's expressions and schemas compiled once.
export const handler = createHandler(loadManifest(), process.env.APPAPI_ROUTE);
