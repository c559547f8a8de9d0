// Registration timeout: a NodePool whose Nodes kwok does not manage (no kubelet ever posts status) gets
// its instances terminated in moto once --registration-timeout (20s here) passes, its VirtualNodes
// marked Failed with the reason, the pool's NodeRegistrationHealthy condition goes False, and the
// pods are planned again onto the working NodePool although it has the lower weight.
import assert from "node:assert/strict";
import { scenario } from "../harness/scenario.js";
import {
  cleanupCapacity,
  deployment,
  motoInstances,
  podsIn,
  virtualNodes,
  type VirtualNodeJson,
} from "../harness/provisioning.js";
import { generalNodePool, nodeClass, quietDisruption, sleep } from "../harness/lifecycle.js";

interface NodeJson {
  metadata: { labels?: Record<string, string> };
}

interface NodePoolJson {
  status?: { conditions?: { type: string; status: string; reason?: string; message?: string }[] };
}

scenario(
  "nodes that never register are terminated and their pods planned onto a working NodePool",
  { needsRafter: true, timeoutMs: 420_000 },
  async (t) => {
    const { cluster, kubectl, eventually, defer, repoRoot } = t;
    await cluster.rafter.restart(["--registration-timeout=20s", "--failed-retention=10s"]);
    defer(async () => {
      await cluster.rafter.restart();
    });
    const disruption = quietDisruption;
    await cluster.kubectl.apply([
      ...nodeClass(repoRoot),
      generalNodePool(repoRoot, {
        name: "dead",
        weight: 50,
        labels: { lane: "dead" },
        kwok: false,
        disruption,
      }),
      generalNodePool(repoRoot, { name: "live", weight: 5, labels: { lane: "dead" }, disruption }),
    ]);
    defer(() => cleanupCapacity(cluster, t.namespace));

    // Every VirtualNode of the dead pool seen Failed, with its reason; polled often, since Failed
    // VirtualNodes are deleted after a while.
    const failed = new Map<string, VirtualNodeJson>();
    const deadInstances = new Set<string>();
    const watching = { on: true };
    const watcher = (async () => {
      while (watching.on) {
        const vns = await virtualNodes(cluster).catch(() => [] as VirtualNodeJson[]);
        for (const v of vns) {
          if (v.spec.nodePool !== "dead") continue;
          if (v.status?.instanceID) deadInstances.add(v.status.instanceID);
          if (v.status?.phase === "Failed") failed.set(v.metadata.name, v);
        }
        await sleep(250);
      }
    })();

    await kubectl.apply(
      deployment("lane", 3, { cpu: "1", memory: "1Gi" }, { nodeSelector: { lane: "dead" } }),
    );
    const started = Date.now();
    await eventually("a dead VirtualNode seen Failed", () => Promise.resolve(failed.size > 0), 120_000);
    // The pods should end up on the live NodePool; checked after the dead pool's evidence is asserted.
    const pods = await eventually(
      "3 lane pods Running on the live NodePool",
      async () => {
        const running = (await podsIn(kubectl, "app=lane")).filter((p) => p.status.phase === "Running");
        if (running.length !== 3) return undefined;
        for (const p of running) {
          const node = await cluster.kubectl.getJson<NodeJson>("node", p.spec.nodeName ?? "");
          if (node.metadata.labels?.["rafter.dev/nodepool"] !== "live") return undefined;
        }
        return running;
      },
      150_000,
    ).catch((error: unknown) => error as Error);
    const seconds = Math.round((Date.now() - started) / 1000);
    watching.on = false;
    await watcher;

    assert.ok(deadInstances.size > 0, "the dead NodePool launched instances");
    const reasons = [...failed.values()].map((v) => v.status?.lastFailure ?? "");
    for (const reason of reasons)
      assert.match(reason, /RegistrationTimeout/, `Failed with the registration reason: ${reason}`);
    const instances = await eventually(
      "the dead NodePool's instances terminated in moto",
      async () => {
        const all = await motoInstances(cluster);
        const dead = all.filter((i) => deadInstances.has(i.id));
        return dead.every((i) => i.state === "terminated") ? dead : undefined;
      },
      120_000,
    ).catch(async () =>
      (await motoInstances(cluster)).filter((i) => deadInstances.has(i.id) && i.state !== "terminated"),
    );
    t.log(
      `after ${seconds}s: ${failed.size} dead VirtualNode(s) Failed (${reasons[0] ?? ""}); ` +
        `dead instances ${deadInstances.size}, terminated-or-not list: ${instances.map((i) => `${i.id}=${i.state}`).join(",")}`,
    );
    assert.ok(
      instances.every((i) => i.state === "terminated"),
      "every instance of the dead NodePool terminated in moto",
    );
    const health = await eventually(
      "NodePool dead reports NodeRegistrationHealthy=False",
      async () => {
        const pool = await cluster.kubectl.getJson<NodePoolJson>("nodepool", "dead");
        const c = pool.status?.conditions?.find((x) => x.type === "NodeRegistrationHealthy");
        return c?.status === "False" ? c : undefined;
      },
      30_000,
    );
    t.log(`NodePool dead: NodeRegistrationHealthy=False ${health.reason ?? ""}: ${health.message ?? ""}`);
    assert.equal(health.reason, "RegistrationTimeout");
    if (pods instanceof Error) throw pods;
    t.log(`3 pods Running on NodePool live: ${[...new Set(pods.map((p) => p.spec.nodeName))].join(",")}`);
  },
);
