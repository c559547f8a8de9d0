// The isolation docs/migrating-from-karpenter.md relies on, as rafter's planner sees it: while a
// NodePool carries the migration taint, rafter launches only for pods that tolerate it and select
// rafter.dev/nodepool; pods selecting karpenter.sh/nodepool (pinned to Karpenter) never get rafter
// capacity, and once the taint is gone every pod the NodePool admits does.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { plan } from "../../src/planner/planner.js";
import { nodePool, pod, snapshot } from "../planner/support/builders.js";

const migrating = { key: "rafter.dev/migrating", value: "true", effect: "NoSchedule" as const };
const pods = [
  pod("migrated", {
    spec: {
      containers: [],
      nodeSelector: { "rafter.dev/nodepool": "general" },
      tolerations: [{ key: "rafter.dev/migrating", operator: "Equal", value: "true", effect: "NoSchedule" }],
    },
  }),
  pod("not-yet"),
  pod("on-karpenter", { spec: { containers: [], nodeSelector: { "karpenter.sh/nodepool": "general" } } }),
];

const launchedFor = (taints: (typeof migrating)[]): string[] =>
  plan(snapshot({ nodePools: [nodePool("general", { taints })], pendingPods: pods }))
    .newNodes.flatMap((n) => n.pods)
    .sort();

describe("side by side with Karpenter (the migration guide)", () => {
  it("with the migration taint, launches only for migrated pods", () => {
    assert.deepEqual(launchedFor([migrating]), ["default/migrated"]);
  });

  it("without it, for every pod the NodePool admits, never for pods pinned to Karpenter's nodepool", () => {
    assert.deepEqual(launchedFor([]), ["default/migrated", "default/not-yet"]);
  });
});
