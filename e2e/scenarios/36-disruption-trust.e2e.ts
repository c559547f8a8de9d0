// Disruption a cluster can trust (issue 18), on the real control plane:
// 1. widening a NodePool requirement (another instance category) drifts nothing;
// 2. changing the EC2NodeClass's user data drifts every node of it (Drifted=True, NodeClassDrifted on
//    the VirtualNode), but while the pods' PDB allows no disruption (maxUnavailable: 0) nothing is
//    tainted and nothing launched, and a DisruptionBlocked event names the PDB;
// 3. once the PDB allows one disruption, the nodes are replaced with no PDB violation;
// 4. deleting the NodePool drains and removes its nodes (the VirtualNodes are owned by it, so
//    kube-controller-manager's garbage collector deletes them and termination drains; the PDB is
//    deleted first, since the pods have nowhere else to go).
import assert from "node:assert/strict";
import type { KubeObject } from "../cluster/kubectl.js";
import { scenario } from "../harness/scenario.js";
import { cleanupCapacity, deployment, podsIn, virtualNodes } from "../harness/provisioning.js";
import {
  generalNodePool,
  maxUnavailablePdb,
  nodeClass,
  quietDisruption,
  sleep,
  watchDisrupted,
  watchPdb,
} from "../harness/lifecycle.js";

interface Requirement {
  key: string;
  operator: string;
  values?: string[];
}
interface Condition {
  type: string;
  status: string;
  reason?: string;
}
interface EventJson {
  items: { reason?: string; message?: string; involvedObject?: { kind?: string; name?: string } }[];
}

function withCategories(pool: KubeObject, categories: string[]): KubeObject {
  const copy = structuredClone(pool) as KubeObject & {
    spec: { template: { spec: { requirements: Requirement[] } } };
  };
  const requirements = copy.spec.template.spec.requirements;
  copy.spec.template.spec.requirements = requirements.map((r) =>
    r.key === "rafter.dev/instance-category" ? { ...r, values: categories } : r,
  );
  return copy;
}

function withUserData(classes: KubeObject[], userData: string): KubeObject[] {
  return classes.map((object) =>
    object.kind === "EC2NodeClass"
      ? { ...object, spec: { ...(object.spec as Record<string, unknown>), userData } }
      : object,
  );
}

const drifted = (conditions: Condition[] | undefined): string | undefined =>
  conditions?.find((c) => c.type === "Drifted" && c.status === "True")?.reason;

scenario(
  "widening a requirement drifts nothing; changed user data drifts, held by a PDB, then replaced; NodePool deletion drains",
  { needsRafter: true, timeoutMs: 480_000 },
  async (t) => {
    const { cluster, kubectl, eventually, defer, repoRoot } = t;
    const classes = nodeClass(repoRoot);
    const pool = withCategories(generalNodePool(repoRoot, { disruption: quietDisruption }), ["m"]);
    await cluster.kubectl.apply([...classes, pool]);
    defer(() => cleanupCapacity(cluster, t.namespace));
    defer(() => cluster.kubectl.apply(classes)); // the example's user data back for later scenarios
    await kubectl.apply([deployment("web", 2, { cpu: "1", memory: "1Gi" }), maxUnavailablePdb("web", 0)]);
    await eventually(
      "2 web pods Running",
      async () => {
        const pods = await podsIn(kubectl, "app=web");
        return pods.filter((p) => p.status.phase === "Running").length === 2 ? pods : undefined;
      },
      180_000,
    );
    const original = (await virtualNodes(cluster)).map((v) => v.metadata.name).sort();

    // 1. Widening: m → c, m, r. Three disruption rounds later nothing has drifted.
    await cluster.kubectl.apply(withCategories(pool, ["c", "m", "r"]));
    await sleep(35_000);
    const afterWidening = await virtualNodes(cluster);
    assert.deepEqual(afterWidening.map((v) => v.metadata.name).sort(), original, "no node replaced");
    for (const vn of afterWidening) assert.equal(drifted(vn.status?.conditions), undefined, vn.metadata.name);

    // 2. Changed user data drifts every node, but the PDB allows no disruption: no taint, no launch.
    const disrupted = watchDisrupted(cluster);
    await cluster.kubectl.apply(withUserData(classes, "#!/bin/bash\necho rafter-e2e-drift\n"));
    await eventually(
      "every node Drifted (NodeClassDrifted) and a DisruptionBlocked event naming the PDB",
      async () => {
        const vns = await virtualNodes(cluster);
        if (!vns.every((vn) => drifted(vn.status?.conditions) === "NodeClassDrifted")) return undefined;
        const events = await cluster.kubectl.getJson<EventJson>("events", undefined, [
          "--all-namespaces",
          "--field-selector=reason=DisruptionBlocked",
        ]);
        return events.items.find((e) => e.message?.includes(`PodDisruptionBudget ${t.namespace}/web`));
      },
      90_000,
    );
    await sleep(15_000);
    const blocked = await disrupted.stop();
    assert.equal(
      blocked.seen.size,
      0,
      `no node tainted while the PDB allows nothing: ${[...blocked.seen].join(",")}`,
    );
    assert.deepEqual(
      (await virtualNodes(cluster)).map((v) => v.metadata.name).sort(),
      original,
      "no replacement launched",
    );

    // 3. The PDB allows one disruption: the drifted nodes are replaced, never violating it.
    const pdb = watchPdb(kubectl, "web");
    await kubectl.apply(maxUnavailablePdb("web", 1));
    await eventually(
      "the drifted nodes replaced, 2 pods Running",
      async () => {
        const live = new Set((await virtualNodes(cluster)).map((v) => v.metadata.name));
        if (original.some((name) => live.has(name))) return undefined;
        const pods = await podsIn(kubectl, "app=web");
        return pods.filter((p) => p.status.phase === "Running").length === 2 ? pods : undefined;
      },
      300_000,
    );
    const seen = await pdb.stop();
    assert.equal(seen.violations, 0, "no PDB violation");

    // 4. Deleting the NodePool drains its nodes and removes them (owner references → garbage collector).
    // The pods have nowhere to go once the pool is gone: without deleting their PDB first the drain
    // would (rightly) wait on it until terminationGracePeriod.
    await kubectl.run(["delete", "pdb", "web"]);
    const started = Date.now();
    await cluster.kubectl.run(["delete", "nodepool", "default", "--wait=false"]);
    await eventually(
      "the NodePool's VirtualNodes and Nodes gone",
      async () => {
        const vns = await virtualNodes(cluster);
        const nodes = await cluster.kubectl.getJson<{ items: unknown[] }>("nodes", undefined, [
          "-l=rafter.dev/nodepool=default",
        ]);
        return vns.length === 0 && nodes.items.length === 0 ? true : undefined;
      },
      180_000,
    );
    t.log(
      `widening drifted nothing; user-data drift held by the PDB, then replaced with ${seen.violations} PDB ` +
        `violations (${seen.samples} samples); NodePool deletion drained its nodes in ${Math.round((Date.now() - started) / 1000)}s`,
    );
  },
);
