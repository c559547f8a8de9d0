import { after, beforeEach, describe, it } from "node:test";
import assert from "node:assert/strict";
import { fail, ok } from "../../src/domain/result.js";
import { node, pod, startHarness, type Harness } from "./support.js";

describe("POST /bind", () => {
  let h: Harness;
  let previous: Harness | undefined;
  beforeEach(async () => {
    await previous?.close();
    h = await startHarness();
    previous = h;
    h.deps.state.upsertNode(node("a"));
    h.deps.state.upsertNode(node("b"));
  });
  after(async () => {
    await h.close();
  });

  const args = { PodName: "p1", PodNamespace: "default", PodUID: "uid-p1", Node: "a" };

  it("binds through the binder, assumes the capacity at once and reports the event", async () => {
    const created = pod("p1", { cpu: "3" });
    created.metadata = { ...created.metadata, creationTimestamp: new Date(990_000) };
    h.deps.state.upsertPod(created);
    const res = await h.post("/bind", args);
    assert.equal(res.status, 200);
    assert.deepEqual(res.json, { Error: "" });
    assert.deepEqual(h.binder.calls, [{ namespace: "default", name: "p1", uid: "uid-p1", node: "a" }]);
    const held = h.deps.ledger.get("uid-p1");
    assert.equal(held?.state, "assumed");
    assert.equal(held.nodeName, "a");
    assert.deepEqual(h.bound, [
      {
        namespace: "default",
        name: "p1",
        uid: "uid-p1",
        nodeName: "a",
        reservedNodeName: undefined,
        boundAt: 1_000_000,
        podCreatedAt: 990_000,
      },
    ]);
    // The next pod is kept off the capacity the bound pod now holds.
    const next = await h.post("/filter", { Pod: pod("p2", { cpu: "2" }), NodeNames: ["a", "b"] });
    assert.deepEqual((next.json as { NodeNames: string[] }).NodeNames, ["b"]);
    // The informer shows the binding: the state counts the pod and the ledger lets go.
    h.deps.state.upsertPod(pod("p1", { cpu: "3", nodeName: "a" }));
    assert.equal(h.deps.ledger.get("uid-p1"), undefined);
  });

  it("moves a reservation to the node the scheduler chose", async () => {
    h.deps.ledger.reserve({ podUID: "uid-p1", nodeName: "b", requests: { cpu: 1000, pods: 1 } });
    await h.post("/bind", args);
    assert.equal(h.deps.ledger.get("uid-p1")?.nodeName, "a");
    assert.equal(h.deps.ledger.onNode("b"), undefined);
    assert.equal(h.bound[0]?.reservedNodeName, "b");
  });

  it("uses the requests and creation time seen by filter when the informer has not delivered the pod", async () => {
    const seen = pod("p1", { cpu: "2" });
    seen.metadata = { ...seen.metadata, creationTimestamp: new Date(995_000) };
    await h.post("/filter", { Pod: seen, NodeNames: ["a"] });
    await h.post("/bind", args);
    assert.equal(h.deps.ledger.get("uid-p1")?.requests.cpu, 2000);
    assert.equal(h.bound[0]?.podCreatedAt, 995_000);
  });

  it("expires an assumed binding the informer never confirmed", async () => {
    h.deps.state.upsertPod(pod("p1"));
    await h.post("/bind", args);
    h.clock.advance(30_001);
    await h.post("/filter", { Pod: pod("p2"), NodeNames: ["a"] });
    assert.equal(h.deps.ledger.get("uid-p1"), undefined);
  });

  it("reports a conflict as an Error, and as success when the pod is already on that node", async () => {
    h.binder.next = fail({ kind: "conflict", message: "pod is already assigned" });
    const failed = await h.post("/bind", args);
    assert.match(
      (failed.json as { Error: string }).Error,
      /could not be bound to a: pod is already assigned/,
    );
    h.deps.state.upsertPod(pod("p1", { nodeName: "a" }));
    const same = await h.post("/bind", args);
    assert.deepEqual(same.json, { Error: "" });
  });

  it("reports a joined binding (rafter's own, already made) as success without a second event", async () => {
    h.binder.next = ok({ joined: true });
    const res = await h.post("/bind", args);
    assert.deepEqual(res.json, { Error: "" });
    assert.deepEqual(h.bound, [], "the provisioner reported that binding");
  });

  it("releases the reservation of a pod that no longer exists", async () => {
    h.deps.ledger.reserve({ podUID: "uid-p1", nodeName: "a", requests: { cpu: 1000, pods: 1 } });
    h.binder.next = fail({ kind: "not-found", message: 'pods "p1" not found' });
    const res = await h.post("/bind", args);
    assert.match((res.json as { Error: string }).Error, /not found/);
    assert.equal(h.deps.ledger.get("uid-p1"), undefined);
    assert.equal(h.bound.length, 0);
  });

  it("reports binder errors and a throwing binder as an Error without crashing", async () => {
    h.binder.next = fail({ kind: "error", message: "etcd timeout" });
    assert.match(((await h.post("/bind", args)).json as { Error: string }).Error, /etcd timeout/);
    h.binder.next = new Error("socket hang up");
    const thrown = await h.post("/bind", args);
    assert.equal(thrown.status, 200);
    assert.match((thrown.json as { Error: string }).Error, /socket hang up/);
    const metrics = await h.get("/metrics");
    assert.match(metrics.text, /rafter_extender_requests_total\{verb="bind",code="200"\} 2/);
    assert.match(metrics.text, /rafter_extender_bind_results_total\{result="error"\} 2/);
  });

  it("rejects binding args missing a field with 400", async () => {
    const res = await h.post("/bind", { PodName: "p1", PodNamespace: "default", Node: "a" });
    assert.equal(res.status, 400);
    assert.match(res.text, /PodUID/);
    assert.equal(h.binder.calls.length, 0);
  });
});
