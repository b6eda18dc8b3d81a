import type { ThrottlingManifest } from '../../../lambdas/shared/manifest';

/**
 * API Gateway's token bucket for one App API: `burstLimit` tokens at most, refilled at `rateLimit`
 * per second; a request without a token is answered 429.
 */
export class TokenBucket {
  private tokens: number;
  private refilledAt: number;

  constructor(
    private readonly limits: ThrottlingManifest,
    private readonly clock: () => number = Date.now,
  ) {
    this.tokens = limits.burstLimit;
    this.refilledAt = clock();
  }

  take(): boolean {
    const now = this.clock();
    this.tokens = Math.min(this.limits.burstLimit, this.tokens + ((now - this.refilledAt) / 1000) * this.limits.rateLimit);
    this.refilledAt = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}
