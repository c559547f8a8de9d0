// Exponential backoff, the one formula every retry loop uses: the n-th retry waits
// initialMs·2^(n-1), capped at maxMs, then jittered. Jitter spreads retries that failed together
// (replicas throttled by the same limit, informers cut by the same API-server outage) so they do
// not come back together; the random source is passed in, so tests pin it.

/** Uniform in [0, 1). Production passes clock.ts's systemRandom; tests pin it. */
export type Random = () => number;

export type Jitter =
  /** Exactly the capped delay: retries of one caller, nothing to spread. */
  | { readonly kind: "none" }
  /** Uniform in [0, delay), at least 1 ms: AWS's "full jitter", for callers competing for a budget. */
  | { readonly kind: "full"; readonly random: Random }
  /** Uniform in delay·[1 − fraction, 1 + fraction): keeps the pace, breaks the lockstep. */
  | { readonly kind: "spread"; readonly fraction: number; readonly random: Random };

export interface BackoffPolicy {
  /** Wait before the first retry. */
  readonly initialMs: number;
  /** No wait grows beyond this (before jitter). */
  readonly maxMs: number;
  readonly jitter: Jitter;
}

const noJitter: Jitter = { kind: "none" };

/** Doubling from `initialMs`, capped at `maxMs`, without jitter. */
export function exponential(initialMs: number, maxMs: number): BackoffPolicy {
  return { initialMs, maxMs, jitter: noJitter };
}

/** The wait before retry number `retry` (1 for the first retry). */
export function backoffDelay(policy: BackoffPolicy, retry: number): number {
  // The exponent is bounded so that a long run of failures cannot overflow to Infinity·0 = NaN.
  const capped = Math.min(policy.maxMs, policy.initialMs * 2 ** Math.min(Math.max(retry - 1, 0), 64));
  const jitter = policy.jitter;
  switch (jitter.kind) {
    case "none":
      return capped;
    case "full":
      return Math.max(1, Math.floor(jitter.random() * capped));
    case "spread":
      return capped * (1 - jitter.fraction + 2 * jitter.fraction * jitter.random());
  }
}
