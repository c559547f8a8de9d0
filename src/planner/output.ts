// Turns a packing run into the Plan contract: placements, new nodes (types cheapest first,
// truncated for the launch while keeping minValues), unschedulable pods, and the cost.
import type {
  NodeSelectorRequirementWithMinValues,
  RequirementOperator,
  CapacityType,
} from "../api/common.js";
import { toRequirementInputs } from "../domain/requirements.js";
import { labelKeys } from "../api/labels.js";
import type { Model } from "./model.js";
import { cheapestOffering, type NewNode as NodeState } from "./node-state.js";
import type { RunState } from "./packing-run.js";
import type { PoolType } from "./pools.js";
import { add } from "./resource-space.js";
import type { NewNode, Plan } from "./types.js";

function roundPrice(value: number): number {
  return Math.round(value * 1e6) / 1e6;
}

/** Cheapest-first types, at most `max`, keeping enough distinct values for every minValues. */
function truncate(node: NodeState, sorted: readonly PoolType[], max: number): PoolType[] {
  if (sorted.length <= max) return [...sorted];
  const chosen = new Set<PoolType>();
  for (const [key, req] of node.reqs) {
    if (!req.minValues || key === labelKeys.zone || key === labelKeys.capacityType) continue;
    const seen = new Set<string>();
    for (const t of sorted) {
      const v = t.labels[key];
      if (v === undefined || seen.has(v)) continue;
      seen.add(v);
      chosen.add(t);
      if (seen.size >= req.minValues) break;
    }
  }
  for (const t of sorted) {
    if (chosen.size >= max) break;
    chosen.add(t);
  }
  return sorted.filter((t) => chosen.has(t));
}

/**
 * The node's hosting types with their price in its zones, cheapest first. Without minValues only
 * the cheapest `max` are listed, so the scan (in order of each type's cheapest offering anywhere,
 * a lower bound of its price here) stops once no later type can make the cut.
 */
function pricedTypes(node: NodeState, max: number): { t: PoolType; price: number }[] {
  const needsAll = [...node.reqs.values()].some((r) => r.minValues);
  const out: { t: PoolType; price: number }[] = [];
  let cut = Infinity;
  for (let i = node.firstFit(); i < node.candidates.length; i++) {
    const t = node.candidates[i];
    if (!t) break;
    if (!needsAll && t.minPrice > cut) break;
    if (!node.hosts(t)) continue;
    const price = cheapestOffering(t, node.zones, node.capacityTypes);
    if (!Number.isFinite(price)) continue;
    out.push({ t, price });
    if (!needsAll && out.length >= max) cut = kthSmallest(out, max);
  }
  return out.sort((a, b) => a.price - b.price || a.t.type.name.localeCompare(b.t.type.name));
}

function kthSmallest(items: readonly { price: number }[], k: number): number {
  return items.map((x) => x.price).sort((a, b) => a - b)[k - 1] ?? Infinity;
}

function describeNewNode(model: Model, node: NodeState, max: number): NewNode {
  const priced = pricedTypes(node, max);
  const types = truncate(
    node,
    priced.map((x) => x.t),
    max,
  );
  const zones = node.zones.filter((z) =>
    types.some((t) => t.offerings.some((o) => o.zone === z && node.capacityTypes.includes(o.capacityType))),
  );
  const capacityTypes: CapacityType[] = node.capacityTypes.filter((c) =>
    types.some((t) => t.offerings.some((o) => o.capacityType === c && zones.includes(o.zone))),
  );
  const cheapest = types[0];
  const hourlyPrice = cheapest ? cheapestOffering(cheapest, zones, capacityTypes) : Infinity;
  const base = toRequirementInputs(node.reqs).filter(
    (r) => r.key !== labelKeys.zone && r.key !== labelKeys.capacityType && r.key !== labelKeys.instanceType,
  );
  const requirements: NodeSelectorRequirementWithMinValues[] = [
    ...base.map((r) => ({ ...r, operator: r.operator as RequirementOperator })),
    { key: labelKeys.instanceType, operator: "In", values: types.map((t) => t.type.name) },
    { key: labelKeys.zone, operator: "In", values: [...zones] },
    { key: labelKeys.capacityType, operator: "In", values: [...capacityTypes] },
  ];
  return {
    name: node.name,
    nodePool: node.pool.name,
    instanceTypes: types.map((t) => t.type.name),
    zones,
    capacityTypes,
    requirements,
    pods: node.pods.map((p) => p.key),
    hourlyPrice: roundPrice(hourlyPrice),
    requests: model.space.record(cheapest ? add(node.used, cheapest.overhead) : node.used),
  };
}

export function buildPlan(
  model: Model,
  state: RunState,
  reasons: ReadonlyMap<string, string>,
  max: number,
): Plan {
  const placements = [...state.placements]
    .filter(([, node]) => state.fixed.some((f) => f.name === node))
    .map(([pod, node]) => ({ pod, node }));
  const newNodes = state.newNodes.map((n) => describeNewNode(model, n, max));
  const unschedulable = [...reasons].map(([pod, reason]) => ({ pod, reason }));
  const hourlyCost = roundPrice(newNodes.reduce((s, n) => s + n.hourlyPrice, 0));
  return { placements, newNodes, unschedulable, hourlyCost };
}
