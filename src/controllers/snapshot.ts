// Builds the planner's immutable snapshot from the informers' caches: real nodes with their bound
// pods, in-flight virtual nodes (no Node object yet) with the pods still waiting for them, and the
// pods to plan. A virtual node whose Node exists is represented by that node, never twice.
import type { V1Node, V1Pod } from "@kubernetes/client-node";
import type { VirtualNode } from "../api/virtualnode.js";
import type { Catalog } from "../catalog/types.js";
import type { InFlightNode, PlanningSnapshot, SnapshotNode } from "../planner/types.js";
import { disruptedTaintKey } from "../api/labels.js";
import type { ClusterReader } from "./cluster-reader.js";
import { namespacedName, podKey } from "../domain/pod-key.js";

const inFlightPhases = new Set(["Planned", "Launching", "Launched", "Registered", "Ready"]);

export interface SnapshotInputs {
  readonly reader: ClusterReader;
  readonly pendingPods: readonly V1Pod[];
  readonly catalog: Catalog;
  readonly unavailableOfferings: ReadonlySet<string>;
  /** Nodes the lifecycle controller is draining or simulating away. */
  readonly markedForDeletion?: ReadonlySet<string>;
}

export function buildSnapshot(inputs: SnapshotInputs): PlanningSnapshot {
  const { reader } = inputs;
  const nodes = reader.nodes();
  const nodeNames = new Set(nodes.map((node) => node.metadata?.name ?? ""));
  const podsByNode = new Map<string, V1Pod[]>();
  const podsByKey = new Map<string, V1Pod>();
  for (const pod of reader.pods()) {
    podsByKey.set(podKey(pod), pod);
    const nodeName = pod.spec?.nodeName;
    if (!nodeName || isTerminal(pod)) continue;
    let list = podsByNode.get(nodeName);
    if (!list) podsByNode.set(nodeName, (list = []));
    list.push(pod);
  }
  const snapshotNodes: SnapshotNode[] = nodes.map((node) => ({
    node,
    pods: podsByNode.get(node.metadata?.name ?? "") ?? [],
    markedForDeletion: isMarked(node, inputs.markedForDeletion),
  }));
  const inFlight: InFlightNode[] = [];
  for (const virtualNode of reader.virtualNodes()) {
    const phase = virtualNode.status?.phase ?? "Planned";
    if (!inFlightPhases.has(phase)) continue;
    const nodeName = virtualNode.status?.nodeName;
    if (nodeName && nodeNames.has(nodeName)) continue; // the Node represents it
    inFlight.push(inFlightNode(virtualNode, podsByKey));
  }
  return {
    pendingPods: inputs.pendingPods,
    nodes: snapshotNodes,
    inFlight,
    nodePools: reader.nodePools(),
    catalog: inputs.catalog,
    daemonSets: reader.daemonSets(),
    persistentVolumeClaims: reader.persistentVolumeClaims(),
    persistentVolumes: reader.persistentVolumes(),
    storageClasses: reader.storageClasses(),
    namespaces: reader.namespaces(),
    unavailableOfferings: inputs.unavailableOfferings,
  };
}

function inFlightNode(virtualNode: VirtualNode, podsByKey: ReadonlyMap<string, V1Pod>): InFlightNode {
  const pods: V1Pod[] = [];
  for (const ref of virtualNode.spec.pods) {
    const pod = podsByKey.get(namespacedName(ref.namespace, ref.name));
    // A pod that is gone, was recreated, or went elsewhere no longer holds capacity here.
    if (!pod || (ref.uid && pod.metadata?.uid !== ref.uid) || isTerminal(pod)) continue;
    if (pod.spec?.nodeName && pod.spec.nodeName !== virtualNode.status?.nodeName) continue;
    pods.push(pod);
  }
  const status = virtualNode.status;
  return {
    name: status?.nodeName ?? virtualNode.metadata.name ?? "",
    nodePool: virtualNode.spec.nodePool,
    requirements: virtualNode.spec.requirements,
    instanceTypes: status?.instanceType ? [status.instanceType] : virtualNode.spec.instanceTypes,
    pods,
    ...(status?.instanceType ? { instanceType: status.instanceType } : {}),
    ...(status?.zone ? { zone: status.zone } : {}),
    ...(status?.capacityType ? { capacityType: status.capacityType } : {}),
  };
}

function isTerminal(pod: V1Pod): boolean {
  return pod.status?.phase === "Succeeded" || pod.status?.phase === "Failed";
}

function isMarked(node: V1Node, marked: ReadonlySet<string> | undefined): boolean {
  if (marked?.has(node.metadata?.name ?? "")) return true;
  return node.spec?.taints?.some((taint) => taint.key === disruptedTaintKey) ?? false;
}
