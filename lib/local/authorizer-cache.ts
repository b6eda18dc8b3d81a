import { UNAUTHORIZED, type Authorizer, type AuthorizerEvent, type AuthorizerResult } from '../../lambdas/authorizer/create-authorizer';
import { policyAllows } from '../../lambdas/authorizer/route-policy';

const MAX_ENTRIES = 10_000;

export type AuthorizationDecision =
  | { readonly outcome: 'allow'; readonly result: AuthorizerResult }
  | { readonly outcome: 'unauthorized' | 'forbidden' | 'failure' };

/**
 * API Gateway's handling of a cached REQUEST authorizer, for the local gateway: no identity
 * source → 401 without calling the authorizer; the returned policy is cached per identity for the
 * TTL and applied to every route; `Unauthorized` → 401; any other failure → authorizer failure.
 */
export class AuthorizerCache {
  private readonly entries = new Map<string, { readonly result: AuthorizerResult; readonly expiresAt: number }>();

  constructor(
    private readonly authorizer: Authorizer,
    private readonly ttlMs: number,
    private readonly clock: () => number = Date.now,
  ) {}

  /**
   * `event` is built only when the authorizer runs: a cached decision needs the method ARN alone.
   */
  async decide(identity: string | undefined, methodArn: string, event: () => AuthorizerEvent): Promise<AuthorizationDecision> {
    if (identity === undefined || identity === '') return { outcome: 'unauthorized' };
    const now = this.clock();
    let cached = this.entries.get(identity);
    if (!cached || cached.expiresAt <= now) {
      this.entries.delete(identity);
      try {
        cached = { result: await this.authorizer(event()), expiresAt: now + this.ttlMs };
      } catch (error) {
        return { outcome: (error as Error).message === UNAUTHORIZED ? 'unauthorized' : 'failure' };
      }
      if (this.ttlMs > 0) this.remember(identity, cached, now);
    }
    return policyAllows(cached.result.policyDocument, methodArn) ? { outcome: 'allow', result: cached.result } : { outcome: 'forbidden' };
  }

  /** Many distinct tokens must not grow memory without bound: expired entries go first. */
  private remember(identity: string, entry: { readonly result: AuthorizerResult; readonly expiresAt: number }, now: number): void {
    if (this.entries.size >= MAX_ENTRIES) {
      for (const [key, value] of this.entries) if (value.expiresAt <= now) this.entries.delete(key);
      if (this.entries.size >= MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value!);
    }
    this.entries.set(identity, entry);
  }
}
