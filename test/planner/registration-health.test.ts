// NodePools whose nodes failed to register are tried after healthy pools, whatever their weight,
// but are still used for pods nothing else can take.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { NodePool } from "../../src/api/nodepool.js";
import { plan } from "../../src/planner/planner.js";
import { checkPlan } from "./support/checker.js";
import { nodePool, pod, snapshot } from "./support/builders.js";

function unhealthy(pool: NodePool): NodePool {
  return {
    ...pool,
    status: {
      conditions: [{ type: "NodeRegistrationHealthy", status: "False", reason: "RegistrationTimeout" }],
    },
  };
}

describe("planner and NodeRegistrationHealthy", () => {
  const pods = [pod("a", { cpu: "1" }), pod("b", { cpu: "1" })];

  it("prefers the heavier pool while it is healthy", () => {
    const s = snapshot({
      pendingPods: pods,
      nodePools: [nodePool("heavy", {}, { weight: 50 }), nodePool("light", {}, { weight: 5 })],
    });
    const result = plan(s);
    assert.deepEqual(checkPlan(s, result), []);
    assert.deepEqual([...new Set(result.newNodes.map((n) => n.nodePool))], ["heavy"]);
  });

  it("moves to a healthy pool of lower weight when the heavier one failed to register", () => {
    const s = snapshot({
      pendingPods: pods,
      nodePools: [unhealthy(nodePool("heavy", {}, { weight: 50 })), nodePool("light", {}, { weight: 5 })],
    });
    const result = plan(s);
    assert.deepEqual(checkPlan(s, result), []);
    assert.deepEqual([...new Set(result.newNodes.map((n) => n.nodePool))], ["light"]);
  });

  it("still uses an unhealthy pool for pods that fit nowhere else", () => {
    const s = snapshot({
      pendingPods: pods,
      nodePools: [
        unhealthy(nodePool("heavy", {}, { weight: 50 })),
        nodePool("light", {}, { weight: 5, limits: { cpu: "0" } }),
      ],
    });
    const result = plan(s);
    assert.deepEqual(checkPlan(s, result), []);
    assert.equal(result.unschedulable.length, 0);
    assert.deepEqual([...new Set(result.newNodes.map((n) => n.nodePool))], ["heavy"]);
  });
});
