// Moving one pod between two new nodes of a packing, for the improvement passes. A move must keep
// every constraint the packing honoured, so it is deliberately narrow: the pod is re-admitted at its
// strictest constraint level with the same machinery first placement used (evaluateNew/commitNew),
// and only between nodes that agree on every topology domain the pod counts in except the
// hostname — zone, capacity-type and custom-key counters therefore never change, so no other pod's
// spread skew or affinity can break. Pods whose hostname affinity ties them (or others) to their
// node never move. Every change can be undone exactly (memo/restore), so passes try and roll back.
import type { Requirements } from "../domain/requirements.js";
import { spreadMinimums } from "./constraints.js";
import { labelKeys } from "../api/labels.js";
import type { Model } from "./model.js";
import type { NewNode } from "./node-state.js";
import { commitNew, evaluateNew, permanent } from "./new-node-fit.js";
import type { RunContext, RunState } from "./packing-run.js";
import type { HostPort, PodInfo } from "./pods.js";
import type { PoolType } from "./pools.js";
import { addInto, type Vec } from "./resource-space.js";

/** Everything about a node a move changes, to restore it exactly. */
export interface NodeMemo {
  readonly node: NewNode;
  readonly reqs: Requirements;
  readonly candidates: readonly PoolType[];
  readonly zones: readonly string[];
  readonly capacityTypes: NewNode["capacityTypes"];
  readonly pinned: ReadonlyMap<string, string>;
  readonly used: Vec;
  readonly pods: readonly PodInfo[];
  readonly ports: readonly HostPort[];
}

export function memo(node: NewNode): NodeMemo {
  return {
    node,
    reqs: node.reqs,
    candidates: node.candidates,
    zones: node.zones,
    capacityTypes: node.capacityTypes,
    pinned: new Map(node.pinned),
    used: Float64Array.from(node.used),
    pods: [...node.pods],
    ports: [...node.ports],
  };
}

/** Restores a node's fields and its share of the pool's reserved capacity (not topology counts). */
export function restore(m: NodeMemo, state: RunState): void {
  const node = m.node;
  const reserved = state.reserved[node.pool.index];
  if (reserved) addInto(reserved, node.reserve, -1);
  node.reqs = m.reqs;
  node.candidates = m.candidates;
  node.zones = m.zones;
  node.capacityTypes = m.capacityTypes;
  node.pinned.clear();
  for (const [k, v] of m.pinned) node.pinned.set(k, v);
  node.used.set(m.used);
  node.pods.splice(0, node.pods.length, ...m.pods);
  node.ports.splice(0, node.ports.length, ...m.ports);
  node.resetFit();
  node.refresh();
  if (reserved) addInto(reserved, node.reserve);
}

export function labelOf(node: NewNode): (key: string) => string | undefined {
  return (key) => {
    const values = node.domainValues(key);
    return values.length === 1 ? values[0] : undefined;
  };
}

/** Selector ids that some pod's hostname-keyed pod affinity (required or preferred) looks for. */
export function hostnameAffinitySelectors(model: Model): ReadonlySet<number> {
  const sids = new Set<number>();
  for (const pod of model.pending)
    for (const level of pod.levels)
      for (const t of level.affinity) if (t.key === labelKeys.hostname) sids.add(t.sid);
  return sids;
}

/** May this pod ever move? Not if it needs, or is needed by, a pod on the same host. */
export function movable(pod: PodInfo, tied: ReadonlySet<number>): boolean {
  if (pod.error) return false;
  for (const level of pod.levels)
    for (const t of level.affinity) if (t.key === labelKeys.hostname) return false;
  return !pod.matches.some((sid) => tied.has(sid));
}

/** Same decided domain on both nodes for every topology key the pod counts in (hostname aside). */
function sameDomains(pod: PodInfo, from: NewNode, to: NewNode): boolean {
  const a = labelOf(from);
  const b = labelOf(to);
  for (const key of pod.pinKeys) {
    if (key === labelKeys.hostname) continue;
    const v = a(key);
    if (v === undefined || b(key) !== v) return false;
  }
  return true;
}

function detach(pod: PodInfo, node: NewNode, state: RunState): void {
  state.topo.add(pod.matches, pod.ownAnti, labelOf(node), -1);
  addInto(node.used, pod.vec, -1);
  node.resetFit();
  node.pods.splice(node.pods.indexOf(pod), 1);
  node.ports.splice(0, node.ports.length, ...node.pods.flatMap((p) => p.ports));
  state.placements.delete(pod.key);
}

function reattach(pod: PodInfo, node: NewNode, state: RunState): void {
  addInto(node.used, pod.vec);
  node.pods.push(pod);
  node.ports.push(...pod.ports);
  state.topo.add(pod.matches, pod.ownAnti, labelOf(node));
  state.placements.set(pod.key, node.name);
}

/**
 * Moves `pod` from `from` to `to` when its strictest constraint level admits it there. On failure
 * nothing changed. `from` keeps its (still valid) type list; callers re-widen and re-price.
 */
export function tryMove(pod: PodInfo, from: NewNode, to: NewNode, state: RunState, ctx: RunContext): boolean {
  if (!sameDomains(pod, from, to)) return false;
  const level = pod.levels[0];
  if (!level) return false;
  detach(pod, from, state);
  const mins = spreadMinimums(level, state.topo, (s) => ctx.compat.universe(pod, s));
  const c = evaluateNew(to, pod, level, mins, state, ctx);
  if (!c || c === permanent) {
    reattach(pod, from, state);
    return false;
  }
  commitNew(to, pod, c, state);
  return true;
}

/** Undoes tryMove's topology counts and placement (node fields are restored from memos). */
export function unmoveCounts(pod: PodInfo, from: NewNode, to: NewNode, state: RunState): void {
  state.topo.add(pod.matches, pod.ownAnti, labelOf(to), -1);
  state.topo.add(pod.matches, pod.ownAnti, labelOf(from));
  state.placements.set(pod.key, from.name);
}
