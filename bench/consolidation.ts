// `node --import tsx bench/consolidation.ts`: time of one consolidation decision (pure, the planner
// as simulator) on 500 nodes carrying 5 000 pods, the size issue 7 sets (goal < 5 s; Karpenter allows
// 1 min multi-node, 3 min single-node). Utilisation is uneven so that both multi-node and single-node
// passes have work. Human-readable lines, then one JSON document as the last line.
import type { V1Node, V1Pod } from "@kubernetes/client-node";
import { loadEmbeddedCatalog } from "../src/catalog/embedded.js";
import { formatResourceList } from "../src/domain/resources.js";
import {
  decideConsolidation,
  type ConsolidationCandidate,
} from "../src/controllers/lifecycle/consolidation.js";
import { plan } from "../src/planner/index.js";
import { bareNodePool, emptySnapshot, rng } from "./lib/planner-workloads.js";

const nodeCount = Number(process.env.BENCH_NODES ?? 500);
const podCount = Number(process.env.BENCH_PODS ?? 5000);
const catalog = loadEmbeddedCatalog();
const pool = bareNodePool("default", {
  requirements: [
    { key: "rafter.dev/capacity-type", operator: "In", values: ["on-demand"] },
    { key: "rafter.dev/instance-category", operator: "In", values: ["c", "m", "r"] },
    { key: "rafter.dev/instance-generation", operator: "Gt", values: ["4"] },
  ],
});
const types = ["m5.xlarge", "m5.2xlarge", "c5.2xlarge", "r5.xlarge"].map((name) => {
  const type = catalog.instanceTypes.find((t) => t.name === name);
  if (!type) throw new Error(`${name} missing from the catalogue`);
  return type;
});
const random = rng(11);
const zones = ["us-east-1a", "us-east-1b", "us-east-1c"];

const nodes: { node: V1Node; pods: V1Pod[] }[] = [];
const candidates: ConsolidationCandidate[] = [];
for (let i = 0; i < nodeCount; i++) {
  const type = types[i % types.length]!;
  const zone = zones[i % zones.length]!;
  const name = `node-${i}`;
  const offering =
    type.offerings.find((o) => o.zone === zone && o.capacityType === "on-demand") ?? type.offerings[0]!;
  nodes.push({
    node: {
      metadata: {
        name,
        labels: {
          ...type.labels,
          "kubernetes.io/hostname": name,
          "topology.kubernetes.io/zone": zone,
          "rafter.dev/capacity-type": "on-demand",
          "rafter.dev/nodepool": "default",
        },
      },
      status: {
        allocatable: formatResourceList(type.allocatable),
        capacity: formatResourceList(type.capacity),
      },
    },
    pods: [],
  });
  candidates.push({
    nodeName: name,
    nodePool: "default",
    price: offering.price,
    capacityType: "on-demand",
    pods: [],
    minSavings: 0.1,
  });
}
// Pods spread unevenly: a fifth of the nodes get few pods (consolidation targets).
for (let p = 0; p < podCount; p++) {
  const light = random() < 0.1;
  const index = light
    ? Math.floor(random() * nodeCount * 0.2)
    : Math.floor(nodeCount * 0.2 + random() * nodeCount * 0.8);
  const entry = nodes[index]!;
  const pod: V1Pod = {
    metadata: { name: `pod-${p}`, namespace: "default", uid: `uid-${p}`, labels: { app: `svc-${p % 50}` } },
    spec: {
      nodeName: entry.node.metadata?.name ?? "",
      containers: [{ name: "app", image: "app", resources: { requests: { cpu: "100m", memory: "256Mi" } } }],
    },
    status: { phase: "Running" },
  };
  entry.pods.push(pod);
}
const withPods = candidates.map((c, i) => ({ ...c, pods: nodes[i]!.pods }));
const snapshot = emptySnapshot(catalog, [pool], [], { nodes, inFlight: [] });

const started = performance.now();
const result = decideConsolidation({
  snapshot,
  candidates: withPods,
  allowed: new Map([["default", nodeCount]]),
  plan,
});
const ms = performance.now() - started;
const command = result.command;
const figures = {
  nodes: nodeCount,
  pods: podCount,
  ms: Math.round(ms),
  simulations: result.simulations,
  msPerSimulation: Number((ms / Math.max(1, result.simulations)).toFixed(1)),
  decision: command.kind,
  nodesRemoved: command.kind === "none" ? 0 : command.nodes.length,
  replacement: command.kind === "replace" ? (command.replacement?.instanceTypes[0] ?? null) : null,
  hourlySavings: command.kind === "none" ? 0 : Number(command.savings.toFixed(4)),
  goalMs: 5000,
  peakRssMiB: Math.round(process.memoryUsage().rss / 2 ** 20),
};
process.stdout.write(
  `consolidation decision: ${figures.ms} ms, ${figures.simulations} simulations, ${figures.decision} ${figures.nodesRemoved} node(s)\n`,
);
process.stdout.write(`${JSON.stringify(figures)}\n`);
