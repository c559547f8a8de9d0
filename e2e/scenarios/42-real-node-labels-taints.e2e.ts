// Labels and taints survive adoption. The kubelet adopting a Node that exists does not apply its
// --node-labels or registerWithTaints to it, and would refuse to start with a label it may not set
// (node-restriction.kubernetes.io/…): everything must already be on the Node rafter created. A pod
// selecting a rafter.dev/* label passes the kubelet's own admission (which checks node selectors
// against the Node as the kubelet sees it), the NodePool's taint and startup taint are on the Node,
// and once the test removes the startup taint (as a node daemon would) the VirtualNode becomes Ready.
import assert from "node:assert/strict";
import { scenario } from "../harness/scenario.js";
import { virtualNodes } from "../harness/provisioning.js";
import {
  appDeployment,
  podReady,
  realNodePool,
  startRealNodes,
  type PodStatusJson,
} from "../harness/real-nodes.js";

const TAINT = { key: "dedicated", value: "real", effect: "NoSchedule" };
const STARTUP_TAINT = { key: "rafter.dev/agent-not-ready", value: "true", effect: "NoSchedule" };
const LABELS = {
  team: "payments",
  // a label the kubelet may not set on its own Node: only rafter can put it there
  "node-restriction.kubernetes.io/tier": "gold",
};

scenario(
  "NodePool labels, taints and startup taints survive the real kubelet's adoption",
  { needsRafter: true, timeoutMs: 150_000 },
  async (t) => {
    const { cluster, kubectl, eventually } = t;
    const booted = await startRealNodes(
      t,
      realNodePool("real", { labels: LABELS, taints: [TAINT], startupTaints: [STARTUP_TAINT] }),
    );
    await kubectl.apply(
      appDeployment("picky", 2, {
        nodeSelector: {
          "rafter.dev/capacity-type": "on-demand",
          "node-restriction.kubernetes.io/tier": "gold",
        },
        tolerations: [{ key: TAINT.key, operator: "Equal", value: TAINT.value, effect: TAINT.effect }],
      }),
    );
    const node = await booted.first();

    await eventually(
      "both pods admitted by the kubelet and running",
      async () => {
        const pods = (await kubectl.getJson<{ items: PodStatusJson[] }>("pods", undefined, ["-l=app=picky"]))
          .items;
        const rejected = pods.find((p) => p.status.phase === "Failed");
        if (rejected)
          throw new Error(
            `kubelet rejected ${rejected.metadata.name}: ${rejected.status.reason ?? ""} ${rejected.status.message ?? ""}`,
          );
        return pods.length === 2 && pods.every(podReady);
      },
      60_000,
    );

    const nodeJson = await cluster.kubectl.getJson<{
      metadata: { labels: Record<string, string> };
      spec: { taints?: { key: string; value?: string; effect: string }[] };
      status: { nodeInfo?: { kubeletVersion?: string } };
    }>("node", node.nodeName);
    assert.ok(nodeJson.status.nodeInfo?.kubeletVersion, "the kubelet has adopted the Node");
    for (const [key, value] of Object.entries(LABELS))
      assert.equal(nodeJson.metadata.labels[key], value, `label ${key}`);
    assert.equal(nodeJson.metadata.labels["rafter.dev/nodepool"], "real");
    assert.equal(nodeJson.metadata.labels["kubernetes.io/hostname"], node.nodeName);
    const taintKeys = (nodeJson.spec.taints ?? []).map((taint) => taint.key);
    assert.ok(taintKeys.includes(TAINT.key), `taint ${TAINT.key} on the Node: ${taintKeys.join(",")}`);
    assert.ok(taintKeys.includes(STARTUP_TAINT.key), `startup taint on the Node: ${taintKeys.join(",")}`);
    t.log(`labels and taints on ${node.nodeName} after adoption: taints ${taintKeys.join(", ")}`);

    // the node's agent is ready: it removes the startup taint; rafter then calls the node initialized
    await cluster.kubectl.run(["taint", "node", node.nodeName, `${STARTUP_TAINT.key}-`]);
    await eventually(
      "the VirtualNode Ready",
      async () => (await virtualNodes(cluster))[0]?.status?.phase === "Ready",
      60_000,
    );
  },
);
