// Debounced reconciles: one run per window however many requests, and a request is never held back
// by the reconciler's own "run again in N minutes".
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { pino } from "pino";
import { ManualClock } from "../../src/clock.js";
import { Debounced } from "../../src/controllers/debounced.js";

const flush = () => new Promise((resolve) => setImmediate(resolve));

function setup(periodMs: number) {
  const clock = new ManualClock(0);
  const runs: number[] = [];
  const debounced = new Debounced(
    "test",
    2_000,
    () => {
      runs.push(clock.now());
      return Promise.resolve(periodMs);
    },
    clock,
    pino({ level: "silent" }),
  );
  return { clock, runs, debounced };
}

describe("Debounced", () => {
  it("runs once per window for a burst of requests", async () => {
    const { clock, runs, debounced } = setup(300_000);
    debounced.request();
    debounced.request();
    debounced.request();
    clock.advance(2_000);
    await flush();
    assert.deepEqual(runs, [2_000]);
    debounced.stop();
  });

  it("runs again after the period the reconciler asks for", async () => {
    const { clock, runs, debounced } = setup(300_000);
    debounced.request(0);
    clock.advance(0);
    await flush();
    clock.advance(300_000);
    await flush();
    assert.deepEqual(runs, [0, 300_000]);
    debounced.stop();
  });

  it("brings the periodic run forward when something asks for a reconcile", async () => {
    const { clock, runs, debounced } = setup(300_000);
    debounced.request(0);
    clock.advance(0);
    await flush();
    clock.advance(10_000);
    debounced.request(0);
    clock.advance(0);
    await flush();
    assert.deepEqual(runs, [0, 10_000]);
    debounced.stop();
  });
});
