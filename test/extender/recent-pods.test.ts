import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { RecentPods } from "../../src/extender/recent-pods.js";

const pod = (cpu: number) => ({ requests: { cpu }, creationTimestamp: undefined });

describe("RecentPods", () => {
  it("keeps the most recently remembered pods up to its capacity", () => {
    const recent = new RecentPods(2);
    recent.remember("a", pod(1));
    recent.remember("b", pod(2));
    recent.remember("a", pod(3)); // remembered again: now the newest
    assert.deepEqual(recent.get("b"), pod(2), "reading b does not keep it");
    recent.remember("c", pod(4));
    assert.equal(recent.get("b"), undefined, "b, least recently remembered, went first");
    assert.deepEqual(recent.get("a"), pod(3));
    assert.deepEqual(recent.get("c"), pod(4));
    recent.forget("a");
    assert.equal(recent.get("a"), undefined);
  });
});
