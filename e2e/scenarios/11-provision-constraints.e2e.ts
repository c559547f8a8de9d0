// Scheduling constraints survive the whole path on the real control plane: zone topology spread over
// three zones, hostname anti-affinity (one pod per node), nodeSelectors on architecture and capacity
// type (the spot pool, whose taint the pods tolerate), and a GPU pod landing on a GPU instance type of
// the tainted GPU pool.
import assert from "node:assert/strict";
import type { KubeObject } from "../cluster/kubectl.js";
import { scenario, type ScenarioContext } from "../harness/scenario.js";
import {
  applyNodePools,
  cleanupCapacity,
  deployment,
  podsIn,
  virtualNodes,
} from "../harness/provisioning.js";

interface NodeJson {
  metadata: { name: string; labels: Record<string, string> };
}

async function nodeLabels(t: ScenarioContext): Promise<Map<string, Record<string, string>>> {
  const nodes = await t.cluster.kubectl.getJson<{ items: NodeJson[] }>("nodes");
  return new Map(nodes.items.map((n) => [n.metadata.name, n.metadata.labels]));
}

async function allRunning(t: ScenarioContext, app: string, count: number) {
  return t.eventually(
    `${count} ${app} pods running`,
    async () => {
      const pods = await podsIn(t.kubectl, `app=${app}`);
      const running = pods.filter((p) => p.spec.nodeName !== undefined && p.status.phase === "Running");
      return running.length === count ? running : undefined;
    },
    150_000,
  );
}

/**
 * The GPU request goes on the container as a limit (extended resources are requested by limits), in
 * the Deployment as created: patching it afterwards left a GPU-less first pod that could already run.
 */
function withGpuLimit(object: KubeObject): KubeObject {
  const copy = structuredClone(object) as KubeObject & {
    spec: { template: { spec: { containers: { resources: { limits?: Record<string, string> } }[] } } };
  };
  for (const container of copy.spec.template.spec.containers)
    container.resources.limits = { ...container.resources.limits, "nvidia.com/gpu": "1" };
  return copy;
}

scenario(
  "zone spread, anti-affinity, selectors, spot and GPU pools",
  { needsRafter: true, timeoutMs: 300_000 },
  async (t) => {
    const { cluster, kubectl, repoRoot, defer } = t;
    await applyNodePools(cluster, repoRoot, [
      "nodepool-general.yaml",
      "nodepool-spot.yaml",
      "nodepool-gpu.yaml",
    ]);
    defer(() => cleanupCapacity(cluster, t.namespace));
    const spreadLabels = { app: "spread" };
    await kubectl.apply([
      deployment(
        "spread",
        6,
        { cpu: "500m", memory: "512Mi" },
        {
          topologySpreadConstraints: [
            {
              maxSkew: 1,
              topologyKey: "topology.kubernetes.io/zone",
              whenUnsatisfiable: "DoNotSchedule",
              labelSelector: { matchLabels: spreadLabels },
              minDomains: 3,
            },
          ],
          nodeSelector: { "kubernetes.io/arch": "amd64" },
        },
      ),
      deployment(
        "solo",
        3,
        { cpu: "250m", memory: "256Mi" },
        {
          affinity: {
            podAntiAffinity: {
              requiredDuringSchedulingIgnoredDuringExecution: [
                { topologyKey: "kubernetes.io/hostname", labelSelector: { matchLabels: { app: "solo" } } },
              ],
            },
          },
        },
      ),
      deployment(
        "batch",
        4,
        { cpu: "1", memory: "1Gi" },
        {
          nodeSelector: { "rafter.dev/capacity-type": "spot" },
          tolerations: [{ key: "workload-class", operator: "Equal", value: "batch", effect: "NoSchedule" }],
        },
      ),
      withGpuLimit(
        deployment(
          "trainer",
          1,
          { cpu: "2", memory: "8Gi" },
          {
            tolerations: [{ key: "nvidia.com/gpu", operator: "Exists", effect: "NoSchedule" }],
          },
        ),
      ),
    ]);

    const spread = await allRunning(t, "spread", 6);
    const solo = await allRunning(t, "solo", 3);
    const batch = await allRunning(t, "batch", 4);
    const trainer = await allRunning(t, "trainer", 1);
    const labels = await nodeLabels(t);
    const label = (node: string | undefined, key: string) => labels.get(node ?? "")?.[key];

    const perZone = new Map<string, number>();
    for (const pod of spread) {
      const zone = label(pod.spec.nodeName, "topology.kubernetes.io/zone") ?? "?";
      perZone.set(zone, (perZone.get(zone) ?? 0) + 1);
      assert.equal(label(pod.spec.nodeName, "kubernetes.io/arch"), "amd64");
    }
    t.log(`spread pods per zone: ${JSON.stringify(Object.fromEntries(perZone))}`);
    assert.ok(perZone.size >= 3, "spread over at least three zones");
    assert.ok(Math.max(...perZone.values()) - Math.min(...perZone.values()) <= 1, "maxSkew 1 holds");

    assert.equal(new Set(solo.map((p) => p.spec.nodeName)).size, 3, "one solo pod per node");
    for (const pod of batch) {
      assert.equal(label(pod.spec.nodeName, "rafter.dev/capacity-type"), "spot");
      assert.equal(label(pod.spec.nodeName, "rafter.dev/nodepool"), "spot");
    }
    const gpuNode = trainer[0]?.spec.nodeName;
    assert.equal(label(gpuNode, "rafter.dev/nodepool"), "gpu");
    assert.ok(Number(label(gpuNode, "rafter.dev/instance-gpu-count") ?? "0") >= 1, "a GPU instance type");
    const vns = await virtualNodes(cluster);
    t.log(
      `${vns.length} VirtualNodes: ${vns.map((v) => `${v.spec.nodePool}/${v.status?.instanceType ?? "?"}`).join(", ")}`,
    );
  },
);
