import type { EnvironmentManifest, RouteManifest } from '../../lambdas/shared/manifest';
import { localName } from '../scoped-names';

/**
 * The log group a handler writes to: named, so a shared role can name it without a reference.
 * App and id within the app: the same for a scoped App API (`shop.GetCustomer`) as for a bare one.
 * CloudWatch allows 512 characters; prefix, environment, app and id are bounded far below that.
 */
export function handlerLogGroupName(manifest: EnvironmentManifest, route: RouteManifest): string {
  return `/appapi/${manifest.prefix}-${manifest.env}/${route.app}/${localName(route.id)}`;
}
