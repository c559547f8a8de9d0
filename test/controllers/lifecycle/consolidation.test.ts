// Consolidation through the lifecycle controller, on the reports of e2e 35's author: multi-node moves
// with two NodePools side by side.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type { V1Pod } from "@kubernetes/client-node";
import type { NodePool } from "../../../src/api/nodepool.js";
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
