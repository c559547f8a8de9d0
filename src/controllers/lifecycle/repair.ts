// Node repair: a node whose kubelet has reported Ready=False, or gone silent (Ready=Unknown, set by
// the node lifecycle controller), for longer than the repair window is replaced — its VirtualNode is
// deleted, termination drains it and terminates the instance, and the provisioner plans its pods
// again. Until now only an instance that was gone was noticed; a hung kubelet stayed forever.
// Guards, as Karpenter's: never more than a fifth of a NodePool's nodes unhealthy at once (that looks
// like a cluster-wide problem — a bad AMI, a network outage — that replacing nodes would not fix and
// could make worse), and within the pool's disruption budgets.
import type { V1Node } from "@kubernetes/client-node";
import { millis } from "../../domain/timestamps.js";
import type { DisruptionReason } from "../../api/nodepool.js";
import type { Candidate } from "./candidates.js";
import type { ManagedNode } from "./managed-nodes.js";

/** The window Karpenter uses for its Ready condition repair policy. */
export const defaultRepairAfterMs = 30 * 60_000;
/** Above this share of unhealthy nodes in a pool (rounded up, so a pool of one can be repaired), nothing is. */
export const maxUnhealthyShare = 0.2;

/** Since when the node has been unhealthy (Ready False or Unknown), or undefined when it is healthy. */
export function unhealthySince(node: V1Node): number | undefined {
  const ready = node.status?.conditions?.find((c) => c.type === "Ready");
  if (!ready || ready.status === "True") return undefined;
  return millis(ready.lastTransitionTime) ?? undefined;
}

export interface RepairDecision {
  readonly repair: readonly Candidate[];
  /** Pools whose unhealthy share is too high to repair, with the share. */
  readonly held: ReadonlyMap<string, { unhealthy: number; total: number }>;
}

/**
 * Which candidates to repair now: unhealthy for at least `repairAfterMs`, in pools whose share of
 * unhealthy nodes (of `poolSizes`) is at most maxUnhealthyShare.
 */
export function decideRepairs(
  candidates: readonly Candidate[],
  poolSizes: ReadonlyMap<string, number>,
  now: number,
  repairAfterMs: number,
): RepairDecision {
  const unhealthyByPool = new Map<string, Candidate[]>();
  for (const candidate of candidates) {
    const since = unhealthySince(candidate.node);
    if (since === undefined || now - since < repairAfterMs) continue;
    const pool = candidate.nodePool.metadata.name ?? "";
    const list = unhealthyByPool.get(pool);
    if (list) list.push(candidate);
    else unhealthyByPool.set(pool, [candidate]);
  }
  const repair: Candidate[] = [];
  const held = new Map<string, { unhealthy: number; total: number }>();
  for (const [pool, unhealthy] of unhealthyByPool) {
    const total = Math.max(poolSizes.get(pool) ?? unhealthy.length, unhealthy.length);
    if (unhealthy.length > Math.ceil(total * maxUnhealthyShare))
      held.set(pool, { unhealthy: unhealthy.length, total });
    else repair.push(...unhealthy);
  }
  return { repair, held };
}

/** Nodes per NodePool (those with a Node object), what the unhealthy share is measured against. */
export function poolSizes(units: readonly ManagedNode[]): Map<string, number> {
  const sizes = new Map<string, number>();
  for (const unit of units) {
    const pool = unit.nodePool?.metadata.name;
    if (pool !== undefined && unit.node) sizes.set(pool, (sizes.get(pool) ?? 0) + 1);
  }
  return sizes;
}

/** Takes one node from the candidate's pool's budgets if every reason's allows it (repair has no reason of its own). */
export function takeBudget(
  allowed: Map<string, Record<DisruptionReason, number>>,
  candidate: Candidate,
): boolean {
  const budget = allowed.get(candidate.nodePool.metadata.name ?? "");
  if (!budget || Math.min(budget.Empty, budget.Underutilized, budget.Drifted) < 1) return false;
  budget.Empty--;
  budget.Underutilized--;
  budget.Drifted--;
  return true;
}
