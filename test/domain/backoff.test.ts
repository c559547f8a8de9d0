// The one backoff formula reproduces, delay for delay, each of the formulas it replaced (written out
// here as they were), so moving a retry loop onto it changed no wait.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { backoffDelay, exponential, type BackoffPolicy } from "../../src/domain/backoff.js";

const retries = Array.from({ length: 40 }, (_, i) => i + 1);
const randoms = [0, 1e-9, 0.25, 0.5, 0.999_999];

function same(
  policy: (random: () => number) => BackoffPolicy,
  old: (retry: number, r: number) => number,
): void {
  for (const r of randoms)
    for (const retry of retries)
      assert.equal(
        backoffDelay(
          policy(() => r),
          retry,
        ),
        old(retry, r),
        `retry ${retry}, random ${r}`,
      );
}

describe("backoffDelay", () => {
  it("doubles from the initial delay up to the cap", () => {
    assert.deepEqual(
      [1, 2, 3, 4, 5, 6, 7].map((n) => backoffDelay(exponential(1_000, 30_000), n)),
      [1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000],
    );
    assert.equal(backoffDelay(exponential(400, Infinity), 5), 6_400);
    assert.equal(backoffDelay(exponential(1_000, 60_000), 10_000), 60_000, "no overflow on long runs");
  });

  it("matches the launcher's, the work queue's and the drain's old formulas", () => {
    same(
      () => exponential(1_000, 30_000),
      (attempt) => Math.min(30_000, 1000 * 2 ** (attempt - 1)),
    );
    same(
      () => exponential(1_000, 60_000),
      (attempt) => Math.min(60_000, 1000 * 2 ** (attempt - 1)),
    );
    // drain: blockedAttempts = retry - 1
    same(
      () => exponential(1_000, 30_000),
      (retry) => Math.min(30_000, 1_000 * 2 ** Math.min(retry - 1, 5)),
    );
  });

  it("matches the binder's and DescribeInstances' old formulas", () => {
    same(
      () => exponential(200, 3_000),
      (attempt) => Math.min(3_000, 100 * 2 ** attempt),
    );
    for (const attempt of [1, 2, 3, 4, 5])
      assert.equal(backoffDelay(exponential(400, Infinity), attempt), 200 * 2 ** attempt);
  });

  it("matches EC2 throttling's full jitter", () => {
    // attempt (0-based) = retry - 1; base 200 ms, cap 10 s
    same(
      (random) => ({ initialMs: 200, maxMs: 10_000, jitter: { kind: "full", random } }),
      (retry, r) => Math.max(1, Math.floor(r * Math.min(10_000, 200 * 2 ** (retry - 1)))),
    );
  });

  it("matches the informer's ±20 % spread over a doubling delay", () => {
    same(
      (random) => ({ initialMs: 500, maxMs: 10_000, jitter: { kind: "spread", fraction: 0.2, random } }),
      (retry, r) => {
        // The informer doubled a running value after each failure, capped.
        let backoff = 500;
        for (let i = 1; i < retry; i++) backoff = Math.min(backoff * 2, 10_000);
        return backoff * (0.8 + r * 0.4);
      },
    );
  });
});
