import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type { EC2NodeClass } from "../../../src/api/ec2nodeclass.js";
import type { NodePool } from "../../../src/api/nodepool.js";
import type { VirtualNode } from "../../../src/api/virtualnode.js";
import { driftStamps } from "../../../src/controllers/lifecycle/drift.js";
import type { V1Node } from "@kubernetes/client-node";
import { lifecycleWorld, runningPod, testPool } from "../../support/lifecycle-fakes.js";

function world(pool: NodePool, terminationLatencyMs = 0) {
  const w = lifecycleWorld(
    { disruptionIntervalMs: 10_000, validationDelayMs: 15_000, gcIntervalMs: 3_600_000 },
    { terminationLatencyMs },
  );
  w.api.nodePools.push(pool);
  return w;
}

/** Consolidation as soon as a node is empty or underutilized, any number of nodes at a time. */
const consolidatedAtOnce: NodePool["spec"]["disruption"] = {
  consolidationPolicy: "WhenEmptyOrUnderutilized",
  consolidateAfter: "0s",
  budgets: [{ nodes: "100%" }],
};

const pool = (
  disruption: NodePool["spec"]["disruption"],
  extra: Partial<NodePool["spec"]["template"]["spec"]> = {},
) => {
  const p = testPool("default", { disruption });
  Object.assign(p.spec.template.spec, extra);
  return p;
};

/**
 * Two m5.xlarge nodes with one 500m pod each, consolidated at once. One instance type only: replacing
 * both nodes by one saves what deleting one does, and a deletion wins the tie because it launches
 * nothing.
 */
async function twoHalfUsedNodes(annotations: Record<string, string> = {}) {
  const w = world(
    pool(consolidatedAtOnce, {
      requirements: [
        { key: "rafter.dev/capacity-type", operator: "In", values: ["on-demand"] },
        { key: "node.kubernetes.io/instance-type", operator: "In", values: ["m5.xlarge"] },
      ],
    }),
  );
  for (const name of ["a", "b"]) {
    const pair = await w.launch(name, { instanceType: "m5.xlarge" });
    const pod = `web-${name === "a" ? 1 : 2}`;
    w.api.pods.push(runningPod(pod, pair.node.metadata?.name ?? "", { cpu: "500m", annotations }));
  }
  return w;
}

describe("disruption", () => {
  it("deletes empty nodes after consolidateAfter, never more at once than the budget", async () => {
    const w = world(
      pool({ consolidationPolicy: "WhenEmpty", consolidateAfter: "1m", budgets: [{ nodes: "1" }] }),
      60_000,
    );
    await w.launch("a");
    await w.launch("b");
    const busy = await w.launch("c");
    w.api.pods.push(runningPod("web", busy.node.metadata?.name ?? ""));
    // DaemonSet pods do not make a node non-empty.
    w.api.pods.push(runningPod("ds-a", "node-a", { daemonSet: true }));
    const lifecycle = w.start();
    await w.advance(50_000, 5_000);
    assert.equal(
      w.api.virtualNodes.filter((vn) => vn.metadata.deletionTimestamp).length,
      0,
      "consolidateAfter not reached",
    );
    let maxDeleting = 0;
    for (let i = 0; i < 30; i++) {
      await w.advance(5_000, 5_000);
      maxDeleting = Math.max(
        maxDeleting,
        w.api.virtualNodes.filter((vn) => vn.metadata.deletionTimestamp).length,
      );
    }
    assert.equal(w.api.virtualNode("a"), undefined);
    assert.equal(w.api.virtualNode("b"), undefined);
    assert.ok(w.api.virtualNode("c"), "the node with a workload pod stays");
    assert.equal(maxDeleting, 1, "budget of one node at a time");
    lifecycle.stop();
  });

  it("does not disrupt a node annotated do-not-disrupt, and says why", async () => {
    const w = world(pool({ consolidationPolicy: "WhenEmpty", consolidateAfter: "0s" }));
    const pair = await w.launch("a");
    pair.node.metadata!.annotations = {
      ...pair.node.metadata?.annotations,
      "rafter.dev/do-not-disrupt": "true",
    };
    const lifecycle = w.start();
    await w.advance(60_000, 5_000);
    assert.ok(w.api.virtualNode("a") && !w.api.virtualNode("a")?.metadata.deletionTimestamp);
    assert.ok(
      w.events.events.some((e) => e.reason === "DisruptionBlocked" && e.message.includes("do-not-disrupt")),
    );
    lifecycle.stop();
  });

  it("honours Karpenter's karpenter.sh/do-not-disrupt on a pod and on a node like rafter's", async () => {
    const w = world(pool(consolidatedAtOnce));
    const withPod = await w.launch("a");
    w.api.pods.push(
      runningPod("batch", withPod.node.metadata?.name ?? "", {
        annotations: { "karpenter.sh/do-not-disrupt": "true" },
      }),
    );
    const annotated = await w.launch("b");
    annotated.node.metadata!.annotations = {
      ...annotated.node.metadata?.annotations,
      "karpenter.sh/do-not-disrupt": "true",
    };
    await w.launch("c"); // empty and unannotated: the control, consolidated
    const lifecycle = w.start();
    await w.advance(60_000, 5_000);
    assert.equal(w.api.virtualNode("c"), undefined, "the unannotated empty node is removed");
    for (const name of ["a", "b"])
      assert.ok(w.api.virtualNode(name) && !w.api.virtualNode(name)?.metadata.deletionTimestamp, name);
    // The node with the annotated pod is neither consolidated nor drained (no eviction); only an
    // empty node's blocker is reported as an event.
    assert.deepEqual(w.api.evictions, []);
    const blocked = w.events.events.filter((e) => e.reason === "DisruptionBlocked").map((e) => e.message);
    assert.ok(
      blocked.some((m) => m.includes("node has karpenter.sh/do-not-disrupt")),
      blocked.join("; "),
    );
    lifecycle.stop();
  });

  it("expires nodes past expireAfter regardless of budgets", async () => {
    const w = world(pool({ consolidateAfter: "Never", budgets: [{ nodes: "0" }] }, { expireAfter: "2m" }));
    const pair = await w.launch("a");
    w.api.pods.push(runningPod("web", pair.node.metadata?.name ?? ""));
    const lifecycle = w.start();
    await w.advance(100_000, 5_000);
    assert.ok(w.api.virtualNode("a"));
    await w.advance(60_000, 5_000);
    assert.equal(w.api.virtualNode("a"), undefined);
    assert.deepEqual(w.api.evictions, ["default/web"]);
    lifecycle.stop();
  });

  it("consolidates an under-utilized node whose pods fit elsewhere (delete), after re-validation", async () => {
    const w = await twoHalfUsedNodes();
    const lifecycle = w.start();
    await w.advance(10_000, 5_000);
    // Decided, tainted, not yet deleted: waiting for validation.
    const tainted = w.api.nodes.filter((n) => n.spec?.taints?.some((t) => t.key === "rafter.dev/disrupted"));
    assert.equal(w.api.virtualNodes.filter((vn) => vn.metadata.deletionTimestamp).length, 0);
    await w.advance(30_000, 5_000);
    assert.equal(w.api.virtualNodes.length, 1, "one node removed");
    assert.equal(w.api.pods.length, 1, "its pod was evicted (to be rescheduled onto the other node)");
    assert.equal(w.api.provisioned.length, 0);
    assert.ok(tainted.length <= 1);
    lifecycle.stop();
  });

  it("does not consolidate under-utilized nodes whose pods carry karpenter.sh/do-not-disrupt", async () => {
    // The setup of the test above, where one of the two nodes is consolidated; here both pods
    // carry Karpenter's annotation, and neither node is touched.
    const w = await twoHalfUsedNodes({ "karpenter.sh/do-not-disrupt": "true" });
    const lifecycle = w.start();
    await w.advance(40_000, 5_000);
    assert.equal(w.api.virtualNodes.length, 2, "no node removed");
    assert.equal(w.api.pods.length, 2, "no pod evicted");
    assert.ok(!w.api.nodes.some((n) => n.spec?.taints?.some((t) => t.key === "rafter.dev/disrupted")));
    lifecycle.stop();
  });

  it("replaces a node with a cheaper one: the replacement is Ready before the old node drains", async () => {
    const w = world(pool(consolidatedAtOnce));
    const big = await w.launch("big", { instanceType: "m5.4xlarge" });
    w.api.pods.push(runningPod("web", big.node.metadata?.name ?? "", { cpu: "500m", memory: "512Mi" }));
    const lifecycle = w.start();
    await w.advance(40_000, 5_000);
    assert.equal(w.api.provisioned.length, 1, "replacement launched");
    const replacement = w.api.provisioned[0]!;
    assert.equal(replacement.reason, "Underutilized");
    assert.ok(!replacement.node.instanceTypes.includes("m5.4xlarge"), "only cheaper types");
    assert.ok(
      w.api.virtualNode("big") && !w.api.virtualNode("big")?.metadata.deletionTimestamp,
      "old node waits",
    );
    assert.deepEqual(w.api.evictions, []);
    w.api.virtualNode(replacement.name)!.status = { phase: "Ready" };
    await w.advance(20_000, 5_000);
    assert.equal(w.api.virtualNode("big"), undefined);
    assert.deepEqual(w.api.evictions, ["default/web"]);
    lifecycle.stop();
  });

  it("takes a replacement only when it saves the NodePool's replacementSavings share", async () => {
    const w = world(
      pool({ consolidateAfter: "0s", budgets: [{ nodes: "100%" }], replacementSavings: "99%" }),
    );
    const big = await w.launch("big", { instanceType: "m5.4xlarge" });
    w.api.pods.push(runningPod("web", big.node.metadata?.name ?? "", { cpu: "500m", memory: "512Mi" }));
    const lifecycle = w.start();
    await w.advance(40_000, 5_000);
    // No type that fits costs under 1% of an m5.4xlarge.
    assert.equal(w.api.provisioned.length, 0);
    assert.ok(
      w.events.events.some(
        (e) => e.reason === "Unconsolidatable" && e.message.includes("at least 99% cheaper"),
      ),
      JSON.stringify(w.events.events.map((e) => e.message)),
    );
    w.api.nodePools[0]!.spec.disruption!.replacementSavings = "50%";
    await w.advance(40_000, 5_000);
    assert.equal(w.api.provisioned.length, 1, "a half-price replacement qualifies");
    lifecycle.stop();
  });

  it("keeps consolidateAfter's clock across a restart (persisted as lastPodEventTime)", async () => {
    const w = world(pool({ consolidateAfter: "5m", budgets: [{ nodes: "100%" }] }));
    const big = await w.launch("big", { instanceType: "m5.4xlarge" });
    await w.advance(60_000, 10_000);
    const first = w.start();
    w.api.pods.push(runningPod("web", big.node.metadata?.name ?? "", { cpu: "500m", memory: "512Mi" }));
    await w.advance(4 * 60_000, 10_000);
    assert.equal(w.api.provisioned.length, 0, "consolidateAfter not reached");
    assert.ok(w.api.virtualNode("big")?.status?.lastPodEventTime, "the clock is persisted");
    first.stop();
    const second = w.start(); // a restart: in-memory state is gone
    await w.advance(90_000, 10_000);
    assert.equal(w.api.provisioned.length, 1, "5 minutes after the pod arrived, not 5 after the restart");
    second.stop();
  });

  it("aborts a replacement that fails and untaints the node", async () => {
    const w = world(pool(consolidatedAtOnce));
    const big = await w.launch("big", { instanceType: "m5.4xlarge" });
    w.api.pods.push(runningPod("web", big.node.metadata?.name ?? "", { cpu: "500m" }));
    const lifecycle = w.start();
    await w.advance(40_000, 5_000);
    const replacement = w.api.provisioned[0]!;
    w.api.virtualNode(replacement.name)!.status = { phase: "Failed", lastFailure: "InsufficientCapacity" };
    await w.advance(10_000, 5_000);
    assert.ok(w.api.virtualNode("big") && !w.api.virtualNode("big")?.metadata.deletionTimestamp);
    assert.ok(!big.node.spec?.taints?.some((t) => t.key === "rafter.dev/disrupted"), "taint removed");
    lifecycle.stop();
  });

  it("replaces a node whose NodePool template label changed (drift)", async () => {
    const p = pool({ consolidateAfter: "Never", budgets: [{ nodes: "1" }] });
    p.spec.template.metadata = { labels: { team: "a" } };
    const w = world(p);
    const pair = await w.launch("a", { instanceType: "m5.large" });
    w.api.pods.push(runningPod("web", pair.node.metadata?.name ?? "", { cpu: "500m" }));
    const lifecycle = w.start();
    await w.advance(30_000, 5_000);
    assert.ok(!w.api.virtualNode("a")?.metadata.deletionTimestamp, "not drifted yet");
    p.spec.template.metadata = { labels: { team: "b" } };
    await w.advance(15_000, 5_000);
    assert.equal(w.api.provisioned.length, 1);
    assert.equal(w.api.provisioned[0]?.reason, "Drifted");
    w.api.virtualNode(w.api.provisioned[0].name)!.status = { phase: "Ready" };
    await w.advance(30_000, 5_000);
    assert.equal(w.api.virtualNode("a"), undefined);
    lifecycle.stop();
  });

  it("launches a drift replacement ahead of the drain even when none is cheaper", async () => {
    const p = pool({ consolidateAfter: "Never", budgets: [{ nodes: "1" }] });
    p.spec.template.metadata = { labels: { team: "a" } };
    const w = world(p);
    // a1.xlarge is the cheapest type that fits this pod: no replacement can be cheaper.
    const pair = await w.launch("a", { instanceType: "a1.xlarge" });
    w.api.pods.push(runningPod("web", pair.node.metadata?.name ?? "", { cpu: "3", memory: "6Gi" }));
    const lifecycle = w.start();
    await w.advance(30_000, 5_000);
    p.spec.template.metadata = { labels: { team: "b" } };
    await w.advance(15_000, 5_000);
    assert.equal(w.api.provisioned.length, 1, "a replacement is launched first");
    assert.equal(w.api.provisioned[0]?.reason, "Drifted");
    assert.ok(!w.api.virtualNode("a")?.metadata.deletionTimestamp, "the old node waits for its replacement");
    w.api.virtualNode(w.api.provisioned[0].name)!.status = { phase: "Ready" };
    await w.advance(30_000, 5_000);
    assert.equal(w.api.virtualNode("a"), undefined);
    lifecycle.stop();
  });

  it("skips a candidate whose pod's PDB allows no disruption: no taint, no launch, an event naming the PDB", async () => {
    const p = pool({ consolidateAfter: "0s", budgets: [{ nodes: "100%" }] });
    p.spec.template.metadata = { labels: { team: "a" } };
    const w = world(p);
    const big = await w.launch("big", { instanceType: "m5.4xlarge" });
    w.api.pods.push(runningPod("web", big.node.metadata?.name ?? "", { cpu: "500m" }));
    w.api.podDisruptionBudgets.push({
      metadata: { name: "web-pdb", namespace: "default" },
      spec: { maxUnavailable: 0, selector: { matchLabels: { app: "web" } } },
      status: { disruptionsAllowed: 0, currentHealthy: 1, desiredHealthy: 1, expectedPods: 1 },
    });
    const lifecycle = w.start();
    await w.advance(40_000, 5_000);
    p.spec.template.metadata = { labels: { team: "b" } }; // drifted as well as underutilized
    await w.advance(40_000, 5_000);
    assert.equal(w.api.provisioned.length, 0, "no replacement launched");
    assert.ok(!big.node.spec?.taints?.some((t) => t.key === "rafter.dev/disrupted"), "never tainted");
    assert.deepEqual(w.api.evictions, []);
    const blocked = w.events.events.filter((e) => e.reason === "DisruptionBlocked");
    assert.ok(
      blocked.some((e) => e.message.includes("PodDisruptionBudget default/web-pdb")),
      JSON.stringify(w.events.events),
    );
    // Once the PDB allows a disruption, the node is replaced.
    w.api.podDisruptionBudgets[0]!.status!.disruptionsAllowed = 1;
    await w.advance(40_000, 5_000);
    assert.equal(w.api.provisioned.length, 1);
    lifecycle.stop();
  });

  it("marks the nodes a consolidation chose Consolidatable until it runs or is dropped", async () => {
    const w = world(pool({ consolidateAfter: "0s", budgets: [{ nodes: "100%" }] }));
    const big = await w.launch("big", { instanceType: "m5.4xlarge" });
    w.api.pods.push(runningPod("web", big.node.metadata?.name ?? "", { cpu: "500m" }));
    const lifecycle = w.start();
    await w.advance(10_000, 5_000);
    // Decided, not yet validated: new pods should go elsewhere.
    assert.equal(consolidatable(w.api.virtualNode("big")), true);
    assert.equal(w.api.provisioned.length, 0);
    // A pod that must not be disrupted arrives during validation: the move is dropped, the mark cleared.
    w.api.pods.push(
      runningPod("late", big.node.metadata?.name ?? "", {
        cpu: "500m",
        annotations: { "rafter.dev/do-not-disrupt": "true" },
      }),
    );
    await w.advance(30_000, 5_000);
    assert.equal(w.api.provisioned.length, 0, "cancelled at validation");
    await w.advance(10_000, 5_000);
    const mark = w.api.virtualNode("big")?.status?.conditions?.find((c) => c.type === "Consolidatable");
    assert.equal(mark?.status, "False");
    lifecycle.stop();
  });

  it("repairs a node whose Ready has not been True for the repair window, unless too many of its pool are sick", async () => {
    const w = repairWorld();
    const pairs = await Promise.all(["a", "b", "c", "d", "e", "f"].map((n) => w.launch(n)));
    const sicken = (node: V1Node, status: string) => {
      node.status = {
        ...node.status,
        conditions: [
          {
            type: "Ready",
            status,
            lastTransitionTime: new Date(w.clock.now()).toISOString() as unknown as Date,
          },
        ],
      };
    };
    sicken(pairs[0]!.node, "Unknown");
    const lifecycle = w.start();
    await w.advance(4 * 60_000, 10_000);
    assert.ok(!w.api.virtualNode("a")?.metadata.deletionTimestamp, "not within the window yet");
    await w.advance(2 * 60_000, 10_000);
    assert.equal(w.api.virtualNode("a"), undefined, "replaced after 5 minutes");
    // Three of the five left go NotReady at once: more than a fifth of the pool, so none is touched.
    for (const pair of pairs.slice(1, 4)) sicken(pair.node, "False");
    await w.advance(10 * 60_000, 10_000);
    for (const name of ["b", "c", "d"]) assert.ok(w.api.virtualNode(name), `${name} kept`);
    lifecycle.stop();
  });

  it("counts a node still being repaired, and one not yet due, among a pool's unhealthy nodes", async () => {
    // Terminating an instance takes 10 minutes here, so a repaired node stays (deleting, NotReady).
    const w = repairWorld({}, { terminationLatencyMs: 10 * 60_000 });
    const [a, b] = await Promise.all(["a", "b", "c"].map((n) => w.launch(n)));
    const sicken = (node: V1Node) => {
      node.status = {
        ...node.status,
        conditions: [
          {
            type: "Ready",
            status: "False",
            lastTransitionTime: new Date(w.clock.now()).toISOString() as unknown as Date,
          },
        ],
      };
    };
    const deleting = (name: string) => w.api.virtualNode(name)?.metadata.deletionTimestamp !== undefined;
    const lifecycle = w.start();
    sicken(a!.node);
    await w.advance(60_000, 10_000);
    // b goes NotReady a minute after a: two of three unhealthy (more than ceil(20% of 3) = 1) before
    // either is due, so neither is repaired when a's window ends, nor when b's does.
    sicken(b!.node);
    await w.advance(6 * 60_000, 10_000);
    assert.ok(!deleting("a") && !deleting("b"), "two of three unhealthy: none repaired");
    // b recovers: a alone is unhealthy, and is repaired.
    b!.node.status = { ...b!.node.status, conditions: [{ type: "Ready", status: "True" }] };
    await w.advance(20_000, 10_000);
    assert.ok(deleting("a"), "a repaired once it is the only unhealthy node");
    // b fails again while a is still being terminated (NotReady, counted): b is not repaired then.
    sicken(b!.node);
    await w.advance(6 * 60_000, 10_000);
    assert.ok(w.api.virtualNode("a"), "a still terminating");
    assert.ok(!deleting("b"), "b waits while a, still unhealthy, is being repaired");
    lifecycle.stop();
  });

  it("does not count a node whose kubelet never posted status among the unhealthy", async () => {
    const w = repairWorld({ registrationTimeoutMs: 3_600_000 });
    const [a] = await Promise.all(["a", "b", "c"].map((n) => w.launch(n)));
    // d's instance is still booting: kube-controller-manager gave its Node Ready=Unknown.
    const booting = await w.launch("d", { phase: "Launched", ready: false });
    booting.node.status = {
      ...booting.node.status,
      conditions: [{ type: "Ready", status: "Unknown", reason: "NodeStatusNeverUpdated" }],
    };
    a!.node.status = {
      ...a!.node.status,
      conditions: [
        {
          type: "Ready",
          status: "False",
          lastTransitionTime: new Date(w.clock.now()).toISOString() as unknown as Date,
        },
      ],
    };
    const lifecycle = w.start();
    await w.advance(6 * 60_000, 10_000);
    const left = w.api.virtualNode("a");
    assert.ok(!left || left.metadata.deletionTimestamp, "a repaired: one unhealthy of four");
    lifecycle.stop();
  });

  it("does not drift a node when a requirement is widened, only when it excludes the node", async () => {
    const p = pool({ consolidateAfter: "Never", budgets: [{ nodes: "1" }] });
    p.spec.template.spec.requirements = [
      { key: "rafter.dev/instance-family", operator: "In", values: ["m5"] },
    ];
    const w = world(p);
    await launchStamped(w, p, undefined);
    const lifecycle = w.start();
    await w.advance(15_000, 5_000);
    p.spec.template.spec.requirements = [
      { key: "rafter.dev/instance-family", operator: "In", values: ["m5", "c5"] },
    ];
    await w.advance(30_000, 5_000);
    assert.equal(w.api.provisioned.length, 0, "widening drifts nothing");
    assert.equal(drifted(w.api.virtualNode("a")), undefined);
    p.spec.template.spec.requirements = [
      { key: "rafter.dev/instance-family", operator: "In", values: ["c5"] },
    ];
    await w.advance(15_000, 5_000);
    assert.equal(drifted(w.api.virtualNode("a")), "RequirementsDrifted");
    assert.equal(w.api.provisioned[0]?.reason, "Drifted");
    lifecycle.stop();
  });

  it("drifts the nodes of an EC2NodeClass whose user data changed, and says so on the VirtualNode", async () => {
    const p = pool({ consolidateAfter: "Never", budgets: [{ nodes: "1" }] });
    const w = world(p);
    const nodeClass = testNodeClass();
    w.api.nodeClasses.push(nodeClass);
    const pair = await launchStamped(w, p, nodeClass);
    const lifecycle = w.start();
    await w.advance(15_000, 5_000);
    nodeClass.spec.tags = { team: "a" }; // tags are static fields too, but set before: compare afresh
    Object.assign(pair.virtualNode.metadata, { annotations: driftStamps(p, nodeClass) });
    await w.advance(15_000, 5_000);
    assert.equal(w.api.provisioned.length, 0);
    nodeClass.spec.userData = "#!/bin/bash\necho hello";
    await w.advance(15_000, 5_000);
    assert.equal(drifted(w.api.virtualNode("a")), "NodeClassDrifted");
    assert.equal(w.api.provisioned[0]?.reason, "Drifted");
    lifecycle.stop();
  });

  it("judges a changed EC2NodeClass afresh, not by a cloud verdict cached for its previous version", async () => {
    // Budget 0: drift is recorded on the VirtualNode but nothing is replaced.
    const p = pool({ consolidateAfter: "Never", budgets: [{ nodes: "0" }] });
    const w = world(p);
    const nodeClass = testNodeClass();
    const image = { id: "ami-0simulated000001" };
    nodeClass.metadata.generation = 1;
    nodeClass.status = { amis: [image] };
    w.api.nodeClasses.push(nodeClass);
    await launchStamped(w, p, nodeClass);
    const lifecycle = w.start();
    await w.advance(15_000, 5_000);
    assert.equal(drifted(w.api.virtualNode("a")), undefined);
    // The EC2NodeClass now resolves to another image: drifted in the next round, not minutes later.
    nodeClass.metadata.generation = 2;
    nodeClass.status = { amis: [{ id: "ami-0other" }] };
    await w.advance(15_000, 5_000);
    assert.equal(drifted(w.api.virtualNode("a")), "ImageDrifted");
    // Reverted: no longer drifted (a stale verdict would replace the node once the budget allows).
    nodeClass.metadata.generation = 3;
    nodeClass.status = { amis: [image] };
    await w.advance(15_000, 5_000);
    assert.equal(drifted(w.api.virtualNode("a")), undefined);
    assert.equal(w.api.provisioned.length, 0);
    lifecycle.stop();
  });
});

/** Node "a" (an m5.large running one pod), stamped with the drift hashes of `p` and `nodeClass` as launched. */
async function launchStamped(w: ReturnType<typeof world>, p: NodePool, nodeClass: EC2NodeClass | undefined) {
  const pair = await w.launch("a", { instanceType: "m5.large" });
  Object.assign(pair.virtualNode.metadata, { annotations: driftStamps(p, nodeClass) });
  w.api.pods.push(runningPod("web", pair.node.metadata?.name ?? "", { cpu: "500m" }));
  return pair;
}

/** A world for node repair: 10 s rounds, a 5-minute repair window, one pool no budget or emptiness holds. */
function repairWorld(
  config: Parameters<typeof lifecycleWorld>[0] = {},
  cloudOptions: Parameters<typeof lifecycleWorld>[1] = {},
) {
  const w = lifecycleWorld(
    { disruptionIntervalMs: 10_000, gcIntervalMs: 3_600_000, nodeRepairAfterMs: 5 * 60_000, ...config },
    cloudOptions,
  );
  w.api.nodePools.push(pool({ consolidateAfter: "Never", budgets: [{ nodes: "100%" }] }));
  return w;
}

function consolidatable(virtualNode: VirtualNode | undefined): boolean {
  return (
    virtualNode?.status?.conditions?.some((c) => c.type === "Consolidatable" && c.status === "True") ?? false
  );
}

function drifted(virtualNode: VirtualNode | undefined): string | undefined {
  const condition = virtualNode?.status?.conditions?.find((c) => c.type === "Drifted");
  return condition?.status === "True" ? condition.reason : undefined;
}

function testNodeClass(): EC2NodeClass {
  return {
    apiVersion: "rafter.dev/v1",
    kind: "EC2NodeClass",
    metadata: { name: "default" },
    spec: {
      role: "nodes",
      subnetSelectorTerms: [{ tags: { a: "b" } }],
      securityGroupSelectorTerms: [{ tags: { a: "b" } }],
      amiSelectorTerms: [{ alias: "al2023@latest" }],
    },
  };
}
