// Small builders for planner tests: pods, nodes, NodePools, catalogues and snapshots as plain data.
import type { V1DaemonSet, V1Node, V1Pod, V1PodSpec } from "@kubernetes/client-node";
import type { NodePool, NodePoolSpec } from "../../../src/api/nodepool.js";
import type { Catalog, InstanceType, Offering } from "../../../src/catalog/types.js";
import type { PlanningSnapshot } from "../../../src/planner/types.js";

export interface PodOptions {
  namespace?: string;
  cpu?: string;
  memory?: string;
  labels?: Record<string, string>;
  spec?: Partial<V1PodSpec>;
  extra?: Record<string, string>;
  nodeName?: string;
}

export function pod(name: string, o: PodOptions = {}): V1Pod {
  const requests: Record<string, string> = {
    cpu: o.cpu ?? "100m",
    memory: o.memory ?? "128Mi",
    ...(o.extra ?? {}),
  };
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, namespace: o.namespace ?? "default", labels: o.labels ?? {} },
    spec: {
      containers: [{ name: "app", image: "app", resources: { requests } }],
      ...(o.nodeName ? { nodeName: o.nodeName } : {}),
      ...(o.spec ?? {}),
    },
  };
}

export function nodePool(
  name: string,
  spec: Partial<NodePoolSpec["template"]["spec"]> = {},
  extra: Partial<NodePoolSpec> = {},
  labels?: Record<string, string>,
): NodePool {
  return {
    apiVersion: "rafter.dev/v1",
    kind: "NodePool",
    metadata: { name },
    spec: {
      template: {
        ...(labels ? { metadata: { labels } } : {}),
        spec: { nodeClassRef: { group: "rafter.dev", kind: "EC2NodeClass", name: "default" }, ...spec },
      },
      ...extra,
    },
  };
}

const GiB = 2 ** 30;

/** A type with `cpu` vCPUs, `mem` GiB, priced `price` in every zone, on-demand and spot (spot at 40%). */
export function instanceType(
  name: string,
  cpu: number,
  mem: number,
  price: number,
  o: { zones?: string[]; labels?: Record<string, string>; gpu?: number; pods?: number; spot?: boolean } = {},
): InstanceType {
  const zones = o.zones ?? ["zone-a", "zone-b", "zone-c"];
  const offerings: Offering[] = zones.flatMap((zone) => [
    { zone, capacityType: "on-demand" as const, price, available: true },
    ...(o.spot === false
      ? []
      : [
          {
            zone,
            capacityType: "spot" as const,
            price: Math.round(price * 0.4 * 1e6) / 1e6,
            available: true,
          },
        ]),
  ]);
  const gpu: Record<string, number> = o.gpu ? { "nvidia.com/gpu": o.gpu } : {};
  const family = name.split(".")[0] ?? name;
  return {
    name,
    labels: {
      "kubernetes.io/arch": "amd64",
      "kubernetes.io/os": "linux",
      "rafter.dev/instance-family": family,
      "rafter.dev/instance-cpu": String(cpu),
      ...(o.labels ?? {}),
    },
    capacity: { cpu: cpu * 1000, memory: mem * GiB, pods: o.pods ?? 110, ...gpu },
    allocatable: { cpu: cpu * 1000 - 100, memory: mem * GiB - 256 * 2 ** 20, pods: o.pods ?? 110, ...gpu },
    offerings,
  };
}

export function smallCatalog(): Catalog {
  return {
    region: "test-1",
    instanceTypes: [
      instanceType("c.large", 2, 4, 0.085),
      instanceType("c.xlarge", 4, 8, 0.17),
      instanceType("c.2xlarge", 8, 16, 0.34),
      instanceType("m.large", 2, 8, 0.096),
      instanceType("m.xlarge", 4, 16, 0.192),
      instanceType("m.2xlarge", 8, 32, 0.384),
      instanceType("r.large", 2, 16, 0.126),
      instanceType("r.xlarge", 4, 32, 0.252),
      instanceType("r.2xlarge", 8, 64, 0.504),
      instanceType("g.xlarge", 4, 16, 0.526, { gpu: 1 }),
      instanceType("a.large", 2, 8, 0.077, { labels: { "kubernetes.io/arch": "arm64" } }),
    ],
  };
}

export function node(
  name: string,
  o: {
    cpu?: number;
    mem?: number;
    labels?: Record<string, string>;
    taints?: V1Node["spec"] extends infer S ? (S extends { taints?: infer T } ? T : never) : never;
    unschedulable?: boolean;
  } = {},
): V1Node {
  const alloc = { cpu: String(o.cpu ?? 4), memory: `${o.mem ?? 16}Gi`, pods: "110" };
  return {
    apiVersion: "v1",
    kind: "Node",
    metadata: {
      name,
      labels: {
        "kubernetes.io/hostname": name,
        "topology.kubernetes.io/zone": "zone-a",
        "kubernetes.io/arch": "amd64",
        ...(o.labels ?? {}),
      },
    },
    spec: { ...(o.taints ? { taints: o.taints } : {}), ...(o.unschedulable ? { unschedulable: true } : {}) },
    status: { allocatable: alloc, capacity: alloc },
  };
}

export function daemonSet(
  name: string,
  cpu: string,
  memory: string,
  spec: Partial<V1PodSpec> = {},
): V1DaemonSet {
  return {
    apiVersion: "apps/v1",
    kind: "DaemonSet",
    metadata: { name, namespace: "kube-system" },
    spec: {
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [{ name, image: name, resources: { requests: { cpu, memory } } }], ...spec },
      },
    },
  };
}

export function snapshot(s: Partial<PlanningSnapshot>): PlanningSnapshot {
  return {
    pendingPods: [],
    nodes: [],
    inFlight: [],
    nodePools: [nodePool("default")],
    catalog: smallCatalog(),
    daemonSets: [],
    persistentVolumeClaims: [],
    persistentVolumes: [],
    storageClasses: [],
    unavailableOfferings: new Set(),
    ...s,
  };
}
