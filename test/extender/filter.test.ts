import { after, before, beforeEach, describe, it } from "node:test";
import assert from "node:assert/strict";
import type { V1Node } from "@kubernetes/client-node";
import { node, pod, startHarness, virtualNode, type Harness } from "./support.js";

interface FilterResult {
  Nodes: { items: V1Node[] } | null;
  NodeNames: string[] | null;
  FailedNodes: Record<string, string>;
  FailedAndUnresolvableNodes: Record<string, string>;
  Error: string;
}

describe("POST /filter", () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(async () => {
    await h.close();
  });
  beforeEach(() => {
    const { state, ledger } = h.deps;
    for (const name of ["a", "b", "c", "d", "launch-1"]) state.deleteNode(name);
    for (const r of [...ledger.entries()]) ledger.release(r.podUID);
    for (const name of ["a", "b", "c", "d"]) state.setBeingDisrupted(name, false);
    state.deleteVirtualNode("vn-1");
    for (const name of ["a", "b", "c", "d"]) state.upsertNode(node(name));
  });

  const filter = async (body: unknown) => {
    const res = await h.post("/filter", body);
    assert.equal(res.status, 200, res.text);
    return res.json as FilterResult;
  };

  it("passes every node when nothing is reserved or disrupted (nodeCacheCapable)", async () => {
    const result = await filter({ Pod: pod("p1"), NodeNames: ["a", "b", "c"] });
    assert.deepEqual(result.NodeNames, ["a", "b", "c"]);
    assert.equal(result.Nodes, null);
    assert.deepEqual(result.FailedNodes, {});
    assert.deepEqual(result.FailedAndUnresolvableNodes, {});
    assert.equal(result.Error, "");
  });

  it("answers with the NodeList items when not nodeCacheCapable, keeping the node objects", async () => {
    h.deps.state.setBeingDisrupted("b", true);
    const result = await filter({ Pod: pod("p1"), Nodes: { metadata: {}, items: [node("a"), node("b")] } });
    assert.equal(result.NodeNames, null);
    assert.deepEqual(
      result.Nodes?.items.map((n) => n.metadata?.name),
      ["a"],
    );
    assert.deepEqual(result.Nodes.items[0], node("a"));
    assert.match(result.FailedAndUnresolvableNodes.b ?? "", /disrupted/);
  });

  it("removes nodes being disrupted, by flag or by rafter's taint, with a reason", async () => {
    h.deps.state.setBeingDisrupted("a", true);
    h.deps.state.upsertNode(node("b", { taints: [{ key: "rafter.dev/disrupted", effect: "NoSchedule" }] }));
    const result = await filter({ Pod: pod("p1"), NodeNames: ["a", "b", "c"] });
    assert.deepEqual(result.NodeNames, ["c"]);
    assert.deepEqual(Object.keys(result.FailedAndUnresolvableNodes).sort(), ["a", "b"]);
  });

  it("removes a node whose free capacity is reserved for other pods, resolvable by preemption", async () => {
    // a: 4 cpu; 3 cpu reserved for another pod; our pod wants 2.
    h.deps.ledger.reserve({
      podUID: "other",
      nodeName: "a",
      requests: { cpu: 3000, memory: 1 << 30, pods: 1 },
    });
    // b: 1 cpu reserved; still room for 2.
    h.deps.ledger.reserve({ podUID: "other2", nodeName: "b", requests: { cpu: 1000, pods: 1 } });
    const result = await filter({ Pod: pod("p1", { cpu: "2" }), NodeNames: ["a", "b"] });
    assert.deepEqual(result.NodeNames, ["b"]);
    assert.match(result.FailedNodes.a ?? "", /cpu on this node is reserved for 1 other pod/);
    assert.deepEqual(result.FailedAndUnresolvableNodes, {});
  });

  it("counts bound pods together with reservations", async () => {
    h.deps.state.upsertPod(pod("running", { cpu: "2", nodeName: "a" }));
    h.deps.ledger.reserve({ podUID: "other", nodeName: "a", requests: { cpu: 1500, pods: 1 } });
    const result = await filter({ Pod: pod("p1", { cpu: "1" }), NodeNames: ["a"] });
    assert.deepEqual(result.NodeNames, []);
    assert.ok(result.FailedNodes.a);
    h.deps.state.deletePod("uid-running");
  });

  it("steers a pod holding a reservation to its node and gives every other node a reason", async () => {
    h.deps.ledger.reserve({ podUID: "uid-p1", nodeName: "b", requests: { cpu: 1000, pods: 1 } });
    const result = await filter({ Pod: pod("p1"), NodeNames: ["a", "b", "c"] });
    assert.deepEqual(result.NodeNames, ["b"]);
    assert.deepEqual(Object.keys(result.FailedAndUnresolvableNodes).sort(), ["a", "c"]);
    assert.match(result.FailedAndUnresolvableNodes.a ?? "", /reservation on node b/);
  });

  it("does not count a pod's own reservation against it", async () => {
    h.deps.ledger.reserve({ podUID: "uid-p1", nodeName: "a", requests: { cpu: 4000, pods: 1 } });
    const result = await filter({ Pod: pod("p1", { cpu: "4" }), NodeNames: ["a"] });
    assert.deepEqual(result.NodeNames, ["a"]);
  });

  it("keeps a pod waiting for its launching node when the node is not offered yet", async () => {
    h.deps.state.upsertVirtualNode(
      virtualNode("vn-1", "launch-1", "Launching", [{ name: "p1", uid: "uid-p1" }]),
    );
    h.deps.ledger.reserve({ podUID: "uid-p1", nodeName: "launch-1", requests: { cpu: 1000, pods: 1 } });
    const result = await filter({ Pod: pod("p1"), NodeNames: ["a", "b"] });
    assert.deepEqual(result.NodeNames, []);
    assert.match(result.FailedAndUnresolvableNodes.a ?? "", /launch-1/);
  });

  it("ignores a stale reservation on a ready node the in-tree filters rejected", async () => {
    h.deps.ledger.reserve({ podUID: "uid-p1", nodeName: "d", requests: { cpu: 1000, pods: 1 } });
    const result = await filter({ Pod: pod("p1"), NodeNames: ["a", "b"] });
    assert.deepEqual(result.NodeNames, ["a", "b"]);
  });

  it("keeps other pods off a launching virtual node and lets its planned pods and DaemonSet pods on", async () => {
    h.deps.state.upsertVirtualNode(
      virtualNode("vn-1", "launch-1", "Launching", [{ name: "planned", uid: "uid-planned" }]),
    );
    h.deps.state.upsertNode(node("launch-1", { ready: false }));
    const other = await filter({ Pod: pod("intruder"), NodeNames: ["a", "launch-1"] });
    assert.deepEqual(other.NodeNames, ["a"]);
    assert.match(other.FailedAndUnresolvableNodes["launch-1"] ?? "", /virtual node vn-1/);
    const planned = await filter({ Pod: pod("planned"), NodeNames: ["launch-1"] });
    assert.deepEqual(planned.NodeNames, ["launch-1"]);
    const daemon = await filter({ Pod: pod("ds-x", { daemonSet: true }), NodeNames: ["launch-1"] });
    assert.deepEqual(daemon.NodeNames, ["launch-1"]);
  });

  it("treats a virtual node as ordinary capacity once its Node is Ready", async () => {
    h.deps.state.upsertVirtualNode(
      virtualNode("vn-1", "launch-1", "Registered", [{ name: "planned", uid: "uid-planned" }]),
    );
    h.deps.state.upsertNode(node("launch-1", { ready: true }));
    const result = await filter({ Pod: pod("late"), NodeNames: ["launch-1"] });
    assert.deepEqual(result.NodeNames, ["launch-1"]);
  });

  it("passes nodes rafter has not seen yet", async () => {
    const result = await filter({ Pod: pod("p1"), NodeNames: ["unknown"] });
    assert.deepEqual(result.NodeNames, ["unknown"]);
  });

  it("ignores unknown fields and answers an empty candidate list with an empty list", async () => {
    const result = await filter({ Pod: pod("p1"), NodeNames: [], Extra: { nested: true } });
    assert.deepEqual(result.NodeNames, []);
  });

  it("counts removed nodes by reason in the metrics", async () => {
    h.deps.state.setBeingDisrupted("a", true);
    await filter({ Pod: pod("p1"), NodeNames: ["a", "b"] });
    const metrics = await h.get("/metrics");
    assert.match(metrics.text, /rafter_extender_filtered_nodes_total\{reason="disrupted"\} [1-9]/);
    assert.match(metrics.text, /rafter_extender_requests_total\{verb="filter",code="200"\} [1-9]/);
  });
});
