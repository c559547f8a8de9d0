// Expiry: a NodePool with expireAfter 60s has its nodes replaced once they are that old; the pods keep
// running elsewhere and the PodDisruptionBudget is never violated (polled throughout).
import assert from "node:assert/strict";
import { scenario } from "../harness/scenario.js";
import { cleanupCapacity, deployment, podsIn, virtualNodes } from "../harness/provisioning.js";
import {
  generalNodePool,
  maxUnavailablePdb,
  nodeClass,
  quietDisruption,
  watchPdb,
} from "../harness/lifecycle.js";

scenario(
  "expireAfter replaces a NodePool's nodes without PDB violations",
  { needsRafter: true, timeoutMs: 420_000 },
  async (t) => {
    const { cluster, kubectl, eventually, defer, repoRoot } = t;
    await cluster.kubectl.apply([
      ...nodeClass(repoRoot),
      generalNodePool(repoRoot, {
        expireAfter: "60s",
        // No consolidation in the way: only expiry replaces nodes here.
        disruption: quietDisruption,
      }),
    ]);
    defer(() => cleanupCapacity(cluster, t.namespace));
    await kubectl.apply([deployment("web", 4, { cpu: "1", memory: "1Gi" }), maxUnavailablePdb("web")]);
    const first = await eventually(
      "4 web pods Running",
      async () => {
        const pods = await podsIn(kubectl, "app=web");
        return pods.filter((p) => p.status.phase === "Running").length === 4 ? pods : undefined;
      },
      180_000,
    );
    const launched = Date.now();
    const originalVns = (await virtualNodes(cluster)).map((v) => v.metadata.name);
    const originalNodes = new Set(first.map((p) => p.spec.nodeName ?? ""));
    t.log(`original VirtualNodes ${originalVns.join(",")} (nodes ${[...originalNodes].join(",")})`);
    const pdb = watchPdb(kubectl, "web");
    await eventually(
      "original VirtualNodes gone and 4 pods Running on other nodes",
      async () => {
        const live = new Set((await virtualNodes(cluster)).map((v) => v.metadata.name));
        if (originalVns.some((n) => live.has(n))) return undefined;
        const pods = await podsIn(kubectl, "app=web");
        const elsewhere = pods.filter(
          (p) => p.status.phase === "Running" && !originalNodes.has(p.spec.nodeName ?? ""),
        );
        return elsewhere.length === 4;
      },
      300_000,
    );
    const seconds = Math.round((Date.now() - launched) / 1000);
    const seen = await pdb.stop();
    t.log(
      `expired ${originalVns.length} VirtualNode(s) replaced ${seconds}s after the pods ran; ` +
        `PDB samples ${seen.samples}, violations ${seen.violations}, lowest healthy ${seen.lowestHealthy}`,
    );
    assert.ok(seen.samples > 0, "the PDB was observed");
    assert.equal(seen.violations, 0, "no PDB violation observed");
  },
);
