// Workloads written for Karpenter under rafter: (1) Karpenter's published spot NodePool, converted by
// `rafter migrate`'s core, gives pods that select karpenter.sh/capacity-type: spot and
// karpenter.k8s.aws/instance-family spot capacity of that family, and kube-scheduler (through the
// extender) and the kwok kubelets admit them: the Nodes carry Karpenter's spellings, and none of the
// labels Karpenter recognises its own nodes by. (2) A node whose pod carries karpenter.sh/do-not-disrupt
// is not consolidated; once the annotation is removed, the same node is.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { KubeObject } from "../cluster/kubectl.js";
import { readDocuments } from "../../src/cli/migrate.js";
import { karpenterOwnedNodeLabels } from "../../src/api/karpenter-labels.js";
import { migrateDocuments } from "../../src/migrate/index.js";
import { kwokManaged } from "../harness/examples.js";
import { generalNodePool, nodeClass, podsRunning, sleep } from "../harness/lifecycle.js";
import { cleanupCapacity, deployment, podsIn, virtualNodes } from "../harness/provisioning.js";
import { scenario } from "../harness/scenario.js";

/** Karpenter's spot example as rafter migrate converts it (its EC2NodeClass is replaced by the harness'). */
function convertedSpotPool(repoRoot: string): KubeObject {
  const path = join(repoRoot, "test/fixtures/karpenter/v1/spot.yaml");
  const result = migrateDocuments(readDocuments(path, readFileSync(path, "utf8")));
  assert.ok(result.ok, result.ok ? "" : result.problem);
  assert.deepEqual(result.findings, [], "Karpenter's spot example converts without loss");
  const pool = result.objects.find((o) => (o as KubeObject).kind === "NodePool") as KubeObject | undefined;
  assert.ok(pool);
  return kwokManaged(pool);
}

scenario(
  "pods selecting karpenter.sh/capacity-type: spot and karpenter.k8s.aws/instance-family get that capacity",
  { needsRafter: true, timeoutMs: 420_000 },
  async (t) => {
    const { cluster, kubectl, repoRoot, defer } = t;
    await cluster.kubectl.apply([...nodeClass(repoRoot), convertedSpotPool(repoRoot)]);
    defer(() => cleanupCapacity(cluster, t.namespace));
    const family = "m5";
    await kubectl.apply(
      deployment(
        "karpenter-spot",
        3,
        { cpu: "1", memory: "1Gi" },
        {
          nodeSelector: { "karpenter.sh/capacity-type": "spot" },
          affinity: {
            nodeAffinity: {
              requiredDuringSchedulingIgnoredDuringExecution: {
                nodeSelectorTerms: [
                  {
                    matchExpressions: [
                      { key: "karpenter.k8s.aws/instance-family", operator: "In", values: [family] },
                    ],
                  },
                ],
              },
            },
          },
        },
      ),
    );
    const pods = await podsRunning(t, "karpenter-spot", 3);
    const nodes = new Set(pods.map((p) => p.spec.nodeName ?? ""));
    for (const name of nodes) {
      const node = await cluster.kubectl.getJson<{ metadata: { labels: Record<string, string> } }>(
        "node",
        name,
      );
      const labels = node.metadata.labels;
      t.log(
        `${name}: ${labels["node.kubernetes.io/instance-type"] ?? "?"} ${labels["karpenter.sh/capacity-type"] ?? "?"}`,
      );
      assert.equal(labels["karpenter.sh/capacity-type"], "spot");
      assert.equal(labels["rafter.dev/capacity-type"], "spot");
      assert.equal(labels["karpenter.k8s.aws/instance-family"], family);
      assert.equal(labels["rafter.dev/nodepool"], "spot");
      for (const owned of karpenterOwnedNodeLabels) assert.equal(labels[owned], undefined, owned);
    }
    const vns = await virtualNodes(cluster);
    assert.ok(vns.every((v) => v.spec.nodePool === "spot"));
  },
);

scenario(
  "a node with a karpenter.sh/do-not-disrupt pod is not consolidated until the annotation goes",
  { needsRafter: true, timeoutMs: 480_000 },
  async (t) => {
    const { cluster, kubectl, repoRoot, defer, log } = t;
    await cluster.kubectl.apply([
      ...nodeClass(repoRoot),
      generalNodePool(repoRoot, {
        disruption: {
          consolidationPolicy: "WhenEmptyOrUnderutilized",
          consolidateAfter: "5s",
          budgets: [{ nodes: "100%" }],
        },
      }),
    ]);
    defer(() => cleanupCapacity(cluster, t.namespace));
    // A filler takes most of a node and the guard prefers its node (both pending in one batch, so
    // they are planned onto one instance); once the filler is gone the node is far too big for the
    // guard alone: a consolidation target, and the guard's preference no longer binds it anywhere.
    const guard = deployment(
      "guard",
      1,
      { cpu: "250m", memory: "256Mi" },
      {
        affinity: {
          podAffinity: {
            preferredDuringSchedulingIgnoredDuringExecution: [
              {
                weight: 100,
                podAffinityTerm: {
                  topologyKey: "kubernetes.io/hostname",
                  labelSelector: { matchLabels: { app: "filler" } },
                },
              },
            ],
          },
        },
      },
    ) as KubeObject & { spec: { template: { metadata: { annotations?: Record<string, string> } } } };
    guard.spec.template.metadata.annotations = { "karpenter.sh/do-not-disrupt": "true" };
    await kubectl.apply([deployment("filler", 1, { cpu: "3", memory: "2Gi" }), guard]);
    const fillerNode = (await podsRunning(t, "filler", 1))[0]?.spec.nodeName;
    const guardPod = (await podsRunning(t, "guard", 1))[0];
    assert.ok(fillerNode && guardPod);
    assert.equal(guardPod.spec.nodeName, fillerNode, "the guard was planned beside the filler");
    await kubectl.run(["delete", "deployment", "filler", "--wait=true"]);
    await kubectl.run(["delete", "replicaset", "-l", "app=filler", "--wait=true"], { allowFailure: true });

    await sleep(45_000);
    const node = await cluster.kubectl.find<{ spec?: { taints?: { key: string }[] } }>("node", fillerNode);
    assert.ok(node, `${fillerNode} is kept while its pod has karpenter.sh/do-not-disrupt`);
    assert.ok(
      !node.spec?.taints?.some((x) => x.key === "rafter.dev/disrupted"),
      "never tainted for disruption",
    );
    assert.equal((await podsIn(kubectl, "app=guard"))[0]?.metadata.name, guardPod.metadata.name);
    log(`${fillerNode} kept 45 s under-utilized with a karpenter.sh/do-not-disrupt pod`);

    // The control: without the annotation the same node is consolidated (the test can fail).
    await kubectl.run(["annotate", "pod", guardPod.metadata.name, "karpenter.sh/do-not-disrupt-"]);
    const started = Date.now();
    await t.eventually(
      `${fillerNode} consolidated once the annotation is gone`,
      async () => {
        const vn = (await virtualNodes(cluster)).find((v) => v.status?.nodeName === fillerNode);
        const deleting = (vn?.metadata as { deletionTimestamp?: string } | undefined)?.deletionTimestamp;
        return vn === undefined || deleting !== undefined;
      },
      180_000,
    );
    log(
      `${fillerNode} consolidated ${Math.round((Date.now() - started) / 1000)} s after the annotation was removed`,
    );
  },
);
