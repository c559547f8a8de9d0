// Throttling: EC2 answers RequestLimitExceeded (HTTP 503) when an account exceeds its request
// budget (mutating calls ~5/s sustained). We back off exponentially with full jitter, so replicas
// and controllers that were throttled together do not retry together. Sleep and randomness are
// injected: tests run the policy without waiting.
import { errorCode } from "./error-codes.js";
import { sleepOn, systemRandom, systemTimers, type Random } from "../../clock.js";
import { backoffDelay, type BackoffPolicy } from "../../domain/backoff.js";

export interface RetryPolicy {
  /** Attempts in total, the first included. */
  readonly maxAttempts: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  readonly sleep: (ms: number) => Promise<void>;
  readonly random: Random;
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
  sleep: sleepOn(systemTimers()),
  random: systemRandom,
};

/** Full-jitter backoff: uniform in [0, min(max, base·2^attempt)], never below 1 ms. */
export function throttleDelay(policy: RetryPolicy, attempt: number): number {
  const backoff: BackoffPolicy = {
    initialMs: policy.baseDelayMs,
    maxMs: policy.maxDelayMs,
    jitter: { kind: "full", random: policy.random },
  };
  return backoffDelay(backoff, attempt + 1);
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
      const delay = throttleDelay(policy, attempt);
      observer.onThrottle?.(attempt + 1, delay, error);
      await policy.sleep(delay);
    }
  }
}
