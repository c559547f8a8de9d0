// Disruption candidates: initialized nodes rafter manages, not already being disrupted, with the
// facts every disruption method needs (pool, price, pods to move, do-not-disrupt and
// PodDisruptionBudget blockers, launch time, how long their pods have been unchanged).
import type { V1Node, V1Pod } from "@kubernetes/client-node";
import { nodePoolDefaults, type NodePool } from "../../api/nodepool.js";
import type { VirtualNode } from "../../api/virtualnode.js";
import type { Catalog } from "../../catalog/types.js";
import type { CapacityType } from "../../api/common.js";
import { labelKeys } from "../../api/labels.js";
import { isDeleting, type ManagedNode } from "./managed-nodes.js";
import { doNotDisruptKey, hasDoNotDisrupt, isReschedulable } from "./pods.js";
import { pdbBlocker, type PdbIndex } from "./pdb-blockers.js";
import { hasDisruptedTaint } from "./taint.js";
import { millis } from "../../domain/timestamps.js";
import { parseDurationOrNever } from "../../domain/duration.js";
import { podKey } from "../../domain/pod-key.js";

export interface Candidate {
  readonly key: string;
  readonly nodeName: string;
  readonly virtualNode: VirtualNode;
  readonly node: V1Node;
  readonly nodePool: NodePool;
  /** Pods that must find a new home (no DaemonSet, static, terminal or terminating pods). */
  readonly pods: readonly V1Pod[];
  readonly price: number;
  readonly capacityType: CapacityType;
  readonly launchedAt: number;
  /** Last time the set of pods on the node changed (as observed). */
  readonly podsChangedAt: number;
  /** Why voluntary disruption is blocked (do-not-disrupt on the node or a pod), if it is. */
  readonly blocker?: string;
  /** Why a drain could not finish now (a PodDisruptionBudget allows no disruption), if so. */
  readonly pdbBlocker?: string;
}

export function buildCandidates(
  units: readonly ManagedNode[],
  podsByNode: ReadonlyMap<string, V1Pod[]>,
  catalog: Catalog | undefined,
  podsChangedAt: (key: string, pods: readonly V1Pod[]) => number,
  now: number,
  pdbs: PdbIndex = new Map(),
): Candidate[] {
  const out: Candidate[] = [];
  for (const unit of units) {
    const { virtualNode, node, nodePool } = unit;
    if (!virtualNode || !node || !nodePool || isDeleting(unit) || hasDisruptedTaint(node)) continue;
    if (virtualNode.status?.phase !== "Ready") continue;
    const nodeName = node.metadata?.name ?? "";
    const all = podsByNode.get(nodeName) ?? [];
    const pods = all.filter(isReschedulable);
    const blockingPod = pods.find((pod) => hasDoNotDisrupt(pod, now));
    const nodeKey = doNotDisruptKey(node, now);
    const blocker = nodeKey
      ? `node has ${nodeKey}`
      : blockingPod
        ? `pod ${podKey(blockingPod)} has ${doNotDisruptKey(blockingPod, now) ?? ""}`
        : undefined;
    const pdbBlocked = pdbBlocker(pods, pdbs);
    const capacityType = (virtualNode.status.capacityType ??
      node.metadata?.labels?.[labelKeys.capacityType] ??
      "on-demand") as CapacityType;
    out.push({
      key: unit.key,
      nodeName,
      virtualNode,
      node,
      nodePool,
      pods,
      price: priceOf(virtualNode, node, catalog),
      capacityType,
      launchedAt: millis(virtualNode.status.launchedAt) ?? millis(node.metadata?.creationTimestamp) ?? 0,
      podsChangedAt: podsChangedAt(unit.key, pods),
      ...(blocker ? { blocker } : {}),
      ...(pdbBlocked ? { pdbBlocker: pdbBlocked } : {}),
    });
  }
  return out;
}

/** The hourly price recorded at launch, else the catalogue's price of the node's offering. */
function priceOf(virtualNode: VirtualNode, node: V1Node, catalog: Catalog | undefined): number {
  const recorded = Number(virtualNode.status?.price);
  if (virtualNode.status?.price !== undefined && Number.isFinite(recorded)) return recorded;
  const labels = node.metadata?.labels ?? {};
  const type = catalog?.instanceTypes.find((t) => t.name === labels[labelKeys.instanceType]);
  const offering = type?.offerings.find(
    (o) =>
      o.zone === labels[labelKeys.zone] && o.capacityType === (labels[labelKeys.capacityType] ?? "on-demand"),
  );
  return offering?.price ?? Infinity;
}

/** The NodePool's consolidateAfter in ms; Infinity for Never (neither emptiness nor consolidation then). */
export function consolidateAfter(pool: NodePool): number {
  return parseDurationOrNever(pool.spec.disruption?.consolidateAfter, nodePoolDefaults.consolidateAfter);
}
