// The provisioning path end to end: a Deployment of 60 pods with mixed requests goes Pending, rafter
// plans and records VirtualNodes, launches instances in moto (tagged for the cluster, NodePool and
// VirtualNode), creates their Nodes (kwok plays the kubelets) and binds the pods itself; every pod
// runs. The launched prices are checked against the plan's.
import assert from "node:assert/strict";
import { scenario } from "../harness/scenario.js";
import {
  applyNodePools,
  cleanupCapacity,
  deployment,
  motoInstances,
  podsIn,
  virtualNodes,
} from "../harness/provisioning.js";

scenario(
  "a Deployment of 60 mixed pods gets capacity and runs",
  { needsRafter: true, timeoutMs: 240_000 },
  async (t) => {
    const { cluster, kubectl, eventually, defer, repoRoot } = t;
    await applyNodePools(cluster, repoRoot, ["nodepool-general.yaml"]);
    defer(() => cleanupCapacity(cluster, t.namespace));
    const started = Date.now();
    await kubectl.apply([
      deployment("web", 20, { cpu: "500m", memory: "512Mi" }),
      deployment("api", 20, { cpu: "1500m", memory: "1Gi" }),
      deployment("cache", 20, { cpu: "250m", memory: "3Gi" }),
    ]);

    const running = await eventually(
      "all 60 pods Running",
      async () => {
        const pods = await podsIn(kubectl);
        const ready = pods.filter((p) => p.spec.nodeName !== undefined && p.status.phase === "Running");
        return pods.length === 60 && ready.length === 60 ? pods : undefined;
      },
      180_000,
    );
    t.log(`60 pods running ${((Date.now() - started) / 1000).toFixed(1)}s after creation`);

    const vns = (await virtualNodes(cluster)).filter((vn) => vn.status?.phase !== "Failed");
    assert.ok(vns.length > 0, "VirtualNodes were created");
    const nodesUsed = new Set(running.map((p) => p.spec.nodeName));
    for (const vn of vns) {
      const status = vn.status ?? {};
      assert.ok(status.instanceID?.startsWith("i-"), `${vn.metadata.name} has an instance`);
      assert.ok(
        vn.spec.instanceTypes.includes(status.instanceType ?? ""),
        `${vn.metadata.name} launched a planned type`,
      );
      assert.ok(nodesUsed.has(status.nodeName), `${vn.metadata.name}'s node hosts pods`);
    }

    const instances = (await motoInstances(cluster)).filter((i) => i.state !== "terminated");
    assert.equal(instances.length, vns.length, "exactly one instance per VirtualNode");
    for (const vn of vns) {
      const instance = instances.find((i) => i.id === vn.status?.instanceID);
      assert.ok(instance, `instance of ${vn.metadata.name} exists in moto`);
      assert.equal(instance.tags["rafter.dev/virtualnode"], vn.metadata.name);
      assert.equal(instance.tags["rafter.dev/nodepool"], "default");
      assert.equal(instance.type, vn.status?.instanceType);
    }

    const launched = vns.reduce((sum, vn) => sum + Number(vn.status?.price ?? "0"), 0);
    const planned = vns.reduce(
      (sum, vn) => sum + Number(vn.metadata.annotations?.["rafter.dev/planned-price"] ?? "0"),
      0,
    );
    t.log(`${vns.length} nodes, launched $${launched.toFixed(4)}/h, planned $${planned.toFixed(4)}/h`);
    assert.ok(
      Math.abs(launched - planned) < 1e-6 * vns.length + 1e-9,
      "CreateFleet launched the planned (cheapest) offerings",
    );
  },
);
