import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type { InterruptionEvent, InterruptionMessage } from "../../../src/cloud/interruptions.js";
import { lifecycleWorld, runningPod, testPool } from "../../support/lifecycle-fakes.js";

const spotWarning = (instanceId: string): InterruptionEvent => ({
  kind: "spot-interruption",
  instanceIds: [instanceId],
});

describe("garbage collection", () => {
  it("terminates untracked instances and deletes Nodes whose instance is gone, after the grace period", async () => {
    const w = lifecycleWorld({
      gcGracePeriodMs: 120_000,
      gcIntervalMs: 60_000,
      disruptionIntervalMs: 3_600_000,
    });
    w.api.nodePools.push(testPool());
    const orphan = await w.launch("orphan");
    const vanished = await w.launch("vanished");
    const kept = await w.launch("kept");
    // The orphan's VirtualNode and Node were lost (crash); the other's instance died behind our back.
    w.api.virtualNodes.splice(w.api.virtualNodes.indexOf(orphan.virtualNode), 1);
    w.api.nodes.splice(w.api.nodes.indexOf(orphan.node), 1);
    w.cloud.interrupt(vanished.virtualNode.status?.instanceID ?? "");
    const lifecycle = w.start();
    await w.advance(60_000, 10_000);
    assert.equal((await w.cloud.get(orphan.providerId)).ok, true, "within the grace period");
    await w.advance(120_000, 10_000);
    assert.equal((await w.cloud.get(orphan.providerId)).ok, false, "orphan instance terminated");
    assert.equal(w.api.node(vanished.node.metadata?.name ?? ""), undefined, "node without instance removed");
    assert.ok(w.api.node(kept.node.metadata?.name ?? ""));
    assert.equal((await w.cloud.get(kept.providerId)).ok, true);
    lifecycle.stop();
  });
});

describe("interruption", () => {
  it("drains the node of a spot interruption warning and marks the offering unavailable", async () => {
    const messages: InterruptionMessage[] = [];
    const deleted: string[] = [];
    const w = lifecycleWorld({ disruptionIntervalMs: 3_600_000, gcIntervalMs: 3_600_000 });
    w.api.nodePools.push(testPool());
    const pair = await w.launch("spot");
    w.api.pods.push(runningPod("web", pair.node.metadata?.name ?? ""));
    const queue = {
      receive: () => Promise.resolve(messages.splice(0, messages.length)),
      acknowledge: (m: InterruptionMessage) => {
        deleted.push(m.id);
        return Promise.resolve();
      },
    };
    const deps = { ...w.deps, interruptionQueue: queue, config: { ...w.deps.config } };
    messages.push({
      id: "m1",
      receipt: "r1",
      event: spotWarning(pair.virtualNode.status?.instanceID ?? ""),
    });
    messages.push({ id: "m2", receipt: "r2", event: spotWarning("i-unknown") });
    const { startLifecycle } = await import("../../../src/controllers/lifecycle/index.js");
    const lifecycle = startLifecycle(deps);
    w.api.connect(lifecycle);
    w.clock.advance(0);
    await w.settle();
    await w.advance(10_000);
    assert.deepEqual(deleted.sort(), ["m1", "m2"]);
    assert.deepEqual(w.api.evictions, ["default/web"]);
    assert.equal(w.api.virtualNode("spot"), undefined);
    const status = pair.virtualNode.status;
    assert.ok(
      w.cloud.unavailableOfferings.isUnavailable(status?.instanceType ?? "", status?.zone ?? "", "on-demand"),
    );
    lifecycle.stop();
  });
});
