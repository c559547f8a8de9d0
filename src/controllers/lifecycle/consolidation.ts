// The consolidation decision, pure: a snapshot and candidates in, one command out. The planner is the
// simulator: "remove these nodes" is the snapshot with the nodes closed (markedForDeletion, no pods)
// and their pods pending. A removal is valid when every pod finds a place and at most one new node is
// needed, strictly cheaper than what it replaces. Multi-node first (binary search over the
// cheapest-to-disrupt prefix, as Karpenter does; over all pools and within each NodePool), then single
// nodes in order. Compute is bounded by a number of simulations and an optional deadline.
import type { V1Pod } from "@kubernetes/client-node";
import { nodePoolDefaults, type NodePool } from "../../api/nodepool.js";
import type { Catalog } from "../../catalog/types.js";
import type { CapacityType } from "../../api/common.js";
import type { NewNode, Plan, PlanOptions, PlanningSnapshot } from "../../planner/types.js";
import { fail, ok, type Result } from "../../domain/result.js";

export interface ConsolidationCandidate {
  readonly nodeName: string;
  readonly nodePool: string;
  readonly price: number;
  readonly capacityType: CapacityType;
  readonly pods: readonly V1Pod[];
  /** The share of its price a replacement must save (its NodePool's replacementSavings), 0–1. */
  readonly minSavings: number;
}

export interface ConsolidationInput {
  /** The cluster as it is: every node with its pods, nothing pending. */
  readonly snapshot: PlanningSnapshot;
  /** Eligible nodes (policy, consolidateAfter, do-not-disrupt and budgets already checked). */
  readonly candidates: readonly ConsolidationCandidate[];
  /** Per NodePool: how many of its nodes may still be disrupted for "Underutilized". */
  readonly allowed: ReadonlyMap<string, number>;
  readonly plan: (snapshot: PlanningSnapshot, options?: PlanOptions) => Plan;
  readonly options?: ConsolidationOptions;
}

export interface ConsolidationOptions {
  readonly maxMultiNode?: number;
  readonly maxSimulations?: number;
  /** Wall-clock bound; `now` must be given with it. Stops searching, keeps the best found. */
  readonly deadline?: number;
  readonly now?: () => number;
  /** Spot-to-spot replacement needs at least this many cheaper instance types (anti-churn). */
  readonly minSpotOptions?: number;
  readonly planOptions?: PlanOptions;
  /**
   * false for forced replacements (drift): the single replacement node is accepted at any price,
   * since the node goes anyway and its pods are better moved to capacity launched ahead of the drain.
   */
  readonly requireSavings?: boolean;
}

export type ConsolidationCommand =
  | {
      readonly kind: "delete" | "replace";
      readonly nodes: readonly string[];
      readonly replacement?: NewNode;
      readonly savings: number;
    }
  | { readonly kind: "none" };

export interface ConsolidationResult {
  readonly command: ConsolidationCommand;
  /** Why candidates that were simulated alone could not be consolidated. */
  readonly reasons: ReadonlyMap<string, string>;
  readonly simulations: number;
}

/** A command that removes the nodes, or why they cannot be removed. */
type Simulation = Result<ConsolidationCommand & { kind: "delete" | "replace" }, string>;

export function decideConsolidation(input: ConsolidationInput): ConsolidationResult {
  const options = input.options ?? {};
  const maxSimulations = options.maxSimulations ?? 200;
  const reasons = new Map<string, string>();
  let simulations = 0;
  const outOfTime = () =>
    simulations >= maxSimulations ||
    (options.deadline !== undefined && options.now !== undefined && options.now() >= options.deadline);
  const simulate = (nodes: readonly ConsolidationCandidate[]): Simulation => {
    simulations++;
    return simulateRemoval(input, nodes, options);
  };

  // Cheapest to disrupt first: fewest pods, then the most expensive node (the biggest saving).
  const ordered = [...input.candidates].sort(
    (a, b) => a.pods.length - b.pods.length || b.price - a.price || (a.nodeName < b.nodeName ? -1 : 1),
  );

  // Multi-node: per group, the largest valid prefix that budgets allow; the best of the groups. The
  // single-node pass keeps at least half the simulations, whatever the number of pools.
  const multiNodeSimulations = Math.ceil(maxSimulations / 2);
  let best: Simulation | undefined;
  for (const prefix of multiNodeGroups(ordered, input.allowed, options.maxMultiNode ?? 100)) {
    let found: Simulation | undefined;
    let low = 2;
    let high = prefix.length;
    while (low <= high && !outOfTime() && simulations < multiNodeSimulations) {
      const mid = Math.floor((low + high) / 2);
      const result = simulate(prefix.slice(0, mid));
      if (result.ok) {
        found = result;
        low = mid + 1;
      } else high = mid - 1;
    }
    if (found?.ok && (!best?.ok || beats(found.value, best.value))) best = found;
  }
  // A multi-node deletion needs no launch: nothing beats it.
  if (best?.ok && best.value.kind === "delete") return { command: best.value, reasons, simulations };

  // Single node, in order; the first valid move wins (against a multi-node replacement: the larger
  // saving, a deletion on a tie since it launches nothing).
  for (const candidate of ordered) {
    if (outOfTime()) break;
    if ((input.allowed.get(candidate.nodePool) ?? 0) < 1) {
      reasons.set(candidate.nodeName, "disruption budget allows no more nodes now");
      continue;
    }
    const result = simulate([candidate]);
    if (result.ok) {
      const multi = best?.ok ? best.value : undefined;
      const single = result.value;
      const preferMulti =
        multi !== undefined &&
        (multi.savings > single.savings + 1e-9 ||
          (Math.abs(multi.savings - single.savings) <= 1e-9 && single.kind !== "delete"));
      return { command: preferMulti ? multi : single, reasons, simulations };
    }
    reasons.set(candidate.nodeName, result.error);
  }
  if (best?.ok) return { command: best.value, reasons, simulations };
  return { command: { kind: "none" }, reasons, simulations };
}

/**
 * The cheapest-to-disrupt prefixes the multi-node search runs over: one across all pools (a deletion
 * may empty nodes of several pools at once), then one per NodePool. A replacement is one node of one
 * pool, so when pods select their pool a group mixing pools can only be deleted, never merged: a
 * binary search over the mixed list alone fails at its first mixed pair and never tries two nodes of
 * one pool. With a single pool the lists are the same and it is searched once.
 */
function multiNodeGroups(
  ordered: readonly ConsolidationCandidate[],
  allowed: ReadonlyMap<string, number>,
  maxMultiNode: number,
): ConsolidationCandidate[][] {
  const pools = [...new Set(ordered.map((c) => c.nodePool))];
  const lists = [ordered, ...pools.map((pool) => ordered.filter((c) => c.nodePool === pool))];
  const seen = new Set<string>();
  const out: ConsolidationCandidate[][] = [];
  for (const list of lists) {
    const prefix = withinBudgets(list, allowed).slice(0, maxMultiNode);
    const key = prefix.map((c) => c.nodeName).join("\n");
    if (prefix.length < 2 || seen.has(key)) continue;
    seen.add(key);
    out.push(prefix);
  }
  return out;
}

/** Between two valid moves: the larger saving, a deletion on a tie (it launches nothing). */
function beats(a: ConsolidationCommand & { kind: "delete" | "replace" }, b: typeof a): boolean {
  if (Math.abs(a.savings - b.savings) > 1e-9) return a.savings > b.savings;
  return a.kind === "delete" && b.kind !== "delete";
}

function withinBudgets(
  ordered: readonly ConsolidationCandidate[],
  allowed: ReadonlyMap<string, number>,
): ConsolidationCandidate[] {
  const used = new Map<string, number>();
  const out: ConsolidationCandidate[] = [];
  for (const candidate of ordered) {
    const count = used.get(candidate.nodePool) ?? 0;
    if (count >= (allowed.get(candidate.nodePool) ?? 0)) continue;
    used.set(candidate.nodePool, count + 1);
    out.push(candidate);
  }
  return out;
}

export function simulateRemoval(
  input: Pick<ConsolidationInput, "snapshot" | "plan">,
  nodes: readonly ConsolidationCandidate[],
  options: ConsolidationOptions = {},
): Simulation {
  const removed = new Set(nodes.map((n) => n.nodeName));
  const pending = nodes.flatMap((n) => n.pods);
  const snapshot: PlanningSnapshot = {
    ...input.snapshot,
    // Closed and emptied: the node takes nothing, and its pods count only as pending.
    nodes: input.snapshot.nodes.map((n) =>
      removed.has(n.node.metadata?.name ?? "") ? { node: n.node, pods: [], markedForDeletion: true } : n,
    ),
    pendingPods: pending,
  };
  const result = input.plan(snapshot, {
    packingRuns: 2,
    workBudget: 50_000,
    ...options.planOptions,
    namePrefix: "consolidation",
  });
  if (result.unschedulable.length > 0) {
    const first = result.unschedulable[0];
    return fail(`pod ${first?.pod ?? "?"} would not schedule: ${first?.reason ?? "no capacity"}`);
  }
  const oldCost = nodes.reduce((sum, n) => sum + n.price, 0);
  if (result.newNodes.length === 0) return ok({ kind: "delete", nodes: [...removed], savings: oldCost });
  if (result.newNodes.length > 1) return fail("its pods would need more than one new node");
  const replacement = result.newNodes[0];
  if (!replacement) return fail("no replacement");
  if (options.requireSavings === false)
    return ok({
      kind: "replace",
      nodes: [...removed],
      replacement,
      savings: oldCost - replacement.hourlyPrice,
    });
  // Anti-churn: the strictest NodePool among the nodes sets how much cheaper the replacement must be.
  const minSavings = Math.max(0, ...nodes.map((n) => n.minSavings));
  const limit = oldCost * (1 - minSavings);
  const cheaper = cheaperTypes(input.snapshot.catalog, replacement, limit);
  if (cheaper.length === 0)
    return fail(
      minSavings > 0
        ? `no replacement at least ${Math.round(minSavings * 100)}% cheaper than $${oldCost.toFixed(4)}/h fits its pods`
        : `no replacement cheaper than $${oldCost.toFixed(4)}/h fits its pods`,
    );
  const allSpot = nodes.every((n) => n.capacityType === "spot");
  if (
    allSpot &&
    replacement.capacityTypes.includes("spot") &&
    cheaper.length < (options.minSpotOptions ?? 15)
  )
    return fail(
      `spot-to-spot replacement needs ${options.minSpotOptions ?? 15} cheaper instance types, found ${cheaper.length}`,
    );
  const narrowed: NewNode = { ...replacement, instanceTypes: cheaper };
  return ok({
    kind: "replace",
    nodes: [...removed],
    replacement: narrowed,
    savings: oldCost - replacement.hourlyPrice,
  });
}

/** A NodePool's replacementSavings ("15%") as a fraction. */
export function replacementSavingsFraction(pool: NodePool): number {
  const text = pool.spec.disruption?.replacementSavings ?? nodePoolDefaults.replacementSavings;
  const percent = Number(text.replace("%", ""));
  return Number.isFinite(percent) ? Math.min(1, Math.max(0, percent / 100)) : 0;
}

/** The replacement's instance types whose cheapest allowed offering costs less than `limit`, cheapest first. */
function cheaperTypes(catalog: Catalog, node: NewNode, limit: number): string[] {
  const byName = new Map(catalog.instanceTypes.map((t) => [t.name, t]));
  const priced: { name: string; price: number }[] = [];
  for (const name of node.instanceTypes) {
    const type = byName.get(name);
    if (!type) continue;
    let price = Infinity;
    for (const o of type.offerings)
      if (o.available && node.zones.includes(o.zone) && node.capacityTypes.includes(o.capacityType))
        price = Math.min(price, o.price);
    if (price < limit - 1e-9) priced.push({ name, price });
  }
  return priced.sort((a, b) => a.price - b.price).map((p) => p.name);
}
