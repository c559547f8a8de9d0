// Drift: changing a label in a NodePool's node template changes its template hash; the nodes launched
// from the old template are replaced by nodes that carry the new label, and the pods keep running
// (PodDisruptionBudget polled throughout).
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

interface NodeJson {
  metadata: { labels?: Record<string, string> };
}

scenario(
  "changing a NodePool template label replaces its nodes",
  { needsRafter: true, timeoutMs: 420_000 },
  async (t) => {
    const { cluster, kubectl, eventually, defer, repoRoot } = t;
    const disruption = quietDisruption;
    await cluster.kubectl.apply([
      ...nodeClass(repoRoot),
      generalNodePool(repoRoot, { labels: { revision: "v1" }, disruption }),
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
    const originalVns = (await virtualNodes(cluster)).map((v) => v.metadata.name);
    const originalNodes = new Set(first.map((p) => p.spec.nodeName ?? ""));
    for (const name of originalNodes) {
      const node = await cluster.kubectl.getJson<NodeJson>("node", name);
      assert.equal(node.metadata.labels?.revision, "v1", `${name} carries revision=v1`);
    }
    const pdb = watchPdb(kubectl, "web");
    const changed = Date.now();
    await cluster.kubectl.apply(generalNodePool(repoRoot, { labels: { revision: "v2" }, disruption }));
    const replaced = await eventually(
      "original VirtualNodes gone and 4 pods Running on revision=v2 nodes",
      async () => {
        const live = new Set((await virtualNodes(cluster)).map((v) => v.metadata.name));
        if (originalVns.some((n) => live.has(n))) return undefined;
        const pods = (await podsIn(kubectl, "app=web")).filter((p) => p.status.phase === "Running");
        if (pods.length !== 4) return undefined;
        const nodes = new Set(pods.map((p) => p.spec.nodeName ?? ""));
        for (const name of nodes) {
          if (originalNodes.has(name)) return undefined;
          const node = await cluster.kubectl.getJson<NodeJson>("node", name);
          if (node.metadata.labels?.revision !== "v2") return undefined;
        }
        return [...nodes];
      },
      300_000,
    );
    const seen = await pdb.stop();
    t.log(
      `drifted ${[...originalNodes].join(",")} replaced by ${replaced.join(",")} (revision=v2) in ` +
        `${Math.round((Date.now() - changed) / 1000)}s; PDB samples ${seen.samples}, violations ${seen.violations}, ` +
        `lowest healthy ${seen.lowestHealthy}`,
    );
    assert.equal(seen.violations, 0, "no PDB violation observed");
  },
);
