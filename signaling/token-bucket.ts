import type { Clock } from '../src/lib/deps';

export interface TokenBucket {
  /** Spends one token if there is one; false means the caller is over its rate. */
  take(): boolean;
}

export interface TokenBucketOptions {
  readonly ratePerSecond: number;
  readonly burst: number;
  readonly clock: Clock;
}

/** Starts full, so a fresh connection can subscribe-and-announce for all its rooms at once. */
export function createTokenBucket({
  ratePerSecond,
  burst,
  clock,
}: TokenBucketOptions): TokenBucket {
  let tokens = burst;
  let refilledAt = clock.now();
  return {
    take() {
      const now = clock.now();
      // A wall clock stepped backwards (NTP) must neither mint tokens nor freeze the bucket
      // until it catches up again.
      const elapsedMs = Math.max(0, now - refilledAt);
      refilledAt = now;
      tokens = Math.min(burst, tokens + (elapsedMs * ratePerSecond) / 1000);
      if (tokens < 1) return false;
      tokens -= 1;
      return true;
    },
  };
}
