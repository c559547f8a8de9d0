// Time to bound, as a benchmark figure: 1 000 pods created at once are all bound to new capacity.
// Prints the seconds from creation to the last binding and the instance count. The goal on this
// machine is under 30 s (Karpenter's kwok suite allows 2 minutes for 1 000 pods to become healthy);
// the assertion only bounds it loosely, since CI machines vary — the figure is what matters.
// Measuring stays light: once the Deployments have created their pods, it asks once a second for
// the unbound ones only (a field selector kube-apiserver answers from its cache); listing the
// thousand pods four times a second took up to half a core and loaded kube-apiserver as much as
// the system under test did.
import assert from "node:assert/strict";
import { waitFor } from "../cluster/net.js";
import { scenario } from "../harness/scenario.js";
import { applyNodePools, cleanupCapacity, deployment, virtualNodes } from "../harness/provisioning.js";

interface DeploymentList {
  items: { status?: { replicas?: number } }[];
}

scenario("1 000 pods created at once are all bound", { needsRafter: true, timeoutMs: 420_000 }, async (t) => {
  const { cluster, kubectl, repoRoot, defer, eventually } = t;
  await applyNodePools(cluster, repoRoot, ["nodepool-general.yaml"]);
  defer(() => cleanupCapacity(cluster, t.namespace));
  const started = Date.now();
  await kubectl.apply([
    deployment("small", 500, { cpu: "250m", memory: "256Mi" }),
    deployment("medium", 300, { cpu: "500m", memory: "1Gi" }),
    deployment("large", 200, { cpu: "1", memory: "2Gi" }),
  ]);
  await eventually("the Deployments created their 1 000 pods", async () => {
    const deployments = await kubectl.getJson<DeploymentList>("deployments");
    return deployments.items.reduce((sum, d) => sum + (d.status?.replicas ?? 0), 0) === 1000;
  });
  const bound = await waitFor(
    "1 000 pods bound",
    async () => {
      const unbound = await kubectl.run(["get", "pods", "--field-selector=spec.nodeName=", "-o", "name"]);
      return unbound.stdout.trim() === "" ? (Date.now() - started) / 1000 : undefined;
    },
    { timeoutMs: 360_000, intervalMs: 1_000 },
  );
  const vns = (await virtualNodes(cluster)).filter((vn) => vn.status?.phase !== "Failed");
  const cost = vns.reduce((sum, vn) => sum + Number(vn.status?.price ?? 0), 0);
  t.log(
    `time-to-bound: 1000 pods in ${bound.toFixed(1)}s on ${vns.length} instances ($${cost.toFixed(3)}/h)`,
  );
  t.log(
    JSON.stringify({
      benchmark: "time-to-bound",
      pods: 1000,
      seconds: Number(bound.toFixed(1)),
      instances: vns.length,
      hourlyCost: Number(cost.toFixed(4)),
    }),
  );
  assert.ok(bound < 300, "bound within 5 minutes");
});
