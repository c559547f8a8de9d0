// Termination end to end: deleting a VirtualNode rafter launched drains its Node (pods evicted through
// the Eviction API, a PodDisruptionBudget respected: never fewer than minAvailable ready), terminates
// the instance in moto, and removes both objects once their finalizers are released.
import assert from "node:assert/strict";
import { nodeAndVirtualNodeGone, podsRunning, watchPdb } from "../harness/lifecycle.js";
import { scenario } from "../harness/scenario.js";
import {
  applyNodePools,
  cleanupCapacity,
  deployment,
  motoInstances,
  virtualNodes,
} from "../harness/provisioning.js";

scenario(
  "deleting a VirtualNode drains its node within the PDB and terminates the instance",
  { needsRafter: true, timeoutMs: 300_000 },
  async (t) => {
    const { cluster, kubectl, defer, repoRoot, namespace } = t;
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
    const running = await podsRunning(t, "web", 6);
    const nodeName = running[0]?.spec.nodeName ?? "";
    const vn = (await virtualNodes(cluster)).find((v) => v.status?.nodeName === nodeName);
    assert.ok(vn, `a VirtualNode owns ${nodeName}`);
    const instanceId = vn.status?.instanceID ?? "";

    const pdb = watchPdb(kubectl, "web");
    await cluster.kubectl.run(["delete", "virtualnode", vn.metadata.name, "--wait=false"]);
    await nodeAndVirtualNodeGone(t, nodeName, vn.metadata.name, 180_000);
    await podsRunning(t, "web", 6, { notOn: nodeName });
    const seen = await pdb.stop();
    const minHealthy = seen.lowestHealthy;
    const instance = (await motoInstances(cluster)).find((i) => i.id === instanceId);
    assert.ok(
      instance === undefined || instance.state === "terminated" || instance.state === "shutting-down",
      `instance ${instanceId} terminated (${instance?.state ?? "gone"})`,
    );
    assert.ok(minHealthy >= 5, `PDB held: lowest healthy count ${minHealthy} in ${namespace}`);
    t.log(`drained ${nodeName}; lowest healthy during the drain: ${minHealthy}`);
  },
);
