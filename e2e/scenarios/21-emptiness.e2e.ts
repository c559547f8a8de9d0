// Scale-in: a Deployment scaled 30 → 3 leaves nodes empty or under-utilised; rafter removes them
// (emptiness and consolidation) until the remaining capacity is cheaper, and no PDB is violated.
import assert from "node:assert/strict";
import { kwokManaged, loadExample } from "../harness/examples.js";
import { watchPdb } from "../harness/lifecycle.js";
import { scenario } from "../harness/scenario.js";
import { cleanupCapacity, deployment, podsIn, virtualNodes } from "../harness/provisioning.js";

const hourly = async (cluster: Parameters<typeof virtualNodes>[0]) =>
  (await virtualNodes(cluster))
    .filter(
      (v) =>
        v.status?.phase === "Ready" || v.status?.phase === "Registered" || v.status?.phase === "Launched",
    )
    .reduce((sum, v) => sum + Number(v.status?.price ?? 0), 0);

scenario(
  "scaling a Deployment in removes and consolidates nodes without PDB violations",
  { needsRafter: true, timeoutMs: 420_000 },
  async (t) => {
    const { cluster, kubectl, eventually, defer, repoRoot } = t;
    // consolidateAfter 10s so that the scenario does not wait a minute per step.
    const objects = ["ec2nodeclass.yaml", "nodepool-general.yaml"].flatMap((f) =>
      loadExample(repoRoot, f).map(kwokManaged),
    );
    for (const object of objects) {
      if (object.kind !== "NodePool") continue;
      const spec = object.spec as { disruption?: Record<string, unknown> };
      spec.disruption = {
        consolidationPolicy: "WhenEmptyOrUnderutilized",
        consolidateAfter: "10s",
        budgets: [{ nodes: "50%" }],
      };
    }
    await cluster.kubectl.apply(objects);
    defer(() => cleanupCapacity(cluster, t.namespace));
    await kubectl.apply([
      // 90 cpu: several nodes, so that scaling in leaves some empty and the rest under-utilised.
      deployment("web", 30, { cpu: "3", memory: "2Gi" }),
      {
        apiVersion: "policy/v1",
        kind: "PodDisruptionBudget",
        metadata: { name: "web" },
        spec: { maxUnavailable: 1, selector: { matchLabels: { app: "web" } } },
      },
    ]);
    await eventually(
      "30 pods Running",
      async () =>
        (await podsIn(kubectl, "app=web")).filter((p) => p.status.phase === "Running").length === 30,
      180_000,
    );
    const before = await hourly(cluster);
    await kubectl.run(["scale", "deployment/web", "--replicas=3"]);
    const pdb = watchPdb(kubectl, "web");
    const after = await eventually(
      "capacity shrinks to at most two cheaper nodes",
      async () => {
        const live = (await virtualNodes(cluster)).filter((v) => v.status?.phase === "Ready");
        if (live.length > 2) return undefined;
        const cost = await hourly(cluster);
        return cost < before ? cost : undefined;
      },
      300_000,
    );
    const { violations } = await pdb.stop();
    t.log(`hourly cost before $${before.toFixed(4)}, after $${after.toFixed(4)}`);
    assert.ok(after < before, "cheaper after scale-in");
    assert.equal(violations, 0, "no PDB violation observed");
    assert.equal((await podsIn(kubectl, "app=web")).filter((p) => p.status.phase === "Running").length, 3);
  },
);
