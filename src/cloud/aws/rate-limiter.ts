// Client-side token bucket for EC2's mutating calls. EC2 meters requests per account and region
// (mutating actions ~5/s sustained with a small burst); staying under that ourselves means the
// controllers rarely see RequestLimitExceeded at all, and other tools sharing the account keep
// their share. Tokens may go negative: a caller reserves its slot and sleeps until it comes, so
// concurrent callers queue fairly without a loop, and time comes from the injected clock.
import type { Clock } from "../../clock.js";

export interface RateLimit {
  readonly perSecond: number;
  readonly burst: number;
}

export const defaultMutatingRateLimit: RateLimit = { perSecond: 5, burst: 10 };

/** Actions that change state, which EC2 meters in the mutating bucket. */
export function isMutatingAction(action: string): boolean {
  return /^(Create|Delete|Terminate|Run|Modify|Start|Stop|Reboot|Associate|Disassociate|Attach|Detach)/.test(
    action,
  );
}

export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private readonly limit: RateLimit,
    private readonly clock: Clock,
    private readonly sleep: (ms: number) => Promise<void>,
  ) {
    this.tokens = limit.burst;
    this.last = clock.now();
  }

  /** Waits, if needed, until one request may go. Returns the wait in ms (0 when none). */
  async take(): Promise<number> {
    const now = this.clock.now();
    this.tokens = Math.min(this.limit.burst, this.tokens + ((now - this.last) / 1000) * this.limit.perSecond);
    this.last = now;
    this.tokens -= 1;
    if (this.tokens >= 0) return 0;
    const wait = Math.ceil((-this.tokens / this.limit.perSecond) * 1000);
    await this.sleep(wait);
    return wait;
  }
}
