import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { ManualClock } from "../../src/clock.js";
import { Batcher } from "../../src/controllers/batcher.js";

function batcher() {
  const clock = new ManualClock();
  const batches: string[][] = [];
  const b = new Batcher({
    idleMs: 1000,
    maxMs: 10_000,
    clock,
    timers: clock,
    onBatch: (keys) => batches.push(keys),
  });
  return { clock, batches, b };
}

describe("Batcher", () => {
  it("closes a batch after the idle window", () => {
    const { clock, batches, b } = batcher();
    b.add("a");
    clock.advance(500);
    b.add("b");
    clock.advance(999);
    assert.deepEqual(batches, []);
    clock.advance(1);
    assert.deepEqual(batches, [["a", "b"]]);
  });

  it("closes a busy batch at the max window", () => {
    const { clock, batches, b } = batcher();
    for (let i = 0; i < 40; i++) {
      b.add(`p${i}`);
      clock.advance(300);
    }
    assert.equal(batches.length, 1);
    assert.equal(batches[0]!.length, 34, "pods added up to 10 s went into the first batch");
  });

  it("does not restart the idle window for a key it already holds", () => {
    const { clock, batches, b } = batcher();
    b.add("a");
    clock.advance(600);
    b.add("a");
    clock.advance(400);
    assert.deepEqual(batches, [["a"]]);
  });

  it("flushes at once on demand and never emits an empty batch", () => {
    const { clock, batches, b } = batcher();
    b.flush();
    b.add("x");
    b.flush();
    clock.advance(20_000);
    assert.deepEqual(batches, [["x"]]);
    assert.equal(clock.pendingTimers, 0);
  });
});
