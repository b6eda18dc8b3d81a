import { join, resolve } from 'node:path';

/** Where local mode keeps its data (DynamoDB Local files, signing keys): `.appapi/` or APPAPI_HOME. */
export function dataHome(): string {
  return resolve(process.env.APPAPI_HOME ?? join(process.cwd(), '.appapi'));
}
