import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { ClusterState, type PodBindingListener } from "../../src/state/cluster-state.js";
import { node, pod, virtualNode } from "../extender/support.js";

describe("ClusterState", () => {
  it("reads a node's allocatable, readiness and disruption taint", () => {
    const state = new ClusterState();
    state.upsertNode(node("a", { cpu: "2", memory: "4Gi" }));
    state.upsertNode(
      node("b", {
        ready: false,
        taints: [{ key: "rafter.dev/disrupted", effect: "NoSchedule" }],
      }),
    );
    const a = state.lookup("a");
    assert.deepEqual(a?.node?.allocatable, { cpu: 2000, memory: 4 * 2 ** 30, pods: 110 });
    assert.equal(a.node.ready, true);
    assert.equal(a.beingDisrupted, false);
    assert.equal(state.lookup("b")?.node?.ready, false);
    assert.equal(state.lookup("b")?.beingDisrupted, true);
    assert.equal(state.nodeCount, 2);
    state.deleteNode("a");
    assert.equal(state.lookup("a"), undefined);
    assert.equal(state.nodeCount, 1);
  });

  it("keeps per-node sums of bound pods incrementally, in any event order", () => {
    const state = new ClusterState();
    state.upsertPod(pod("p1", { cpu: "1", nodeName: "a" })); // before the node
    state.upsertNode(node("a"));
    state.upsertPod(pod("p2", { cpu: "500m", memory: "1Gi", nodeName: "a" }));
    state.upsertPod(pod("pending", { cpu: "8" }));
    assert.deepEqual(state.lookup("a")?.requested, { cpu: 1500, memory: 2 * 2 ** 30, pods: 2 });
    assert.equal(state.lookup("a")?.podCount, 2);
    state.upsertPod(pod("p2", { cpu: "500m", memory: "1Gi", nodeName: "a", phase: "Succeeded" }));
    assert.deepEqual(state.lookup("a")?.requested.cpu, 1000);
    state.deletePod("uid-p1");
    state.deletePod("uid-p2");
    assert.equal(state.lookup("a")?.podCount, 0);
    assert.equal(state.pod("uid-pending")?.nodeName, undefined);
  });

  it("tells listeners when a binding becomes visible and when a pod goes away", () => {
    const state = new ClusterState();
    const events: string[] = [];
    const listener: PodBindingListener = {
      podBound: (uid, node) => events.push(`bound ${uid} ${node}`),
      podGone: (uid) => events.push(`gone ${uid}`),
    };
    state.addListener(listener);
    state.upsertPod(pod("p1"));
    state.upsertPod(pod("p1", { nodeName: "a" }));
    state.upsertPod(pod("p1", { nodeName: "a" })); // resync: no new event
    state.deletePod("uid-p1");
    assert.deepEqual(events, ["bound uid-p1 a", "gone uid-p1"]);
  });

  it("tracks virtual nodes by the node name they register under", () => {
    const state = new ClusterState();
    state.upsertVirtualNode(
      virtualNode("vn-1", "ip-10-0-0-1", "Launching", [{ name: "p1", uid: "u1" }, { name: "p2" }]),
    );
    const slot = state.lookup("ip-10-0-0-1");
    assert.equal(slot?.launching, true);
    assert.equal(slot.virtualNode?.name, "vn-1");
    assert.equal(state.inFlightVirtualNodeFor("u1", "default", "p1")?.name, "vn-1");
    assert.equal(
      state.inFlightVirtualNodeFor("other-uid", "default", "p2")?.name,
      "vn-1",
      "name-only reference",
    );
    assert.equal(
      state.inFlightVirtualNodeFor("other-uid", "default", "p1"),
      undefined,
      "recreated pod is another pod",
    );
    state.upsertNode(node("ip-10-0-0-1", { ready: true }));
    assert.equal(state.lookup("ip-10-0-0-1")?.launching, false, "a Ready node is no longer launching");
    state.upsertVirtualNode(virtualNode("vn-1", "ip-10-0-0-1", "Draining", []));
    assert.equal(state.lookup("ip-10-0-0-1")?.beingDisrupted, true);
    state.deleteVirtualNode("vn-1");
    assert.equal(state.lookup("ip-10-0-0-1")?.virtualNode, undefined);
    assert.equal(state.lookup("ip-10-0-0-1")?.beingDisrupted, false);
  });

  it("indexes exactly the slots the filter acts on: disrupted or launching", () => {
    const state = new ClusterState();
    state.upsertNode(node("plain"));
    state.setBeingDisrupted("plain", true);
    assert.equal(state.flaggedSlot("plain")?.name, "plain");
    state.setBeingDisrupted("plain", false);
    assert.equal(state.flaggedSlot("plain"), undefined);
    state.upsertVirtualNode(virtualNode("vn-1", "new", "Launching", []));
    assert.equal(state.flaggedSlot("new")?.launching, true);
    state.upsertNode(node("new", { ready: true }));
    assert.equal(state.flaggedSlot("new"), undefined, "Ready: no longer launching");
    state.setConsolidationCandidate("plain", true);
    assert.equal(state.flaggedSlot("plain"), undefined, "candidates are scored, not filtered");
    state.deleteVirtualNode("vn-1");
    state.deleteNode("new");
    assert.equal(state.flaggedSlot("new"), undefined);
    assert.equal(state.lookup("plain")?.ready, true);
    assert.equal(state.lookup("plain")?.allocatableCpu, 4000);
  });

  it("keeps controller flags across node updates and drops empty slots", () => {
    const state = new ClusterState();
    state.setConsolidationCandidate("a", true);
    state.upsertNode(node("a"));
    assert.equal(state.lookup("a")?.consolidationCandidate, true);
    state.setConsolidationCandidate("a", false);
    state.deleteNode("a");
    assert.equal(state.lookup("a"), undefined);
    assert.equal(state.isSynced(), false);
    state.markSynced();
    assert.equal(state.isSynced(), true);
  });
});
