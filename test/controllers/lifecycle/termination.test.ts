import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { lifecycleWorld, runningPod, testPool } from "../../support/lifecycle-fakes.js";

async function world(pool = testPool()) {
  const w = lifecycleWorld({ disruptionIntervalMs: 3_600_000, gcIntervalMs: 3_600_000 });
  w.api.nodePools.push(pool);
  const pair = await w.launch("vn-a");
  return { ...w, pair };
}

describe("termination", () => {
  it("drains in waves, terminates the instance, then releases both finalizers", async () => {
    const w = await world();
    const nodeName = w.pair.node.metadata?.name ?? "";
    w.api.pods.push(
      runningPod("ds-critical", nodeName, { daemonSet: true, critical: true }),
      runningPod("ds", nodeName, { daemonSet: true }),
      runningPod("critical", nodeName, { critical: true }),
      runningPod("web-1", nodeName),
      runningPod("web-2", nodeName),
      runningPod("static", nodeName, { mirror: true }),
    );
    w.api.blocked.add("default/web-2"); // holds the first wave for a while
    const lifecycle = w.start();
    await w.api.virtualNodeClient.delete("vn-a");
    lifecycle.onVirtualNode(w.api.virtualNode("vn-a")!);
    await w.settle();
    // The Node was deleted too and tainted; the second wave waits for the first.
    assert.ok(w.api.node(nodeName)?.metadata?.deletionTimestamp, "Node deletion propagated");
    assert.ok(w.api.node(nodeName)?.spec?.taints?.some((t) => t.key === "rafter.dev/disrupted"));
    assert.equal(w.api.virtualNode("vn-a")?.status?.phase, "Draining");
    assert.deepEqual(w.api.evictions, ["default/web-1"]);
    w.api.blocked.clear();
    await w.advance(30_000);
    // Waves: workloads, then critical pods, then DaemonSet pods, critical ones last.
    assert.deepEqual([...w.api.evictions.slice(0, 2)].sort(), ["default/web-1", "default/web-2"]);
    assert.deepEqual(w.api.evictions.slice(2), ["default/critical", "default/ds", "default/ds-critical"]);
    // The static pod is left alone; the instance is terminated and both objects are gone.
    assert.ok(w.api.pods.some((p) => p.metadata?.name === "static"));
    const get = await w.cloud.get(w.pair.providerId);
    assert.equal(get.ok, false);
    assert.equal(w.api.node(nodeName), undefined);
    assert.equal(w.api.virtualNode("vn-a"), undefined);
    lifecycle.stop();
  });

  it("deleting the Node terminates the VirtualNode as well", async () => {
    const w = await world();
    const nodeName = w.pair.node.metadata?.name ?? "";
    const lifecycle = w.start();
    await w.api.nodeClient.delete(nodeName);
    lifecycle.onNode(w.api.node(nodeName)!);
    await w.advance(20_000);
    assert.equal(w.api.virtualNode("vn-a"), undefined);
    assert.equal(w.api.node(nodeName), undefined);
    assert.equal((await w.cloud.get(w.pair.providerId)).ok, false);
    lifecycle.stop();
  });

  it("retries evictions a PodDisruptionBudget refuses (429) with backoff, and only then terminates", async () => {
    const w = await world();
    const nodeName = w.pair.node.metadata?.name ?? "";
    w.api.pods.push(runningPod("guarded", nodeName));
    w.api.blocked.add("default/guarded");
    const lifecycle = w.start();
    await w.api.virtualNodeClient.delete("vn-a");
    lifecycle.onVirtualNode(w.api.virtualNode("vn-a")!);
    await w.advance(60_000);
    assert.deepEqual(w.api.evictions, []);
    assert.equal((await w.cloud.get(w.pair.providerId)).ok, true, "instance kept while the pod cannot move");
    assert.ok(w.events.events.some((e) => e.reason === "DrainBlocked"));
    w.api.blocked.clear();
    await w.advance(60_000);
    assert.deepEqual(w.api.evictions, ["default/guarded"]);
    assert.equal(w.api.node(nodeName), undefined);
    lifecycle.stop();
  });

  it("keeps a do-not-disrupt pod until terminationGracePeriod, then deletes it", async () => {
    const pool = testPool();
    pool.spec.template.spec.terminationGracePeriod = "10m";
    const w = await world(pool);
    const nodeName = w.pair.node.metadata?.name ?? "";
    w.api.pods.push(
      runningPod("batch", nodeName, { annotations: { "rafter.dev/do-not-disrupt": "true" } }),
      runningPod("web", nodeName),
    );
    const lifecycle = w.start();
    await w.api.virtualNodeClient.delete("vn-a");
    lifecycle.onVirtualNode(w.api.virtualNode("vn-a")!);
    await w.advance(9 * 60_000, 5_000);
    assert.deepEqual(w.api.evictions, ["default/web"]);
    assert.ok(w.api.node(nodeName), "node kept while the do-not-disrupt pod runs");
    await w.advance(2 * 60_000, 5_000);
    assert.deepEqual(w.api.forcedDeletions, ["default/batch"]);
    assert.equal(w.api.node(nodeName), undefined);
    lifecycle.stop();
  });

  it("deletes a pod whose own grace period no longer fits early enough that it ends by the node's deadline", async () => {
    const pool = testPool();
    pool.spec.template.spec.terminationGracePeriod = "10m";
    const w = await world(pool);
    const nodeName = w.pair.node.metadata?.name ?? "";
    const slow = runningPod("slow", nodeName);
    slow.spec = { ...slow.spec, containers: slow.spec?.containers ?? [], terminationGracePeriodSeconds: 300 };
    w.api.pods.push(slow);
    w.api.blocked.add("default/slow"); // its PDB never allows the eviction
    const lifecycle = w.start();
    const started = w.clock.now();
    await w.api.virtualNodeClient.delete("vn-a");
    lifecycle.onVirtualNode(w.api.virtualNode("vn-a")!);
    await w.advance(4 * 60_000, 5_000);
    assert.equal(w.api.deletions.length, 0, "its 300 s still fit in the 6 minutes left");
    await w.advance(2 * 60_000, 5_000);
    const deletion = w.api.deletions[0]!;
    assert.equal(deletion.pod, "default/slow");
    const deadline = started + 10 * 60_000;
    assert.ok(
      deletion.at >= deadline - 300_000 && deletion.at <= deadline - 300_000 + 5_000,
      `at ${deletion.at - started} ms`,
    );
    assert.ok(
      deletion.at + (deletion.gracePeriodSeconds ?? Infinity) * 1000 <= deadline,
      "its shutdown ends by the deadline",
    );
    lifecycle.stop();
  });

  it("waits for the node's volumes to detach before terminating the instance, within the grace period", async () => {
    const pool = testPool();
    pool.spec.template.spec.terminationGracePeriod = "5m";
    const w = await world(pool);
    const nodeName = w.pair.node.metadata?.name ?? "";
    w.api.pods.push(runningPod("db-0", nodeName));
    const attachment = (name: string) => ({
      metadata: { name },
      spec: { attacher: "ebs.csi.aws.com", nodeName, source: { persistentVolumeName: `pv-${name}` } },
    });
    w.api.volumeAttachments.push(attachment("a"), attachment("b"));
    const lifecycle = w.start();
    await w.api.virtualNodeClient.delete("vn-a");
    lifecycle.onVirtualNode(w.api.virtualNode("vn-a")!);
    await w.advance(30_000, 2_000);
    assert.deepEqual(w.api.evictions, ["default/db-0"]);
    assert.ok(w.api.node(nodeName), "the instance waits for its volumes");
    assert.ok(w.events.events.some((e) => e.reason === "AwaitingVolumeDetachment"));
    w.api.volumeAttachments.splice(0, 1); // one detaches; the other never does
    await w.advance(30_000, 2_000);
    assert.ok(w.api.node(nodeName), "still one attached");
    await w.advance(5 * 60_000, 5_000);
    assert.equal(w.api.node(nodeName), undefined, "the grace period bounds the wait");
    lifecycle.stop();
  });

  it("resumes an interrupted drain after a restart", async () => {
    const w = await world();
    const nodeName = w.pair.node.metadata?.name ?? "";
    w.api.pods.push(runningPod("web", nodeName));
    // A previous leader deleted and tainted the node, then died.
    await w.api.virtualNodeClient.delete("vn-a");
    await w.api.nodeClient.delete(nodeName);
    const lifecycle = w.start();
    await w.advance(20_000);
    assert.deepEqual(w.api.evictions, ["default/web"]);
    assert.equal(w.api.virtualNode("vn-a"), undefined);
    lifecycle.stop();
  });
});
