// Node repair with the real node lifecycle controller: kwok stops playing a node's kubelet (its
// annotation removed, so no more heartbeats); kube-controller-manager marks the node Ready=Unknown
// after its node-monitor grace period; rafter (started with --node-repair-after=20s instead of the 30
// minutes it ships with) replaces it, and the pod runs on the replacement. Prints the timings.
import assert from "node:assert/strict";
import { KWOK_NODE_ANNOTATION } from "../cluster/kwok.js";
import { scenario } from "../harness/scenario.js";
import { cleanupCapacity, deployment, podsIn, virtualNodes } from "../harness/provisioning.js";
import { generalNodePool, nodeClass, quietDisruption } from "../harness/lifecycle.js";

interface NodeJson {
  status?: { conditions?: { type: string; status: string }[] };
}

scenario(
  "a node whose kubelet goes silent is replaced after the repair window",
  { needsRafter: true, timeoutMs: 300_000 },
  async (t) => {
    const { cluster, kubectl, eventually, defer, repoRoot } = t;
    await cluster.rafter.restart(["--node-repair-after=20s"]);
    defer(() => cluster.rafter.restart());
    await cluster.kubectl.apply([
      ...nodeClass(repoRoot),
      generalNodePool(repoRoot, { disruption: quietDisruption }),
    ]);
    defer(() => cleanupCapacity(cluster, t.namespace));
    await kubectl.apply(deployment("web", 1, { cpu: "1", memory: "1Gi" }));
    const [first] = await eventually(
      "the web pod Running",
      async () => {
        const running = (await podsIn(kubectl, "app=web")).filter((p) => p.status.phase === "Running");
        return running.length === 1 ? running : undefined;
      },
      180_000,
    );
    const sick = first?.spec.nodeName ?? "";
    const [vn] = await virtualNodes(cluster);
    assert.ok(vn && sick !== "", "one node with the pod");
    const silenced = Date.now();
    await cluster.kubectl.run(["annotate", "node", sick, `${KWOK_NODE_ANNOTATION.key}-`]);
    await eventually(
      "kube-controller-manager to mark the node not Ready",
      async () => {
        const node = await cluster.kubectl.getJson<NodeJson>("node", sick);
        const ready = node.status?.conditions?.find((c) => c.type === "Ready");
        return ready !== undefined && ready.status !== "True";
      },
      120_000,
    );
    const unhealthy = Date.now();
    await eventually(
      "the node replaced and the pod Running elsewhere",
      async () => {
        if ((await virtualNodes(cluster)).some((v) => v.metadata.name === vn.metadata.name)) return undefined;
        const pods = await podsIn(kubectl, "app=web");
        return pods.some((p) => p.status.phase === "Running" && p.spec.nodeName !== sick) ? true : undefined;
      },
      150_000,
    );
    t.log(
      `kubelet silenced; Ready not True after ${Math.round((unhealthy - silenced) / 1000)}s (node-monitor grace ` +
        `period), node replaced and the pod running elsewhere ${Math.round((Date.now() - unhealthy) / 1000)}s later ` +
        `(repair window 20s)`,
    );
  },
);
