import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { node, pod, startHarness, virtualNode, type Harness } from "./support.js";

describe("POST /preempt", () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
    h.deps.state.upsertNode(node("a"));
    h.deps.state.upsertVirtualNode(
      virtualNode("vn-1", "launch-1", "Launching", [{ name: "planned", uid: "uid-planned" }]),
    );
  });
  after(async () => {
    await h.close();
  });

  const metaVictims = { a: { Pods: [{ UID: "victim-1" }, { UID: "victim-2" }], NumPDBViolations: 1 } };

  it("passes meta victims through when no launching capacity will host the preemptor", async () => {
    const res = await h.post("/preempt", { Pod: pod("urgent"), NodeNameToMetaVictims: metaVictims });
    assert.equal(res.status, 200);
    assert.deepEqual(res.json, { NodeNameToMetaVictims: metaVictims });
  });

  it("converts full victims to meta victims when not nodeCacheCapable", async () => {
    const res = await h.post("/preempt", {
      Pod: pod("urgent"),
      NodeNameToVictims: {
        a: { Pods: [pod("victim", { uid: "victim-1", nodeName: "a" })], NumPDBViolations: 0 },
      },
    });
    assert.deepEqual(res.json, {
      NodeNameToMetaVictims: { a: { Pods: [{ UID: "victim-1" }], NumPDBViolations: 0 } },
    });
  });

  it("drops every candidate when a launching virtual node is planned for the preemptor", async () => {
    const res = await h.post("/preempt", { Pod: pod("planned"), NodeNameToMetaVictims: metaVictims });
    // An empty map, not entries with no pods: kube-scheduler rejects empty victim lists.
    assert.deepEqual(res.json, { NodeNameToMetaVictims: {} });
  });

  it("drops victims when the preemptor's reservation is on launching capacity", async () => {
    h.deps.ledger.reserve({ podUID: "uid-late", nodeName: "launch-1", requests: { cpu: 1000, pods: 1 } });
    const res = await h.post("/preempt", { Pod: pod("late"), NodeNameToMetaVictims: metaVictims });
    assert.deepEqual(res.json, { NodeNameToMetaVictims: {} });
  });

  it("rejects victims of the wrong shape with 400", async () => {
    const res = await h.post("/preempt", {
      Pod: pod("x"),
      NodeNameToMetaVictims: { a: { Pods: [{ UID: 7 }] } },
    });
    assert.equal(res.status, 400);
    assert.match(res.text, /NodeNameToMetaVictims\[a\]\.Pods\[\]\.UID/);
  });
});
