// Termination end to end: deleting a VirtualNode rafter launched drains its Node (pods evicted through
// the Eviction API, a PodDisruptionBudget respected: never fewer than minAvailable ready), terminates
// the instance in moto, and removes both objects once their finalizers are released.
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

interface PdbJson {
  status?: { disruptionsAllowed?: number; currentHealthy?: number; desiredHealthy?: number };
}

scenario(
  "deleting a VirtualNode drains its node within the PDB and terminates the instance",
  { needsRafter: true, timeoutMs: 300_000 },
  async (t) => {
    const { cluster, kubectl, eventually, defer, repoRoot, namespace } = t;
    await applyNodePools(cluster, repoRoot, ["nodepool-general.yaml"]);
    defer(() => cleanupCapacity(cluster, t.namespace));
    await kubectl.apply([
      deployment("web", 6, { cpu: "1", memory: "1Gi" }),
      {
        apiVersion: "policy/v1",
        kind: "PodDisruptionBudget",
        metadata: { name: "web" },
        spec: { minAvailable: 5, selector: { matchLabels: { app: "web" } } },
      },
    ]);
    const running = await eventually(
      "6 web pods Running",
      async () => {
        const pods = await podsIn(kubectl, "app=web");
        return pods.filter((p) => p.status.phase === "Running").length === 6 ? pods : undefined;
      },
      180_000,
    );
    const nodeName = running[0]?.spec.nodeName ?? "";
    const vn = (await virtualNodes(cluster)).find((v) => v.status?.nodeName === nodeName);
    assert.ok(vn, `a VirtualNode owns ${nodeName}`);
    const instanceId = vn.status?.instanceID ?? "";

    let minHealthy = Infinity;
    const watching = { on: true };
    const watcher = (async () => {
      while (watching.on) {
        const pdb = await kubectl.getJson<PdbJson>("pdb", "web").catch(() => undefined);
        if (pdb?.status?.currentHealthy !== undefined)
          minHealthy = Math.min(minHealthy, pdb.status.currentHealthy);
        await new Promise((r) => setTimeout(r, 250));
      }
    })();
    await cluster.kubectl.run(["delete", "virtualnode", vn.metadata.name, "--wait=false"]);
    await eventually(
      `node ${nodeName} and VirtualNode ${vn.metadata.name} gone`,
      async () => {
        const node = await cluster.kubectl.find("node", nodeName);
        const still = (await virtualNodes(cluster)).some((v) => v.metadata.name === vn.metadata.name);
        return node === undefined && !still;
      },
      180_000,
    );
    await eventually(
      "6 web pods Running again",
      async () => {
        const pods = await podsIn(kubectl, "app=web");
        return pods.filter((p) => p.status.phase === "Running" && p.spec.nodeName !== nodeName).length === 6;
      },
      180_000,
    );
    watching.on = false;
    await watcher;
    const instance = (await motoInstances(cluster)).find((i) => i.id === instanceId);
    assert.ok(
      instance === undefined || instance.state === "terminated" || instance.state === "shutting-down",
      `instance ${instanceId} terminated (${instance?.state ?? "gone"})`,
    );
    assert.ok(minHealthy >= 5, `PDB held: lowest healthy count ${minHealthy} in ${namespace}`);
    t.log(`drained ${nodeName}; lowest healthy during the drain: ${minHealthy}`);
  },
);
