// Pods written for Karpenter keep working under rafter: its well-known keys (nodeSelector, node
// affinity, topology keys) are read as the rafter.dev/ keys they alias; nodes Karpenter launched
// (Karpenter spellings only) answer for rafter's keys; the Node objects rafter creates carry both
// spellings and never the labels Karpenter uses to recognise its own nodes.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { V1Pod } from "@kubernetes/client-node";
import {
  canonicalLabelKey,
  karpenterOwnedNodeLabels,
  withKarpenterAliases,
} from "../../src/api/karpenter-labels.js";
import type { VirtualNode } from "../../src/api/virtualnode.js";
import { loadEmbeddedCatalog } from "../../src/catalog/embedded.js";
import { buildNodeObject } from "../../src/controllers/node-object.js";
import { plan } from "../../src/planner/planner.js";
import type { Plan } from "../../src/planner/types.js";
import { instanceType, node, nodePool, pod, snapshot } from "./support/builders.js";

const catalog = {
  region: "test-1",
  instanceTypes: [
    instanceType("m5.xlarge", 4, 16, 0.192),
    instanceType("c6i.xlarge", 4, 8, 0.17),
    instanceType("m7i.xlarge", 4, 16, 0.2016),
  ],
};

const placedOn = (p: Plan, key: string): string | undefined =>
  p.placements.find((x) => x.pod === key)?.node ?? p.newNodes.find((n) => n.pods.includes(key))?.name;

describe("Karpenter's well-known labels", () => {
  it("a pod selecting karpenter.sh/capacity-type and karpenter.k8s.aws/instance-family gets spot of that family", () => {
    const selecting: V1Pod["spec"] = {
      containers: [{ name: "c", resources: { requests: { cpu: "1" } } }],
      nodeSelector: { "karpenter.sh/capacity-type": "spot" },
      affinity: {
        nodeAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: {
            nodeSelectorTerms: [
              {
                matchExpressions: [
                  { key: "karpenter.k8s.aws/instance-family", operator: "In", values: ["m7i"] },
                ],
              },
            ],
          },
        },
      },
    };
    const p = plan(snapshot({ catalog, pendingPods: [pod("a", { spec: selecting })] }));
    assert.deepEqual(p.unschedulable, []);
    const launched = p.newNodes[0];
    assert.deepEqual(launched?.capacityTypes, ["spot"]);
    assert.deepEqual(launched.instanceTypes, ["m7i.xlarge"]);
  });

  it("spreads over karpenter.sh/capacity-type as over rafter.dev/capacity-type", () => {
    const spread = (key: string): V1Pod["spec"] => ({
      containers: [{ name: "c", resources: { requests: { cpu: "3" } } }],
      topologySpreadConstraints: [
        {
          maxSkew: 1,
          topologyKey: key,
          whenUnsatisfiable: "DoNotSchedule",
          labelSelector: { matchLabels: { app: "s" } },
        },
      ],
    });
    const capacityTypes = (key: string): string[] =>
      plan(
        snapshot({
          catalog,
          pendingPods: [0, 1].map((i) => pod(`s-${i}`, { labels: { app: "s" }, spec: spread(key) })),
        }),
      )
        .newNodes.flatMap((n) => n.capacityTypes)
        .sort();
    assert.deepEqual(capacityTypes("rafter.dev/capacity-type"), ["on-demand", "spot"]);
    assert.deepEqual(capacityTypes("karpenter.sh/capacity-type"), ["on-demand", "spot"]);
  });

  it("a node Karpenter launched answers for rafter's keys, so pods selecting either spelling fit on it", () => {
    const karpenterNode = node("ip-10-0-0-1", {
      labels: { "karpenter.sh/capacity-type": "spot", "karpenter.k8s.aws/instance-family": "m5" },
    });
    const pods = [
      pod("by-rafter-key", {
        spec: { containers: [], nodeSelector: { "rafter.dev/capacity-type": "spot" } },
      }),
      pod("by-karpenter-key", {
        spec: { containers: [], nodeSelector: { "karpenter.k8s.aws/instance-family": "m5" } },
      }),
    ];
    const p = plan(snapshot({ catalog, nodes: [{ node: karpenterNode, pods: [] }], pendingPods: pods }));
    assert.equal(placedOn(p, "default/by-rafter-key"), "ip-10-0-0-1");
    assert.equal(placedOn(p, "default/by-karpenter-key"), "ip-10-0-0-1");
    assert.equal(p.newNodes.length, 0);
  });

  it("rafter's Node objects carry both spellings and none of Karpenter's ownership labels", () => {
    const embedded = loadEmbeddedCatalog();
    const type = embedded.instanceTypes.find((t) => t.name === "g5.xlarge");
    assert.ok(type);
    const pool = nodePool("gpu", {}, {}, { "karpenter.sh/nodepool": "sneaky", team: "ml" });
    const virtualNode = {
      apiVersion: "rafter.dev/v1",
      kind: "VirtualNode",
      metadata: { name: "vn-1" },
      spec: { nodePool: "gpu", requirements: [], instanceTypes: ["g5.xlarge"], pods: [] },
    } as unknown as VirtualNode;
    const launched = {
      instanceId: "i-1",
      providerId: "aws:///us-east-1a/i-1",
      instanceType: "g5.xlarge",
      zone: "us-east-1a",
      capacityType: "spot" as const,
      nodeName: "ip-10-0-0-2.ec2.internal",
    };
    const labels = buildNodeObject(virtualNode, launched, pool, type, "us-east-1").metadata?.labels ?? {};
    assert.equal(labels["karpenter.sh/capacity-type"], "spot");
    assert.equal(labels["rafter.dev/capacity-type"], "spot");
    for (const attribute of [
      "family",
      "category",
      "generation",
      "size",
      "cpu",
      "memory",
      "gpu-name",
      "gpu-count",
    ])
      assert.equal(
        labels[`karpenter.k8s.aws/instance-${attribute}`],
        labels[`rafter.dev/instance-${attribute}`],
        attribute,
      );
    assert.equal(labels["karpenter.k8s.aws/instance-family"], "g5");
    assert.equal(labels["karpenter.k8s.aws/instance-gpu-name"], "a10g");
    assert.equal(labels.team, "ml");
    for (const owned of karpenterOwnedNodeLabels) assert.equal(labels[owned], undefined, owned);
  });

  it("maps only Karpenter's well-known keys", () => {
    assert.equal(canonicalLabelKey("karpenter.k8s.aws/instance-gpu-count"), "rafter.dev/instance-gpu-count");
    assert.equal(canonicalLabelKey("karpenter.sh/nodepool"), "karpenter.sh/nodepool");
    assert.equal(canonicalLabelKey("kubernetes.io/arch"), "kubernetes.io/arch");
    assert.deepEqual(withKarpenterAliases({ "karpenter.k8s.aws/ec2nodeclass": "x", a: "b" }), { a: "b" });
  });
});
