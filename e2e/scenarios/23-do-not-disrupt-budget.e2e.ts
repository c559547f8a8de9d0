// Two guarantees of the drain: (1) a pod annotated rafter.dev/do-not-disrupt keeps its node, once that
// node is deleted, until the NodePool's terminationGracePeriod (40s here) has run out, and then the node
// goes; (2) a disruption budget of nodes: "1" means a scale-in never has more than one node draining
// at a time (Nodes tainted rafter.dev/disrupted watched throughout).
import assert from "node:assert/strict";
import type { KubeObject } from "../cluster/kubectl.js";
import { scenario } from "../harness/scenario.js";
import { cleanupCapacity, deployment, podsIn, virtualNodes } from "../harness/provisioning.js";
import { generalNodePool, nodeClass, sleep, watchDisruptedStream } from "../harness/lifecycle.js";

const graceSeconds = 40;

const guard: KubeObject = {
  apiVersion: "v1",
  kind: "Pod",
  metadata: { name: "guard", labels: { app: "guard" }, annotations: { "rafter.dev/do-not-disrupt": "true" } },
  spec: {
    terminationGracePeriodSeconds: 0,
    containers: [
      {
        name: "main",
        image: "registry.k8s.io/pause:3.10",
        resources: { requests: { cpu: "500m", memory: "512Mi" } },
      },
    ],
  },
};

scenario(
  "do-not-disrupt holds a node until terminationGracePeriod; a budget of 1 node drains one at a time",
  { needsRafter: true, timeoutMs: 480_000 },
  async (t) => {
    const { cluster, kubectl, eventually, defer, repoRoot } = t;
    await cluster.kubectl.apply([
      ...nodeClass(repoRoot),
      generalNodePool(repoRoot, {
        terminationGracePeriod: `${graceSeconds}s`,
        disruption: {
          consolidationPolicy: "WhenEmptyOrUnderutilized",
          consolidateAfter: "5s",
          budgets: [{ nodes: "1" }],
        },
      }),
    ]);
    defer(() => cleanupCapacity(cluster, t.namespace));

    // (1) do-not-disrupt until terminationGracePeriod.
    await kubectl.apply(guard);
    const guardNode = await eventually(
      "guard Running",
      async () => {
        const p = (await podsIn(kubectl, "app=guard"))[0];
        return p?.status.phase === "Running" ? p.spec.nodeName : undefined;
      },
      180_000,
    );
    const vn = (await virtualNodes(cluster)).find((v) => v.status?.nodeName === guardNode);
    assert.ok(vn, `a VirtualNode owns ${guardNode}`);
    const deleted = Date.now();
    await cluster.kubectl.run(["delete", "virtualnode", vn.metadata.name, "--wait=false"]);
    await sleep((graceSeconds - 8) * 1000);
    const stillThere = await cluster.kubectl.find("node", guardNode);
    const guardPod = (await podsIn(kubectl, "app=guard"))[0];
    assert.ok(stillThere, `${guardNode} still exists ${graceSeconds - 8}s after its deletion`);
    assert.ok(guardPod, "the do-not-disrupt pod still exists");
    assert.equal(guardPod.spec.nodeName, guardNode, "the do-not-disrupt pod is still on its node");
    assert.equal(guardPod.status.phase, "Running", "the do-not-disrupt pod is still Running");
    await eventually(
      `${guardNode} gone after the grace period`,
      async () => (await cluster.kubectl.find("node", guardNode)) === undefined,
      120_000,
    );
    const heldFor = Math.round((Date.now() - deleted) / 1000);
    assert.ok(heldFor >= graceSeconds - 2, `node held ${heldFor}s, grace ${graceSeconds}s`);
    t.log(`do-not-disrupt node ${guardNode} held ${heldFor}s (terminationGracePeriod ${graceSeconds}s)`);

    // (2) budget nodes: "1" during a scale-in: one pod per node, then scale 5 → 1.
    await kubectl.apply(
      deployment(
        "spread",
        5,
        { cpu: "1", memory: "1Gi" },
        {
          affinity: {
            podAntiAffinity: {
              requiredDuringSchedulingIgnoredDuringExecution: [
                { topologyKey: "kubernetes.io/hostname", labelSelector: { matchLabels: { app: "spread" } } },
              ],
            },
          },
        },
      ),
    );
    await eventually(
      "5 spread pods Running on 5 nodes",
      async () => {
        const running = (await podsIn(kubectl, "app=spread")).filter((p) => p.status.phase === "Running");
        return running.length === 5 && new Set(running.map((p) => p.spec.nodeName)).size === 5;
      },
      180_000,
    );
    const watch = await watchDisruptedStream(cluster);
    const scaled = Date.now();
    await kubectl.run(["scale", "deployment/spread", "--replicas=1"]);
    await eventually(
      "down to one node, none draining",
      async () => {
        const vns = await virtualNodes(cluster);
        if (vns.length !== 1) return undefined;
        const nodes = await cluster.kubectl.getJson<{ items: { spec?: { taints?: { key: string }[] } }[] }>(
          "nodes",
          undefined,
          ["-l=rafter.dev/nodepool"],
        );
        return (
          nodes.items.length === 1 &&
          !nodes.items.some((n) => (n.spec?.taints ?? []).some((x) => x.key === "rafter.dev/disrupted"))
        );
      },
      300_000,
    );
    const seen = await watch.stop();
    const running = (await podsIn(kubectl, "app=spread")).filter((p) => p.status.phase === "Running");
    t.log(
      `scale-in 5 → 1 in ${Math.round((Date.now() - scaled) / 1000)}s: ${seen.seen.size} node(s) drained, ` +
        `at most ${seen.maxAtOnce} at once over ${seen.samples} watch events`,
    );
    assert.equal(running.length, 1, "the remaining spread pod is Running");
    assert.ok(seen.seen.size >= 4, `at least 4 nodes drained (saw ${seen.seen.size})`);
    assert.ok(seen.maxAtOnce <= 1, `never more than one node draining at once (saw ${seen.maxAtOnce})`);
  },
);
