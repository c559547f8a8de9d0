// Consolidation through the lifecycle controller, on the reports of e2e 35's author: multi-node moves
// with two NodePools side by side, and an empty node (about to be deleted) counted as room.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type { V1Pod } from "@kubernetes/client-node";
import type { NodePool } from "../../../src/api/nodepool.js";
import { decideConsolidation } from "../../../src/controllers/lifecycle/consolidation.js";
import { disruptionSnapshot } from "../../../src/controllers/lifecycle/destinations.js";
import { lifecycleWorld, runningPod, testPool } from "../../support/lifecycle-fakes.js";

function world() {
  return lifecycleWorld(
    { disruptionIntervalMs: 10_000, validationDelayMs: 15_000, gcIntervalMs: 3_600_000 },
    { terminationLatencyMs: 20_000 },
  );
}

function pool(name: string, types: string[], consolidateAfter = "0s"): NodePool {
  return testPool(name, {
    template: {
      spec: {
        nodeClassRef: { group: "rafter.dev", kind: "EC2NodeClass", name: "default" },
        requirements: [
          { key: "rafter.dev/capacity-type", operator: "In", values: ["on-demand"] },
          { key: "node.kubernetes.io/instance-type", operator: "In", values: types },
        ],
      },
    },
    disruption: {
      consolidationPolicy: "WhenEmptyOrUnderutilized",
      consolidateAfter,
      budgets: [{ nodes: "100%" }],
    },
  });
}

/** A pod that selects its NodePool, as e2e 35's Deployments do. */
function pinned(name: string, nodeName: string, nodePool: string, cpu: string, memory: string): V1Pod {
  const pod = runningPod(name, nodeName, { cpu, memory });
  pod.spec = { ...pod.spec!, nodeSelector: { "rafter.dev/nodepool": nodePool } };
  return pod;
}

const deleting = (w: ReturnType<typeof world>, name: string) =>
  w.api.virtualNode(name) === undefined || w.api.virtualNode(name)?.metadata.deletionTimestamp !== undefined;

/**
 * node-a (m5.xlarge, $0.192/h) holds two 1.5-CPU pods; node-e (m5.large, $0.096/h) is empty. With
 * node-e as room, node-a looks replaceable by an m5.large (one pod each, half the price); without it
 * both pods need an m5.xlarge again, and nothing is worth doing.
 */
async function busyAndEmpty(consolidateAfter: string) {
  const w = world();
  w.api.nodePools.push(pool("default", ["m5.large", "m5.xlarge"], consolidateAfter));
  await w.launch("a", { instanceType: "m5.xlarge" });
  for (const name of ["web-1", "web-2"]) w.api.pods.push(runningPod(name, "node-a", { cpu: "1500m" }));
  return w;
}

describe("consolidation", () => {
  it("merges two nodes of one NodePool when another NodePool has candidates too", async () => {
    // Per pool: two r5.xlarge ($0.252/h each), each more than half used, so neither can be deleted,
    // and no cheaper type fits one node's pods alone; both pods fit one c5.2xlarge ($0.34/h, 33% less
    // than two r5.xlarge). The candidates' names interleave the pools, as real names do.
    const w = world();
    w.api.nodePools.push(pool("one", ["r5.xlarge", "c5.2xlarge"]), pool("two", ["r5.xlarge", "c5.2xlarge"]));
    const layout: [string, string][] = [
      ["x1", "one"],
      ["x2", "two"],
      ["x3", "one"],
      ["x4", "two"],
    ];
    for (const [name, nodePool] of layout) {
      await w.launch(name, { instanceType: "r5.xlarge", nodePool });
      w.api.pods.push(pinned(`web-${name}`, `node-${name}`, nodePool, "2200m", "4Gi"));
    }
    const lifecycle = w.start();
    await w.advance(40_000, 5_000);
    assert.equal(w.api.provisioned.length, 1, "one merge launched");
    const merge = w.api.provisioned[0]!;
    assert.equal(merge.reason, "Underutilized");
    assert.deepEqual(merge.node.instanceTypes, ["c5.2xlarge"]);
    const chosen = layout.filter(([name]) => marked(w, name));
    assert.equal(chosen.length, 2, `two nodes chosen: ${chosen.map(([n]) => n).join(", ")}`);
    assert.equal(new Set(chosen.map(([, p]) => p)).size, 1, "of one NodePool");
    assert.equal(merge.node.nodePool, chosen[0]![1], "the merged node is in their pool");
    lifecycle.stop();
  });

  it("does not move pods onto an empty node whose consolidateAfter has not passed yet", async () => {
    // node-e is launched (empty) after node-a has settled: consolidation runs while node-e waits out
    // consolidateAfter, and emptiness deletes node-e once it has passed, before a replacement of
    // node-a counting on it would have drained.
    const w = await busyAndEmpty("1m");
    const lifecycle = w.start();
    await w.advance(50_000, 5_000);
    await w.launch("e", { instanceType: "m5.large" });
    await w.advance(40_000, 5_000);
    assert.equal(w.api.provisioned.length, 0, "no replacement counting on the empty node");
    assert.ok(!deleting(w, "e"), "not yet: consolidateAfter counts from node-e's launch");
    await w.advance(40_000, 5_000);
    assert.ok(deleting(w, "e"), "the empty node is deleted");
    assert.equal(w.api.provisioned.length, 0);
    assert.ok(!deleting(w, "a") && !marked(w, "a"), "node-a stays");
    lifecycle.stop();
  });

  it("still counts an empty node that emptiness leaves alone (do-not-disrupt) as room", async () => {
    const w = await busyAndEmpty("0s");
    const empty = await w.launch("e", { instanceType: "m5.large" });
    empty.node.metadata!.annotations = {
      ...empty.node.metadata?.annotations,
      "rafter.dev/do-not-disrupt": "true",
    };
    const lifecycle = w.start();
    await w.advance(40_000, 5_000);
    assert.ok(!deleting(w, "e"));
    assert.equal(w.api.provisioned.length, 1, "node-a replaced by an m5.large, one pod to node-e");
    assert.deepEqual(w.api.provisioned[0]?.node.instanceTypes, ["m5.large"]);
    lifecycle.stop();
  });

  it("closes the nodes that are going in the simulation's snapshot, and only those", async () => {
    const w = await busyAndEmpty("0s");
    w.api.nodePools.push(pool("kept", ["m5.large"], "Never"));
    const going = await w.launch("going", { instanceType: "m5.large" }); // deleted, not tainted yet
    w.api.pods.push(runningPod("web-3", "node-going"));
    going.virtualNode.metadata.deletionTimestamp = new Date(w.clock.now());
    const chosen = await w.launch("chosen", { instanceType: "m5.large" });
    w.api.pods.push(runningPod("web-4", "node-chosen"));
    chosen.virtualNode.status!.conditions = [{ type: "Consolidatable", status: "True" }];
    await w.launch("empty", { instanceType: "m5.large" });
    const blocked = await w.launch("blocked", { instanceType: "m5.large" });
    blocked.node.metadata!.annotations = {
      ...blocked.node.metadata?.annotations,
      "karpenter.sh/do-not-disrupt": "true",
    };
    await w.launch("never", { instanceType: "m5.large", nodePool: "kept" }); // consolidateAfter: Never
    const snapshot = disruptionSnapshot(w.deps, w.catalog);
    const closed = snapshot.nodes
      .filter((n) => n.markedForDeletion)
      .map((n) => n.node.metadata?.name)
      .sort();
    assert.deepEqual(closed, ["node-chosen", "node-empty", "node-going"]);
  });

  it("searches every pool's groups within the simulation cap, leaving half of it to single nodes", () => {
    // 30 NodePools of 4 candidates each, and a planner that never finds room: the multi-node search
    // would want a binary search per pool; it stops at half the cap and single nodes get the rest.
    const w = world();
    const candidates = Array.from({ length: 120 }, (_, i) => ({
      nodeName: `node-${i}`,
      nodePool: `pool-${i % 30}`,
      price: 1,
      capacityType: "on-demand" as const,
      pods: [runningPod(`web-${i}`, `node-${i}`)],
      minSavings: 0,
    }));
    let plans = 0;
    const result = decideConsolidation({
      snapshot: disruptionSnapshot(w.deps, w.catalog),
      candidates,
      allowed: new Map(candidates.map((c) => [c.nodePool, 10])),
      plan: () => {
        plans++;
        return {
          placements: [],
          newNodes: [],
          unschedulable: [{ pod: "default/x", reason: "no room" }],
          hourlyCost: 0,
        };
      },
      options: { maxSimulations: 40 },
    });
    assert.equal(result.command.kind, "none");
    assert.equal(result.simulations, 40);
    assert.equal(plans, 40);
    assert.equal(result.reasons.size, 20, "half the cap went to single nodes");
  });
});

/** Chosen by a consolidation: marked Consolidatable, tainted or being deleted. */
function marked(w: ReturnType<typeof world>, name: string): boolean {
  const virtualNode = w.api.virtualNode(name);
  const node = w.api.nodes.find((n) => n.metadata?.name === `node-${name}`);
  return (
    (virtualNode?.status?.conditions?.some((c) => c.type === "Consolidatable" && c.status === "True") ??
      false) ||
    (node?.spec?.taints?.some((t) => t.key === "rafter.dev/disrupted") ?? false) ||
    virtualNode?.metadata.deletionTimestamp !== undefined
  );
}
