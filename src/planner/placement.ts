// One packing run: pods in order, each to the first node that takes it — existing nodes (free),
// in-flight nodes, open new nodes — else a new node from the heaviest NodePool that can host it.
// Preferences (preferred affinity, ScheduleAnyway spread) are honoured first, then relaxed.
import { matchesLabels } from "../domain/requirements.js";
import { untoleratedTaint } from "../domain/taints.js";
import { spreadMinimums, topologyViolation, type SpreadMinimums } from "./constraints.js";
import { labelKeys } from "../api/labels.js";
import { commitNew, evaluateNew, permanent } from "./new-node-fit.js";
import { NewNode, type FixedNode } from "./node-state.js";
import type { RunContext, RunState } from "./packing-run.js";
import { hostPortsConflict, type ConstraintLevel, type PodInfo } from "./pods.js";
import type { CompiledPool, PoolType } from "./pools.js";
import { addInto, fitsSum, type Vec } from "./resource-space.js";

const zeroCache = new Map<number, Vec>();
function zero(n: number): Vec {
  let z = zeroCache.get(n);
  if (!z) zeroCache.set(n, (z = new Float64Array(n)));
  return z;
}

function fixedLabelOf(node: FixedNode): (key: string) => string | undefined {
  return (key) => node.labels[key] ?? (key === labelKeys.hostname ? node.name : undefined);
}

function joinFixed(
  node: FixedNode,
  pod: PodInfo,
  level: ConstraintLevel,
  mins: SpreadMinimums,
  state: RunState,
): boolean {
  if (node.closed) return false;
  if (!fitsSum(zero(pod.vec.length), pod.vec, node.free)) return false;
  if (untoleratedTaint(pod.tolerations, node.taints)) return false;
  if (!level.alternatives.some((a) => matchesLabels(a, node.labels))) return false;
  if (hostPortsConflict(pod.ports, node.ports)) return false;
  const labelOf = fixedLabelOf(node);
  if (topologyViolation(pod, level, labelOf, state.topo, mins)) return false;
  addInto(node.free, pod.vec, -1);
  node.ports.push(...pod.ports);
  node.pods.push(pod);
  state.topo.add(pod.matches, pod.ownAnti, labelOf);
  state.placements.set(pod.key, node.name);
  return true;
}

/** A fresh node of `pool` limited to types within the pool's remaining limits. */
function openNode(
  pool: CompiledPool,
  state: RunState,
  ctx: RunContext,
  types: readonly PoolType[],
): NewNode | undefined {
  if ((state.opened[pool.index] ?? 0) >= pool.remainingNodes) return undefined;
  const reserved = state.reserved[pool.index] ?? zero(ctx.space.names.length);
  const allowed = pool.unlimited ? types : types.filter((t) => fitsSum(reserved, t.capacity, pool.remaining));
  if (allowed.length === 0) return undefined;
  const node = new NewNode(
    `${ctx.namePrefix}-${state.nextName}`,
    pool,
    pool.requirements,
    allowed,
    pool.zones,
    pool.capacityTypes,
    ctx.space.zero(),
  );
  node.sized = types !== pool.types;
  return node;
}

function tryLevel(pod: PodInfo, level: ConstraintLevel, state: RunState, ctx: RunContext): boolean {
  const mins = spreadMinimums(level, state.topo, (s) => ctx.compat.universe(pod, s));
  for (const node of state.fixed) if (joinFixed(node, pod, level, mins, state)) return true;
  const deadKey = pod.classId * 8 + pod.levels.indexOf(level);
  let dead = state.dead.get(deadKey);
  if (!dead || dead.length < state.newNodes.length) {
    const grown = new Uint8Array(Math.max(64, state.newNodes.length * 2));
    if (dead) grown.set(dead);
    state.dead.set(deadKey, (dead = grown));
  }
  const nodes = state.newNodes;
  for (let i = 0; i < nodes.length; i++) {
    if (dead[i] === 1) continue;
    const node = nodes[i];
    if (!node) continue;
    const c = evaluateNew(node, pod, level, mins, state, ctx);
    if (c === permanent) dead[i] = 1;
    else if (c) {
      commitNew(node, pod, c, state);
      return true;
    }
  }
  for (const pool of ctx.pools) {
    if (ctx.compat.poolRejection(pod, pool)) continue;
    // A size policy applies only while it can host the pod; otherwise the node may use any type.
    const policy = ctx.typePolicy(pool);
    for (const types of policy ? [policy, pool.types] : [pool.types]) {
      const node = openNode(pool, state, ctx, types);
      if (!node) continue;
      const c = evaluateNew(node, pod, level, mins, state, ctx);
      if (!c || c === permanent) continue;
      state.nextName++;
      state.newNodes.push(node);
      addInto((state.reserved[pool.index] ??= ctx.space.zero()), node.reserve);
      state.opened[pool.index] = (state.opened[pool.index] ?? 0) + 1;
      commitNew(node, pod, c, state);
      return true;
    }
  }
  return false;
}

export function placePod(pod: PodInfo, state: RunState, ctx: RunContext): boolean {
  if (pod.error) {
    state.failures.set(pod.key, pod);
    return false;
  }
  for (const level of pod.levels) if (tryLevel(pod, level, state, ctx)) return true;
  state.failures.set(pod.key, pod);
  return false;
}
