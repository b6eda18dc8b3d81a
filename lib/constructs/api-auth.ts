import type { AuthManifest } from '../../lambdas/shared/manifest';

const GROUP = /^[a-z0-9][a-z0-9_-]{0,63}$/;

/** Who may call an App API: anyone, or API keys belonging to one of the named groups. */
export class ApiAuth {
  /** No token needed. cdk-nag's authorization finding is acknowledged for the route, naming it. */
  static public(): ApiAuth {
    return new ApiAuth({ type: 'public' });
  }

  /**
   * A valid API token of this environment whose key belongs to at least one of the groups.
   * Groups are assigned to keys at run time (`appapi keys update`), without redeploying.
   */
  static keyGroups(...groups: string[]): ApiAuth {
    if (groups.length === 0) throw new Error('ApiAuth.keyGroups() needs at least one group, e.g. ApiAuth.keyGroups("partners"). For an open route use ApiAuth.public().');
    for (const group of groups) {
      if (!GROUP.test(group)) {
        throw new Error(`ApiAuth.keyGroups(): group "${group}" must be lower-case letters, digits, "-" or "_", at most 64 characters.`);
      }
    }
    return new ApiAuth({ type: 'keyGroups', groups: [...new Set(groups)] });
  }

  private constructor(readonly manifest: AuthManifest) {}
}
