// EC2 that throttles and runs out of capacity: rafter is restarted with its EC2 endpoint pointing at a
// fault-injecting proxy in front of moto (test/support/fault-proxy.ts; moto never does either itself).
// 1. Throttling: the next 10 requests, and 3 CreateFleet requests on top, answer 503
//    RequestLimitExceeded while a first Deployment (zone a) is provisioned, and the answer of the
//    first CreateFleet that gets through is lost on its way back; everything is retried.
// 2. Insufficient capacity: the instance types the first wave's VirtualNodes list first (the cheapest
//    for that pod shape) fail in every subnet; a second, identical Deployment (zone b, so it cannot
//    use the first wave's nodes) must land on other instance types.
// In the end: every pod Running, the proxy saw every injected fault, no VirtualNode of the second
// wave runs a failed type, one instance per VirtualNode and no orphaned instance.
import assert from "node:assert/strict";
import { startFaultProxy } from "../../test/support/fault-proxy.js";
import { generalNodePool, nodeClass, podsRunning, quietDisruption } from "../harness/lifecycle.js";
import {
  assertOneInstancePerVirtualNode,
  cleanupCapacity,
  deployment,
  virtualNodes,
  type VirtualNodeJson,
} from "../harness/provisioning.js";
import { scenario } from "../harness/scenario.js";

const zoneKey = "topology.kubernetes.io/zone";
const container = { cpu: "1500m", memory: "2Gi" };
const replicas = 4;
/** How many of the first wave's cheapest instance-type options are made to fail. */
const failedOptions = 3;

const ofApp = (vns: readonly VirtualNodeJson[], namespace: string, app: string): VirtualNodeJson[] =>
  vns.filter((v) => v.spec.pods.some((p) => p.namespace === namespace && p.name.startsWith(`${app}-`)));

scenario(
  "EC2 throttling and insufficient capacity: everything retried, other offerings chosen, nothing lost",
  { needsRafter: true, timeoutMs: 420_000 },
  async (t) => {
    const { cluster, kubectl, eventually, defer, repoRoot } = t;
    await cluster.kubectl.apply([
      ...nodeClass(repoRoot),
      generalNodePool(repoRoot, {
        disruption: quietDisruption,
      }),
    ]);
    defer(() => cleanupCapacity(cluster, t.namespace));
    const proxy = await startFaultProxy(cluster.moto.endpoint);
    defer(() => proxy.close());
    defer(async () => {
      await cluster.rafter.restart(); // back on moto itself
    });
    await cluster.rafter.restart([`--ec2-endpoint=${proxy.endpoint}`]);

    // 1. Throttling, and a lost answer.
    proxy.throttle(3, "CreateFleet");
    proxy.throttle(10);
    proxy.loseAnswers(1, "CreateFleet");
    await kubectl.apply(
      deployment("throttled", replicas, container, { nodeSelector: { [zoneKey]: "us-east-1a" } }),
    );
    await podsRunning(t, "throttled", replicas, { timeoutMs: 180_000 });
    // rafter's periodic calls (instance listing, discovery) use up what provisioning did not
    const throttled = await eventually(
      "all 13 injected throttles answered",
      () => {
        const seen = proxy.requests.filter((r) => r.injected === "throttle");
        return Promise.resolve(seen.length === 13 ? seen : undefined);
      },
      120_000,
    );
    assert.equal(
      throttled.filter((r) => r.action === "CreateFleet").length,
      3,
      "CreateFleet was throttled 3 times (and retried)",
    );
    const lost = proxy.requests.filter((r) => r.injected === "lost");
    assert.equal(lost.length, 1, "one CreateFleet answer was lost");
    const first = ofApp(await virtualNodes(cluster), t.namespace, "throttled");
    assert.ok(first.length > 0, "the first wave has VirtualNodes");
    t.log(
      `throttled ${throttled.length} request(s) (${[...new Set(throttled.map((r) => (r.action !== "" ? r.action : (r.target ?? "?"))))].join(", ")}), ` +
        `lost ${lost.length} CreateFleet answer; ` +
        `first wave on ${first.map((v) => v.status?.instanceType ?? "?").join(", ")}`,
    );

    // 2. Insufficient capacity for the cheapest options of this pod shape.
    const failed = new Set(
      first.flatMap((v) => [...v.spec.instanceTypes.slice(0, failedOptions), v.status?.instanceType ?? ""]),
    );
    failed.delete("");
    for (const instanceType of failed) proxy.failCapacity({ instanceType });
    await kubectl.apply(
      deployment("starved", replicas, container, { nodeSelector: { [zoneKey]: "us-east-1b" } }),
    );
    const pods = [
      ...(await podsRunning(t, "starved", replicas, { timeoutMs: 240_000 })),
      ...(await podsRunning(t, "throttled", replicas, { timeoutMs: 10_000 })),
    ];
    const capacity = proxy.requests.filter((r) => r.injected === "capacity");
    assert.ok(capacity.length > 0, `CreateFleet met insufficient capacity for ${[...failed].join(", ")}`);
    const vns = await virtualNodes(cluster);
    const second = ofApp(vns, t.namespace, "starved");
    assert.ok(second.length > 0, "the second wave has VirtualNodes");
    for (const vn of second) {
      const type = vn.status?.instanceType ?? "";
      assert.ok(type !== "", `${vn.metadata.name} records its instance type`);
      assert.ok(!failed.has(type), `${vn.metadata.name} runs ${type}, not a type without capacity`);
    }

    // Nothing lost, nothing doubled.
    const { live } = await assertOneInstancePerVirtualNode(cluster);
    const backed = new Set(vns.map((v) => v.status?.nodeName));
    for (const pod of pods)
      assert.ok(
        backed.has(pod.spec.nodeName),
        `pod ${pod.metadata.name} on ${pod.spec.nodeName ?? "?"} is backed by a VirtualNode`,
      );
    t.log(
      `capacity refused for ${[...failed].join(", ")} in ${capacity.length} CreateFleet answer(s), ` +
        `second wave on ${second.map((v) => v.status?.instanceType ?? "?").join(", ")}; ` +
        `${vns.length} VirtualNode(s), ${live.length} live instance(s), none duplicated or orphaned; ` +
        `CreateFleet calls ${proxy.calls("CreateFleet").length}`,
    );
  },
);
