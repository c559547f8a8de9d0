// Builds a PlanningSnapshot from Kubernetes objects as `kubectl get -o yaml` prints them (Lists
// flattened). Pure: the CLI reads the files, this decides what each object means. Pods with
// spec.nodeName are bound; pods reserved by a VirtualNode belong to it; the rest are pending.
import type {
  V1DaemonSet,
  V1Namespace,
  V1Node,
  V1PersistentVolume,
  V1PersistentVolumeClaim,
  V1Pod,
  V1StorageClass,
} from "@kubernetes/client-node";
import { disruptedTaintKey } from "../api/labels.js";
import type { NodePool } from "../api/nodepool.js";
import type { VirtualNode } from "../api/virtualnode.js";
import type { Catalog, InstanceType, Offering } from "../catalog/types.js";
import { kubeReservedCpuMillis, kubeReservedMemoryBytes } from "../catalog/allocatable.js";
import { parseResourceList, type Resources } from "../domain/resources.js";
import type { InFlightNode, PlanningSnapshot, SnapshotNode } from "./types.js";
import { namespacedName, podKey } from "../domain/pod-key.js";

export class SnapshotInputError extends Error {}

interface KubeObjectLike {
  readonly apiVersion?: string;
  readonly kind?: string;
  readonly metadata?: { readonly name?: string; readonly namespace?: string };
  readonly items?: readonly unknown[];
}

function isObject(value: unknown): value is KubeObjectLike {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Flattens Lists and drops empty YAML documents. */
export function flattenObjects(docs: readonly unknown[]): KubeObjectLike[] {
  const out: KubeObjectLike[] = [];
  for (const doc of docs) {
    if (doc === null || doc === undefined) continue;
    if (!isObject(doc))
      throw new SnapshotInputError(`expected a Kubernetes object, got ${JSON.stringify(doc).slice(0, 60)}`);
    if (doc.kind === "List" || (doc.kind?.endsWith("List") && Array.isArray(doc.items)))
      out.push(...flattenObjects(doc.items ?? []));
    else out.push(doc);
  }
  return out;
}

const supported = new Set([
  "Pod",
  "Node",
  "NodePool",
  "EC2NodeClass",
  "DaemonSet",
  "PersistentVolumeClaim",
  "PersistentVolume",
  "StorageClass",
  "VirtualNode",
  "Namespace",
]);

export function snapshotFromObjects(
  docs: readonly unknown[],
  catalog: Catalog,
  unavailableOfferings: ReadonlySet<string> = new Set(),
): PlanningSnapshot {
  const objects = flattenObjects(docs);
  const byKind = new Map<string, KubeObjectLike[]>();
  for (const o of objects) {
    if (!o.kind || !supported.has(o.kind))
      throw new SnapshotInputError(
        `unsupported object kind "${o.kind ?? "(none)"}" (${o.metadata?.name ?? "unnamed"})`,
      );
    let list = byKind.get(o.kind);
    if (!list) byKind.set(o.kind, (list = []));
    list.push(o);
  }
  const of = <T>(kind: string): T[] => (byKind.get(kind) ?? []) as T[];
  const pods = of<V1Pod>("Pod");
  const nodes = of<V1Node>("Node");
  const virtualNodes = of<VirtualNode>("VirtualNode");
  const podsByKey = new Map(pods.map((p) => [podKey(p), p]));

  const reserved = new Set<string>();
  const inFlight: InFlightNode[] = virtualNodes.map((vn) => {
    const held: V1Pod[] = [];
    for (const ref of vn.spec.pods) {
      const key = namespacedName(ref.namespace, ref.name);
      const p = podsByKey.get(key);
      if (p && !p.spec?.nodeName) {
        held.push(p);
        reserved.add(key);
      }
    }
    return {
      name: vn.metadata.name ?? "",
      nodePool: vn.spec.nodePool,
      requirements: vn.spec.requirements,
      instanceTypes: vn.status?.instanceType ? [vn.status.instanceType] : vn.spec.instanceTypes,
      pods: held,
      ...(vn.status?.instanceType ? { instanceType: vn.status.instanceType } : {}),
      ...(vn.status?.zone ? { zone: vn.status.zone } : {}),
      ...(vn.status?.capacityType ? { capacityType: vn.status.capacityType } : {}),
    };
  });

  const nodeNames = new Set(nodes.map((n) => n.metadata?.name ?? ""));
  const boundTo = new Map<string, V1Pod[]>();
  const pending: V1Pod[] = [];
  for (const p of pods) {
    const nodeName = p.spec?.nodeName;
    if (nodeName) {
      // A pod bound to a node that is not in the input still occupies capacity we cannot see: skip it.
      if (!nodeNames.has(nodeName)) continue;
      let list = boundTo.get(nodeName);
      if (!list) boundTo.set(nodeName, (list = []));
      list.push(p);
    } else if (!reserved.has(podKey(p)) && p.status?.phase !== "Succeeded" && p.status?.phase !== "Failed")
      pending.push(p);
  }
  const snapshotNodes: SnapshotNode[] = nodes.map((n) => ({
    node: n,
    pods: boundTo.get(n.metadata?.name ?? "") ?? [],
    markedForDeletion:
      (n.spec?.taints ?? []).some((t) => t.key === disruptedTaintKey) ||
      n.metadata?.deletionTimestamp !== undefined,
  }));
  return {
    pendingPods: pending,
    nodes: snapshotNodes,
    inFlight,
    nodePools: of<NodePool>("NodePool"),
    catalog,
    daemonSets: of<V1DaemonSet>("DaemonSet"),
    persistentVolumeClaims: of<V1PersistentVolumeClaim>("PersistentVolumeClaim"),
    persistentVolumes: of<V1PersistentVolume>("PersistentVolume"),
    storageClasses: of<V1StorageClass>("StorageClass"),
    namespaces: of<V1Namespace>("Namespace"),
    unavailableOfferings,
  };
}

interface CatalogTypeInput {
  name?: unknown;
  labels?: Record<string, string>;
  capacity?: Record<string, string | number>;
  allocatable?: Record<string, string | number>;
  offerings?: { zone?: unknown; capacityType?: unknown; price?: unknown; available?: unknown }[];
}

/** Allocatable from capacity when a --catalog entry gives none: EKS kube-reserved + 100m/100Mi system + 100Mi eviction. */
function defaultAllocatable(capacity: Resources): Resources {
  const cpu = capacity.cpu ?? 0;
  const memory = capacity.memory ?? 0;
  const pods = capacity.pods ?? 110;
  return {
    ...capacity,
    cpu: cpu - kubeReservedCpuMillis(cpu / 1000) - 100,
    memory: memory - kubeReservedMemoryBytes(pods) - 200 * 2 ** 20,
    pods,
  };
}

/** Parses the --catalog JSON document ({"instanceTypes": [...]}) into a Catalog. */
export function catalogFromJson(input: unknown, region: string): Catalog {
  if (!isObject(input) || !Array.isArray((input as { instanceTypes?: unknown }).instanceTypes))
    throw new SnapshotInputError('catalogue must be a JSON object with an "instanceTypes" array');
  const raw = (input as { instanceTypes: CatalogTypeInput[]; region?: unknown }).instanceTypes;
  const instanceTypes: InstanceType[] = raw.map((t, i) => {
    if (typeof t.name !== "string" || t.name === "")
      throw new SnapshotInputError(`instanceTypes[${i}] has no name`);
    const capacity = parseResourceList(t.capacity);
    const offerings: Offering[] = (t.offerings ?? []).map((o, j) => {
      if (
        typeof o.zone !== "string" ||
        (o.capacityType !== "on-demand" && o.capacityType !== "spot") ||
        typeof o.price !== "number"
      )
        throw new SnapshotInputError(
          `instanceTypes[${i}].offerings[${j}] needs zone, capacityType (on-demand|spot) and a numeric price`,
        );
      return {
        zone: o.zone,
        capacityType: o.capacityType,
        price: o.price,
        available: o.available !== false,
      };
    });
    return {
      name: t.name,
      labels: { ...(t.labels ?? {}) },
      capacity,
      allocatable: t.allocatable ? parseResourceList(t.allocatable) : defaultAllocatable(capacity),
      offerings,
    };
  });
  const r = (input as { region?: unknown }).region;
  return { region: typeof r === "string" ? r : region, instanceTypes };
}
