// Every EC2 call goes through here: throttling retried with jittered backoff, each call counted
// and timed for logs, so request budgets can be watched per action.
import type { Logger } from "../../logging.js";
import { errorCode } from "./error-codes.js";
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
  ) {}

  async call<T>(action: string, operation: () => Promise<T>): Promise<T> {
    const stats = this.stats.get(action) ?? { calls: 0, throttled: 0, totalMs: 0 };
    this.stats.set(action, stats);
    return withThrottleRetry(
      async () => {
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
