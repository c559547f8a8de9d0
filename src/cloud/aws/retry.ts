// Throttling: EC2 answers RequestLimitExceeded (HTTP 503) when an account exceeds its request
// budget (mutating calls ~5/s sustained). We back off exponentially with full jitter, so replicas
// and controllers that were throttled together do not retry together. Sleep and randomness are
// injected: tests run the policy without waiting.
import { errorCode } from "./error-codes.js";

export interface RetryPolicy {
  /** Attempts in total, the first included. */
  readonly maxAttempts: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  readonly sleep: (ms: number) => Promise<void>;
  /** Uniform in [0, 1). */
  readonly random: () => number;
}

const throttleCodes: ReadonlySet<string> = new Set([
  "RequestLimitExceeded",
  "Throttling",
  "ThrottlingException",
  "TooManyRequestsException",
  "RequestThrottled",
  "SlowDown",
]);

function isThrottle(error: unknown): boolean {
  return throttleCodes.has(errorCode(error) ?? "");
}

export const defaultRetryPolicy: RetryPolicy = {
  maxAttempts: 5,
  baseDelayMs: 200,
  maxDelayMs: 10_000,
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  random: Math.random,
};

/** Full-jitter backoff: uniform in [0, min(max, base·2^attempt)], never below 1 ms. */
export function backoffDelay(policy: RetryPolicy, attempt: number): number {
  const cap = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt);
  return Math.max(1, Math.floor(policy.random() * cap));
}

export interface RetryObserver {
  onThrottle?: (attempt: number, delayMs: number, error: unknown) => void;
}

/** Runs `operation`, retrying throttling errors; any other error, or the last throttle, is rethrown. */
export async function withThrottleRetry<T>(
  operation: () => Promise<T>,
  policy: RetryPolicy,
  observer: RetryObserver = {},
): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await operation();
    } catch (error) {
      if (!isThrottle(error) || attempt + 1 >= policy.maxAttempts) throw error;
      const delay = backoffDelay(policy, attempt);
      observer.onThrottle?.(attempt + 1, delay, error);
      await policy.sleep(delay);
    }
  }
}
