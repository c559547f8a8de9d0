import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { asPod, node, pod, startHarness, type Harness } from "./support.js";

describe("extender HTTP surface", () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({ bodyLimitBytes: 64 * 1024 });
  });
  after(async () => {
    await h.close();
  });

  it("answers malformed JSON with 400 naming the problem", async () => {
    const res = await h.postRaw("/filter", '{"Pod": {');
    assert.equal(res.status, 400);
    assert.match(res.text, /malformed JSON/);
  });

  it("answers an empty body with 400", async () => {
    const res = await h.postRaw("/prioritize", "");
    assert.equal(res.status, 400);
    assert.match(res.text, /empty/);
  });

  for (const [body, pattern] of [
    [[], /ExtenderArgs object/],
    [{ NodeNames: ["a"] }, /Pod must be a Pod object/],
    [{ Pod: { metadata: { name: "p" } }, NodeNames: ["a"] }, /Pod\.metadata\.uid/],
    [{ Pod: pod("p") }, /NodeNames .* or Nodes/],
    [{ Pod: pod("p"), NodeNames: ["a", 3] }, /NodeNames\[1\] must be a string/],
    [{ Pod: pod("p"), NodeNames: "a" }, /NodeNames must be an array/],
    [{ Pod: pod("p"), Nodes: { items: [{ metadata: {} }] } }, /Nodes\.items\[0\]\.metadata\.name/],
  ] as const) {
    it(`rejects ${JSON.stringify(body).slice(0, 60)} with 400`, async () => {
      const res = await h.post("/filter", body);
      assert.equal(res.status, 400);
      assert.match(res.text, pattern);
    });
  }

  it("rejects an invalid resource quantity with 400", async () => {
    const bad = asPod({
      metadata: { name: "p", namespace: "default", uid: "uid-p" },
      spec: { containers: [{ name: "app", resources: { requests: { cpu: "lots" } } }] },
    });
    const res = await h.post("/filter", { Pod: bad, NodeNames: ["a"] });
    assert.equal(res.status, 400);
    assert.match(res.text, /invalid quantity .*lots/);
  });

  it("rejects an oversized body with 413 and a message", async () => {
    const names = Array.from({ length: 10_000 }, (_, i) => `node-with-a-long-name-${i}`);
    const res = await h.post("/filter", { Pod: pod("p"), NodeNames: names });
    assert.equal(res.status, 413);
    assert.match(res.text, /exceeds the limit of 65536 bytes/);
    // The server is still fine afterwards.
    const ok = await h.post("/filter", { Pod: pod("p"), NodeNames: ["a"] });
    assert.equal(ok.status, 200);
  });

  it("answers a request with whitespace or escaped names as it answers kube-scheduler's compact one", async () => {
    h.deps.state.upsertNode(node("n-1"));
    h.deps.state.setBeingDisrupted("n-2", true);
    const args = { Pod: pod("p"), Nodes: null, NodeNames: ["n-1", "n-2", "n-3"] };
    for (const verb of ["/filter", "/prioritize"]) {
      const compact = await h.postRaw(verb, JSON.stringify(args));
      const pretty = await h.postRaw(verb, JSON.stringify(args, null, 2));
      const escaped = await h.postRaw(verb, JSON.stringify(args).replace('"n-3"', '"n\\u002d3"'));
      assert.equal(compact.status, 200, compact.text);
      assert.deepEqual(JSON.parse(pretty.text), JSON.parse(compact.text), verb);
      assert.deepEqual(JSON.parse(escaped.text), JSON.parse(compact.text), verb);
    }
    assert.match(
      (await h.postRaw("/filter", JSON.stringify(args))).text,
      /"FailedAndUnresolvableNodes":\{"n-2":/,
    );
  });

  it("counts 400s under the verb", async () => {
    const metrics = await h.get("/metrics");
    assert.match(metrics.text, /rafter_extender_requests_total\{verb="filter",code="400"\} [1-9]/);
    assert.match(metrics.text, /rafter_extender_request_duration_seconds_bucket\{le="0.002",verb="filter"\}/);
  });

  it("answers unknown routes with 404", async () => {
    const res = await h.post("/nope", {});
    assert.equal(res.status, 404);
  });

  it("is alive from the start", async () => {
    assert.equal((await h.get("/healthz")).status, 200);
  });

  it("is ready only when the state is synced and this replica leads", async () => {
    h.leader.value = true;
    let res = await h.get("/readyz");
    assert.equal(res.status, 503);
    assert.match(res.text, /not synced/);
    h.deps.state.markSynced();
    assert.equal((await h.get("/readyz")).status, 200);
    h.leader.value = false;
    res = await h.get("/readyz");
    assert.equal(res.status, 503);
    assert.match(res.text, /not the leader/);
  });
});

describe("extender served by the plain express app, under a path prefix", () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({ serve: "app", pathPrefix: "/scheduler/" });
  });
  after(async () => {
    await h.close();
  });

  it("serves the verbs under the prefix", async () => {
    const filter = await h.post("/scheduler/filter", { Pod: pod("p"), NodeNames: ["a"] });
    assert.equal(filter.status, 200);
    assert.deepEqual((filter.json as { NodeNames: string[] }).NodeNames, ["a"]);
    const bind = await h.post("/scheduler/bind", {
      PodName: "p",
      PodNamespace: "default",
      PodUID: "uid-p",
      Node: "a",
    });
    assert.deepEqual(bind.json, { Error: "" });
    assert.equal((await h.post("/filter", { Pod: pod("p"), NodeNames: ["a"] })).status, 404);
  });

  it("answers malformed JSON with 400 and serves health and metrics", async () => {
    const res = await h.postRaw("/scheduler/prioritize", "not json");
    assert.equal(res.status, 400);
    assert.match(res.text, /malformed JSON/);
    assert.equal((await h.get("/healthz")).status, 200);
    assert.match(
      (await h.get("/metrics")).text,
      /rafter_extender_requests_total\{verb="bind",code="200"\} 1/,
    );
  });
});
