import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ManualClock } from "../../src/clock.js";
import { parseProviderId } from "../../src/cloud/provider.js";
import { SimulatedCloud } from "../../src/cloud/simulated/simulated-cloud.js";
import { nodePool, virtualNode } from "./fixtures.js";

function cloud(
  options: { launchLatencyMs?: number; bootLatencyMs?: number; terminationLatencyMs?: number } = {},
) {
  const clock = new ManualClock(1_000_000);
  const sim = new SimulatedCloud({
    clock,
    sleep: (ms) => {
      clock.advance(ms);
      return Promise.resolve();
    },
    ...options,
  });
  return { clock, sim };
}

const onDemand = [{ key: "rafter.dev/capacity-type", operator: "In" as const, values: ["on-demand"] }];

describe("simulated cloud", () => {
  it("launches the cheapest allowed offering and reports it", async () => {
    const { sim, clock } = cloud({ launchLatencyMs: 1500 });
    const result = await sim.create(virtualNode("vn-1", ["m5.large", "m5.xlarge"], onDemand), {
      nodePool: nodePool(),
    });
    assert.ok(result.ok);
    assert.equal(result.value.instanceType, "m5.large");
    assert.equal(result.value.capacityType, "on-demand");
    assert.equal(result.value.price, 0.096);
    assert.match(result.value.nodeName, /^ip-10-\d+-\d+-\d+\.ec2\.internal$/);
    assert.deepEqual(parseProviderId(result.value.providerId), {
      zone: result.value.zone,
      instanceId: result.value.instanceId,
    });
    assert.equal(result.value.launchedAt, 1_001_500);
    assert.equal(clock.now(), 1_001_500);
  });

  it("prefers spot when allowed and honours zone requirements", async () => {
    const { sim } = cloud();
    const zone = [
      { key: "topology.kubernetes.io/zone", operator: "In" as const, values: ["us-east-1b"] },
      { key: "rafter.dev/capacity-type", operator: "In" as const, values: ["spot", "on-demand"] },
    ];
    const result = await sim.create(virtualNode("vn-1", ["m5.large"], zone), { nodePool: nodePool() });
    assert.ok(result.ok);
    assert.equal(result.value.capacityType, "spot");
    assert.equal(result.value.zone, "us-east-1b");
    // Without a capacity-type requirement only on-demand is launched: spot must be asked for.
    const plain = await sim.create(virtualNode("vn-2", ["m5.large"]), { nodePool: nodePool() });
    assert.ok(plain.ok);
    assert.equal(plain.value.capacityType, "on-demand");
  });

  it("is idempotent per VirtualNode UID", async () => {
    const { sim } = cloud();
    const vn = virtualNode("vn-1", ["m5.large"]);
    const first = await sim.create(vn, { nodePool: nodePool() });
    const second = await sim.create(vn, { nodePool: nodePool() });
    assert.ok(first.ok && second.ok);
    assert.equal(second.value.instanceId, first.value.instanceId);
    assert.equal(sim.allInstances().length, 1);
  });

  it("skips offerings without capacity, marks them, and fails typed when none is left", async () => {
    const { sim, clock } = cloud();
    const zone = [
      ...onDemand,
      { key: "topology.kubernetes.io/zone", operator: "In" as const, values: ["us-east-1a"] },
    ];
    sim.exhaustCapacity("m5.large", "us-east-1a", "on-demand");
    const next = await sim.create(virtualNode("vn-1", ["m5.large", "m5.xlarge"], zone), {
      nodePool: nodePool(),
    });
    assert.ok(next.ok);
    assert.equal(next.value.instanceType, "m5.xlarge");
    assert.ok(sim.unavailableOfferings.keys().has("m5.large/us-east-1a/on-demand"));

    sim.exhaustCapacity("m5.xlarge", "us-east-1a", "on-demand");
    const none = await sim.create(virtualNode("vn-2", ["m5.xlarge"], zone), { nodePool: nodePool() });
    assert.equal(none.ok, false);
    assert.ok(none.error.kind === "InsufficientCapacity");
    assert.deepEqual(
      none.error.offerings.map((o) => `${o.instanceType}/${o.zone}/${o.capacityType}`),
      ["m5.xlarge/us-east-1a/on-demand"],
    );
    clock.advance(3 * 60_000 + 1);
    assert.equal(sim.unavailableOfferings.keys().size, 0, "marks expire after 3 minutes");
  });

  it("throttles and fails on demand", async () => {
    const { sim } = cloud();
    sim.throttleNext(1);
    const throttled = await sim.list();
    assert.ok(!throttled.ok && throttled.error.kind === "Throttled");
    sim.failNextCreate("boom");
    const failed = await sim.create(virtualNode("vn-1", ["m5.large"]), { nodePool: nodePool() });
    assert.ok(!failed.ok && failed.error.kind === "Failed" && failed.error.message === "boom");
  });

  it("boots, lists, deletes and forgets instances on the clock", async () => {
    const { sim, clock } = cloud({ bootLatencyMs: 30_000, terminationLatencyMs: 10_000 });
    const launched = await sim.create(virtualNode("vn-1", ["m5.large"]), { nodePool: nodePool() });
    assert.ok(launched.ok);
    const id = launched.value.providerId;
    let got = await sim.get(id);
    assert.ok(got.ok && got.value.state === "pending");
    clock.advance(30_000);
    got = await sim.get(id);
    assert.ok(got.ok && got.value.state === "running" && got.value.virtualNode === "vn-1");
    const listed = await sim.list();
    assert.ok(listed.ok && listed.value.length === 1);

    const deleted = await sim.delete(id);
    assert.deepEqual(deleted, { ok: true, value: "terminating" });
    got = await sim.get(id);
    assert.ok(got.ok && got.value.state === "shutting-down");
    clock.advance(10_000);
    const gone = await sim.delete(id);
    assert.ok(!gone.ok && gone.error.kind === "NotFound", "already gone is a typed outcome");
    const empty = await sim.list();
    assert.ok(empty.ok && empty.value.length === 0);
  });

  it("marks unavailable offerings in instanceTypes()", async () => {
    const { sim } = cloud();
    sim.unavailableOfferings.mark("m5.large", "us-east-1a", "spot", "test");
    const types = await sim.instanceTypes(nodePool());
    assert.ok(types.ok);
    const m5 = types.value.find((t) => t.name === "m5.large");
    assert.equal(
      m5?.offerings.find((o) => o.zone === "us-east-1a" && o.capacityType === "spot")?.available,
      false,
    );
  });
});
