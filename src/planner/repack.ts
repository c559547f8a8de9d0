// Re-packing one or two new nodes into fresh nodes with a given split of their pods. A fresh node
// starts from its pool's full type list, so requirements a departed pod had narrowed (an
// architecture, a family) are gone: that is what lets a split choose a cheaper pair of types. The
// pods are re-admitted at their strictest constraint level with first placement's machinery, and
// only within the domains every pod already had (pins shared by all the nodes' pods), so zone,
// capacity-type and custom-key counters never change and no other pod's constraint can break.
import type { CapacityType } from "../api/common.js";
import { spreadMinimums } from "./constraints.js";
import { labelKeys } from "../api/labels.js";
import { labelOf } from "./moves.js";
import { NewNode } from "./node-state.js";
import { commitNew, evaluateNew, permanent } from "./new-node-fit.js";
import type { RunContext, RunState } from "./packing-run.js";
import type { PodInfo } from "./pods.js";
import type { CompiledPool, PoolType } from "./pools.js";
import { addInto } from "./resource-space.js";

/**
 * The domain value every pod on `nodes` needs kept, per topology key it counts in (hostname
 * aside); undefined when two pods need different values or a node has not decided one.
 */
export function sharedPins(nodes: readonly NewNode[]): Map<string, string> | undefined {
  const pins = new Map<string, string>();
  for (const node of nodes) {
    const of = labelOf(node);
    for (const pod of node.pods)
      for (const key of pod.pinKeys) {
        if (key === labelKeys.hostname) continue;
        const v = of(key);
        const seen = pins.get(key);
        if (v === undefined || (seen !== undefined && seen !== v)) return undefined;
        pins.set(key, v);
      }
  }
  return pins;
}

/** Zones and capacity types a fresh node with these pins may launch into. */
export function pinnedOfferings(
  pool: CompiledPool,
  pins: ReadonlyMap<string, string>,
): { zones: readonly string[]; capacityTypes: readonly CapacityType[] } {
  const zone = pins.get(labelKeys.zone);
  const ct = pool.capacityTypes.find((c) => c === pins.get(labelKeys.capacityType));
  return {
    zones: zone !== undefined ? [zone] : pool.zones,
    capacityTypes: ct !== undefined ? [ct] : pool.capacityTypes,
  };
}

function freshNode(
  name: string,
  pool: CompiledPool,
  pins: ReadonlyMap<string, string>,
  ctx: RunContext,
): NewNode {
  // Pins on type labels (a pod counting per instance family, say) narrow the types up front.
  const typePins = [...pins].filter(
    ([k]) => k !== labelKeys.zone && k !== labelKeys.capacityType && !pool.customKeys.has(k),
  );
  const types: readonly PoolType[] =
    typePins.length === 0
      ? pool.types
      : pool.types.filter((t) => typePins.every(([k, v]) => t.labels[k] === v));
  const { zones, capacityTypes } = pinnedOfferings(pool, pins);
  const node = new NewNode(name, pool, pool.requirements, types, zones, capacityTypes, ctx.space.zero());
  for (const [k, v] of pins) node.pinned.set(k, v);
  return node;
}

function admit(pod: PodInfo, node: NewNode, state: RunState, ctx: RunContext): boolean {
  const level = pod.levels[0];
  if (!level) return false;
  const mins = spreadMinimums(level, state.topo, (s) => ctx.compat.universe(pod, s));
  const c = evaluateNew(node, pod, level, mins, state, ctx);
  if (!c || c === permanent) return false;
  commitNew(node, pod, c, state);
  return true;
}

/** Largest first (cpu, then memory), so a fresh node's type list narrows as first placement would. */
function byDemand(a: PodInfo, b: PodInfo): number {
  return (b.vec[0] ?? 0) - (a.vec[0] ?? 0) || (b.vec[1] ?? 0) - (a.vec[1] ?? 0) || (a.key < b.key ? -1 : 1);
}

/**
 * Takes every pod off `olds` and places side i on a fresh node named `names[i]` (an empty side gets
 * no node). Returns the fresh nodes aligned with the sides, or undefined (nothing changed) when a
 * pod is not admitted. The old nodes are left untouched; only counts and placements moved.
 */
export function repackNodes(
  olds: readonly NewNode[],
  sides: readonly (readonly PodInfo[])[],
  names: readonly string[],
  pins: ReadonlyMap<string, string>,
  state: RunState,
  ctx: RunContext,
): (NewNode | undefined)[] | undefined {
  const pool = olds[0]?.pool;
  if (!pool) return undefined;
  for (const node of olds) {
    const of = labelOf(node);
    for (const pod of node.pods) {
      state.topo.add(pod.matches, pod.ownAnti, of, -1);
      state.placements.delete(pod.key);
    }
  }
  const fresh: (NewNode | undefined)[] = [];
  for (const [i, pods] of sides.entries()) {
    if (pods.length === 0) {
      fresh.push(undefined);
      continue;
    }
    const node = freshNode(names[i] ?? "", pool, pins, ctx);
    addInto((state.reserved[pool.index] ??= ctx.space.zero()), node.reserve);
    fresh.push(node);
    if (![...pods].sort(byDemand).every((pod) => admit(pod, node, state, ctx))) {
      unrepack(olds, fresh, state);
      return undefined;
    }
  }
  return fresh;
}

/** Undoes repackNodes: the fresh nodes' counts and reservations go, the old nodes' come back. */
export function unrepack(
  olds: readonly NewNode[],
  fresh: readonly (NewNode | undefined)[],
  state: RunState,
): void {
  for (const node of fresh) {
    if (!node) continue;
    const of = labelOf(node);
    for (const pod of node.pods) state.topo.add(pod.matches, pod.ownAnti, of, -1);
    const reserved = state.reserved[node.pool.index];
    if (reserved) addInto(reserved, node.reserve, -1);
  }
  for (const node of olds) {
    const of = labelOf(node);
    for (const pod of node.pods) {
      state.topo.add(pod.matches, pod.ownAnti, of);
      state.placements.set(pod.key, node.name);
    }
  }
}
