// Every EC2 call goes through here: mutating calls paced by a token bucket, throttling retried
// with jittered backoff, each call counted and timed, so request budgets can be watched per action.
import type { Logger } from "../../logging.js";
import { errorCode } from "./error-codes.js";
import { isMutatingAction, type TokenBucket } from "./rate-limiter.js";
import { withThrottleRetry, type RetryPolicy } from "./retry.js";

export interface CallStats {
  calls: number;
  throttled: number;
  totalMs: number;
}

export class Ec2Caller {
  /** Per action: calls made, throttles seen, time spent (ms). */
  readonly stats = new Map<string, CallStats>();

  constructor(
    private readonly policy: RetryPolicy,
    private readonly logger: Logger,
    /** Paces mutating actions (CreateFleet, TerminateInstances, …); unlimited when absent. */
    private readonly mutating?: TokenBucket,
  ) {}

  async call<T>(action: string, operation: () => Promise<T>): Promise<T> {
    const stats = this.stats.get(action) ?? { calls: 0, throttled: 0, totalMs: 0 };
    this.stats.set(action, stats);
    return withThrottleRetry(
      async () => {
        if (this.mutating && isMutatingAction(action)) {
          const waited = await this.mutating.take();
          if (waited > 0) this.logger.debug({ action, waitedMs: waited }, "pacing mutating EC2 calls");
        }
        const started = performance.now();
        stats.calls++;
        try {
          return await operation();
        } finally {
          stats.totalMs += performance.now() - started;
        }
      },
      this.policy,
      {
        onThrottle: (attempt, delayMs, error) => {
          stats.throttled++;
          this.logger.warn(
            { action, attempt, delayMs, code: errorCode(error) },
            "EC2 throttled the request; backing off",
          );
        },
      },
    );
  }
}
