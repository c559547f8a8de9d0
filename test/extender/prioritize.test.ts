import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { node, pod, startHarness, virtualNode, type Harness } from "./support.js";

type Priorities = { Host: string; Score: number }[];

describe("POST /prioritize", () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
    const { state } = h.deps;
    for (const name of ["empty", "half", "full", "candidate", "reserved"])
      state.upsertNode(node(name, { cpu: "4", memory: "16Gi" }));
    state.upsertPod(pod("h1", { cpu: "2", memory: "8Gi", nodeName: "half" }));
    state.upsertPod(pod("f1", { cpu: "3", memory: "12Gi", nodeName: "full" }));
    state.upsertPod(pod("c1", { cpu: "3", memory: "12Gi", nodeName: "candidate" }));
    state.setConsolidationCandidate("candidate", true);
    state.upsertNode(node("launching", { ready: false }));
    state.upsertVirtualNode(virtualNode("vn-1", "launching", "Launching", []));
  });
  after(async () => {
    await h.close();
  });

  const scores = async (body: unknown): Promise<Record<string, number>> => {
    const res = await h.post("/prioritize", body);
    assert.equal(res.status, 200, res.text);
    const list = res.json as Priorities;
    return Object.fromEntries(list.map((p) => [p.Host, p.Score]));
  };

  it("scores 0–10: packing first among ready nodes, candidates and launching nodes last", async () => {
    const s = await scores({
      Pod: pod("p", { cpu: "1", memory: "1Gi" }),
      NodeNames: ["empty", "half", "full", "candidate", "launching"],
    });
    for (const score of Object.values(s)) assert.ok(score >= 0 && score <= 10);
    assert.ok((s.full ?? 0) > (s.half ?? 0), JSON.stringify(s));
    assert.ok((s.half ?? 0) > (s.empty ?? 0), JSON.stringify(s));
    assert.ok((s.empty ?? 0) > (s.candidate ?? 0), JSON.stringify(s));
    assert.ok((s.candidate ?? 0) >= (s.launching ?? 0), JSON.stringify(s));
    assert.equal(s.launching, 0);
  });

  it("gives the reserved node the maximum score", async () => {
    h.deps.ledger.reserve({ podUID: "uid-r", nodeName: "reserved", requests: { cpu: 1000, pods: 1 } });
    const s = await scores({ Pod: pod("r"), NodeNames: ["full", "reserved"] });
    assert.equal(s.reserved, 10);
    assert.ok((s.full ?? 0) < 10);
  });

  it("returns a HostPriorityList in request order, in both modes", async () => {
    const names = ["half", "empty"];
    const byName = await h.post("/prioritize", { Pod: pod("p"), NodeNames: names });
    const byList = await h.post("/prioritize", {
      Pod: pod("p"),
      Nodes: { items: names.map((n) => node(n)) },
    });
    assert.deepEqual(
      (byName.json as Priorities).map((p) => p.Host),
      names,
    );
    assert.deepEqual(byList.json, byName.json);
    for (const p of byName.json as Priorities) assert.ok(Number.isInteger(p.Score));
  });
});
