// Node repair: a node whose kubelet has reported Ready=False, or gone silent (Ready=Unknown, set by
// the node lifecycle controller), for longer than the repair window is replaced — its VirtualNode is
// deleted, termination drains it and terminates the instance, and the provisioner plans its pods
// again. Until now only an instance that was gone was noticed; a hung kubelet stayed forever.
// Guards, as Karpenter's: nothing is repaired in a NodePool while more than a fifth of its nodes
// (rounded up) are unhealthy — that looks like a cluster-wide problem (a bad AMI, a network outage)
// that replacing nodes would not fix and could make worse — and only within the pool's disruption
// budgets.
import type { V1Node } from "@kubernetes/client-node";
import { millis } from "../../domain/timestamps.js";
import type { DisruptionReason } from "../../api/nodepool.js";
import type { Candidate } from "./candidates.js";
import type { ManagedNode } from "./managed-nodes.js";
import { isRegistered } from "./termination.js";

/** The window Karpenter uses for its Ready condition repair policy. */
export const defaultRepairAfterMs = 30 * 60_000;
/** Above this share of unhealthy nodes in a pool (rounded up, so a pool of one can be repaired), nothing is. */
export const maxUnhealthyShare = 0.2;

const readyCondition = (node: V1Node) => node.status?.conditions?.find((c) => c.type === "Ready");

/**
 * Whether the node's kubelet has registered and its Ready condition is not True (False or Unknown). A
 * Node whose kubelet never posted status (rafter's pre-created Node, Ready=Unknown
 * NodeStatusNeverUpdated) is still booting, not unhealthy: the registration timeout is its guard.
 */
export function isUnhealthy(node: V1Node): boolean {
  const ready = readyCondition(node);
  return ready !== undefined && ready.status !== "True" && isRegistered(node);
}

/** Since when the node has been unhealthy (Ready False or Unknown), or undefined when it is healthy. */
export function unhealthySince(node: V1Node): number | undefined {
  if (!isUnhealthy(node)) return undefined;
  return millis(readyCondition(node)?.lastTransitionTime) ?? undefined;
}

export interface RepairDecision {
  readonly repair: readonly Candidate[];
  /** Pools whose unhealthy share is too high to repair, with the share. */
  readonly held: ReadonlyMap<string, { unhealthy: number; total: number }>;
}

/** A NodePool's nodes (those with a Node object) and how many of them are unhealthy now. */
export interface PoolHealth {
  readonly total: number;
  readonly unhealthy: number;
}

/**
 * Which candidates to repair now: unhealthy for at least `repairAfterMs`, in pools where at most
 * maxUnhealthyShare of the nodes are unhealthy. The share counts every unhealthy Node of the pool, as
 * Karpenter does: those not yet due and those already being repaired (deleting, still NotReady) too —
 * counting only the due candidates let two nodes that failed a minute apart be repaired one after the
 * other, both at once, however small the pool.
 */
export function decideRepairs(
  candidates: readonly Candidate[],
  health: ReadonlyMap<string, PoolHealth>,
  now: number,
  repairAfterMs: number,
): RepairDecision {
  const dueByPool = new Map<string, Candidate[]>();
  for (const candidate of candidates) {
    const since = unhealthySince(candidate.node);
    if (since === undefined || now - since < repairAfterMs) continue;
    const pool = candidate.nodePool.metadata.name ?? "";
    const list = dueByPool.get(pool);
    if (list) list.push(candidate);
    else dueByPool.set(pool, [candidate]);
  }
  const repair: Candidate[] = [];
  const held = new Map<string, { unhealthy: number; total: number }>();
  for (const [pool, due] of dueByPool) {
    const counted = health.get(pool);
    const unhealthy = Math.max(counted?.unhealthy ?? 0, due.length);
    const total = Math.max(counted?.total ?? 0, unhealthy);
    if (unhealthy > Math.ceil(total * maxUnhealthyShare)) held.set(pool, { unhealthy, total });
    else repair.push(...due);
  }
  return { repair, held };
}

/** Per NodePool: its nodes with a Node object, deleting ones included, and how many are unhealthy. */
export function poolHealth(units: readonly ManagedNode[]): Map<string, PoolHealth> {
  const health = new Map<string, PoolHealth>();
  for (const unit of units) {
    const pool = unit.nodePool?.metadata.name;
    if (pool === undefined || !unit.node) continue;
    const seen = health.get(pool) ?? { total: 0, unhealthy: 0 };
    health.set(pool, {
      total: seen.total + 1,
      unhealthy: seen.unhealthy + (isUnhealthy(unit.node) ? 1 : 0),
    });
  }
  return health;
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
