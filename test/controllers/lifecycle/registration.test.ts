// assert.equal narrows the object under test, but the controller mutates it between assertions.
/* eslint-disable @typescript-eslint/no-unnecessary-condition */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { terminationFinalizer } from "../../../src/kube/virtual-nodes.js";
import { lifecycleWorld, testPool } from "../../support/lifecycle-fakes.js";

function world() {
  const w = lifecycleWorld({
    registrationTimeoutMs: 15 * 60_000,
    launchTimeoutMs: 5 * 60_000,
    failedRetentionMs: 60_000,
    disruptionIntervalMs: 3_600_000,
    gcIntervalMs: 3_600_000,
  });
  w.api.nodePools.push(testPool());
  return w;
}

describe("registration and liveness", () => {
  it("moves a launched node to Registered then Ready once the kubelet reports Ready and startup taints go", async () => {
    const w = world();
    const pool = w.api.nodePools[0]!;
    pool.spec.template.spec.startupTaints = [{ key: "cni/not-ready", effect: "NoSchedule" }];
    const pair = await w.launch("vn-a", { phase: "Launched" });
    pair.node.spec = { ...pair.node.spec, taints: [{ key: "cni/not-ready", effect: "NoSchedule" }] };
    const lifecycle = w.start();
    await w.settle();
    const vn = w.api.virtualNode("vn-a")!;
    assert.equal(vn.status?.phase, "Registered");
    assert.equal(vn.status?.conditions?.find((c) => c.type === "Registered")?.status, "True");
    assert.equal(vn.status?.conditions?.find((c) => c.type === "Initialized")?.status, "False");
    pair.node.spec.taints = [];
    lifecycle.onNode(pair.node);
    await w.settle();
    assert.equal(vn.status?.phase, "Ready");
    assert.equal(vn.status?.conditions?.find((c) => c.type === "Initialized")?.status, "True");
    assert.equal(pair.node.metadata?.labels?.["rafter.dev/initialized"], "true");
    assert.ok(vn.metadata.annotations?.["rafter.dev/nodepool-hash"], "template hash stamped for drift");
    assert.deepEqual(w.outcomes, ["registered default"]);
    lifecycle.stop();
  });

  it("matches a Node the kubelet registered under another name by its providerID", async () => {
    const w = world();
    const pair = await w.launch("vn-a", { phase: "Launched" });
    // Neither the predicted name nor rafter's annotation: only the providerID ties it to vn-a.
    pair.node.metadata = {
      ...pair.node.metadata,
      name: "i-0abc.us-east-1.compute.internal",
      annotations: {},
    };
    const lifecycle = w.start();
    await w.settle();
    assert.equal(w.api.virtualNode("vn-a")?.status?.phase, "Ready");
    lifecycle.stop();
  });

  it("fails and terminates a node that does not register in time, and replans its pods", async () => {
    const w = world();
    const pair = await w.launch("vn-a", { phase: "Launched", ready: false });
    pair.virtualNode.spec.pods = [{ namespace: "default", name: "web-0", uid: "u0" }];
    const lifecycle = w.start();
    await w.advance(14 * 60_000, 60_000);
    assert.equal(w.api.virtualNode("vn-a")?.status?.phase, "Launched");
    await w.advance(90_000, 10_000);
    const vn = w.api.virtualNode("vn-a");
    assert.equal(vn?.status?.phase, "Failed");
    assert.match(vn?.status?.lastFailure ?? "", /RegistrationTimeout/);
    assert.equal(vn?.status?.conditions?.find((c) => c.type === "Registered")?.reason, "RegistrationTimeout");
    assert.deepEqual(w.released, [["default/web-0"]]);
    // Reported before the pods were released, so that their next plan already avoids the pool.
    assert.deepEqual(w.outcomes, ["failed default RegistrationTimeout (0 released before)"]);
    assert.equal((await w.cloud.get(pair.providerId)).ok, false, "instance terminated");
    assert.equal(w.api.node(pair.node.metadata?.name ?? ""), undefined, "Node removed");
    // Kept visible for the retention period, then released.
    assert.deepEqual(vn?.metadata.finalizers, [terminationFinalizer]);
    await w.advance(2 * 60_000, 10_000);
    assert.equal(w.api.virtualNode("vn-a"), undefined);
    lifecycle.stop();
  });

  it("does not take kube-controller-manager's NodeStatusNeverUpdated condition for a registration", async () => {
    const w = world();
    const pair = await w.launch("vn-a", { phase: "Launched", ready: false });
    // What the node lifecycle controller writes on a Node whose kubelet never posted status.
    pair.node.status = {
      ...pair.node.status,
      conditions: [{ type: "Ready", status: "Unknown", reason: "NodeStatusNeverUpdated" }],
    };
    const lifecycle = w.start();
    await w.advance(14 * 60_000, 60_000);
    assert.equal(w.api.virtualNode("vn-a")?.status?.phase, "Launched");
    await w.advance(90_000, 10_000);
    assert.equal(w.api.virtualNode("vn-a")?.status?.phase, "Failed");
    assert.match(w.api.virtualNode("vn-a")?.status?.lastFailure ?? "", /RegistrationTimeout/);
    lifecycle.stop();
  });

  it("fails a launch that produces no instance within the launch timeout", async () => {
    const w = world();
    w.api.virtualNodes.push({
      apiVersion: "rafter.dev/v1",
      kind: "VirtualNode",
      metadata: {
        name: "vn-stuck",
        finalizers: [terminationFinalizer],
        creationTimestamp: new Date(w.clock.now()),
      },
      spec: { nodePool: "default", requirements: [], instanceTypes: ["m5.large"], resources: {}, pods: [] },
      status: { phase: "Planned" },
    });
    const lifecycle = w.start();
    await w.advance(4 * 60_000, 30_000);
    assert.equal(w.api.virtualNode("vn-stuck")?.status?.phase, "Planned");
    await w.advance(2 * 60_000, 30_000);
    assert.equal(w.api.virtualNode("vn-stuck")?.status?.phase, "Failed");
    assert.ok(w.events.events.some((e) => e.reason === "LaunchTimeout"));
    lifecycle.stop();
  });
});
