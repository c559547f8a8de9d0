// One packing run: pods in order, each to the first node that takes it — existing nodes (free),
// in-flight nodes, open new nodes — else a new node from the heaviest NodePool that can host it.
// Preferences (preferred affinity, ScheduleAnyway spread) are honoured first, then relaxed.
import {
  admitsValue,
  intersect,
  matchesLabels,
  satisfiable,
  type Requirements,
} from "../domain/requirements.js";
import { untoleratedTaint } from "../domain/taints.js";
import type { Compatibility } from "./compatibility.js";
import { spreadMinimums, topologyViolation, domainScore, type SpreadMinimums } from "./constraints.js";
import { labelKeys } from "../api/labels.js";
import { cheapestOffering, hasOffering, minValuesViolation, NewNode, type FixedNode } from "./node-state.js";
import { hostPortsConflict, type ConstraintLevel, type PodInfo } from "./pods.js";
import { offerBitsOf, type CompiledPool, type PoolType } from "./pools.js";
import { addInto, fitsSum, type ResourceSpace, type Vec } from "./resource-space.js";
import type { TopologyIndex } from "./topology.js";

export interface RunContext {
  readonly space: ResourceSpace;
  readonly pools: readonly CompiledPool[];
  readonly compat: Compatibility;
  readonly namePrefix: string;
  /** Size policy: the instance types a node of `pool` may start with (undefined: all). */
  readonly typePolicy: (pool: CompiledPool) => readonly PoolType[] | undefined;
}

export interface RunState {
  readonly fixed: FixedNode[];
  readonly newNodes: NewNode[];
  readonly topo: TopologyIndex;
  readonly reserved: Vec[];
  readonly opened: number[];
  readonly placements: Map<string, string>;
  readonly failures: Map<string, PodInfo>;
  work: number;
  nextName: number;
  /** Per (pod class, level): new nodes that rejected it for good (counts only grow within a run). */
  readonly dead: Map<number, Uint8Array>;
}

/** One packing run's outcome: its state, its cost once widened, and how many pods it could not place. */
export interface RunResult {
  readonly state: RunState;
  readonly cost: number;
  readonly failed: number;
}

/** Rejections that stay true as pods are added: pool, host ports, anti-affinity, hostname spread. */
export const permanent = Symbol("permanent");

export interface Candidate {
  readonly reqs: Requirements;
  readonly pins: ReadonlyMap<string, string>;
  /** The node's remaining types; undefined until commit (filtering every evaluation is the hot path). */
  readonly candidates: readonly PoolType[] | undefined;
  /** The constraint part of the filter (room is checked lazily against the node's `used`). */
  readonly admits: (t: PoolType) => boolean;
  /** Identifies `admits` for memoised narrowing (same key, same filter). */
  readonly narrowKey: string;
  /** The model's narrowing memo (per plan: mask ids are only meaningful within it). */
  readonly narrowCache: Compatibility["narrowed"];
  readonly zones: readonly string[];
  readonly capacityTypes: readonly PoolType["offerings"][number]["capacityType"][];
  readonly score: number;
  readonly price: number;
}

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

/** A node's value for a key when already decided (hostname, pinned, single zone), else undefined. */
function decided(node: NewNode, key: string): string | undefined {
  if (key === labelKeys.hostname) return node.name;
  const pinned = node.pinned.get(key);
  if (pinned !== undefined) return pinned;
  if (key === labelKeys.zone && node.zones.length === 1) return node.zones[0];
  return undefined;
}

/** Cheap first reject on domains the node has already decided (most nodes, most of the time). */
function knownDomainViolation(
  pod: PodInfo,
  level: ConstraintLevel,
  node: NewNode,
  topo: TopologyIndex,
  mins: SpreadMinimums,
): 0 | 1 | 2 {
  // 2: permanent (a node's decided domains and counters only grow), 1: may pass later, 0: no violation.
  for (const t of level.antiAffinity) {
    const v = decided(node, t.key);
    if (v !== undefined && topo.count(t, v) > 0) return 2;
  }
  for (const t of pod.blockedBy) {
    const v = decided(node, t.key);
    if (v !== undefined && topo.antiCount(t, v) > 0) return 2;
  }
  for (const t of level.affinity) {
    const v = decided(node, t.key);
    if (v !== undefined && topo.count(t, v) === 0 && !((topo.totals[t.sid] ?? 0) === 0 && t.selfMatch))
      return 1;
  }
  for (let i = 0; i < level.spreads.length; i++) {
    const s = level.spreads[i];
    if (!s) continue;
    const v = decided(node, s.key);
    // Hostname domains have a constant minimum of 0 (a fresh node), so their rejections are final.
    if (v !== undefined && topo.count(s, v) + (s.selfMatch ? 1 : 0) - (mins.mins[i] ?? 0) > s.maxSkew)
      return s.key === labelKeys.hostname ? 2 : 1;
  }
  return 0;
}

function hasMinValues(reqs: Requirements): boolean {
  for (const req of reqs.values()) if (req.minValues) return true;
  return false;
}

const noPins: Map<string, string>[] = [new Map<string, string>()];

/** Assignments of the pod's still-open topology keys on a new node, each a candidate. */
function pinCombos(node: NewNode, pod: PodInfo, reqs: Requirements): Map<string, string>[] {
  let combos: Map<string, string>[] = noPins;
  for (const key of pod.pinKeys) {
    if (key === labelKeys.hostname) continue;
    const values = node.domainValues(key);
    if (values.length <= 1) continue;
    const req = reqs.get(key);
    const allowed = req ? values.filter((v) => admitsValue(req, v)) : values;
    const next: Map<string, string>[] = [];
    for (const combo of combos) for (const v of allowed) next.push(new Map([...combo, [key, v]]));
    combos = next.slice(0, 64);
  }
  return combos;
}

export function evaluateNew(
  node: NewNode,
  pod: PodInfo,
  level: ConstraintLevel,
  mins: SpreadMinimums,
  state: RunState,
  ctx: RunContext,
): Candidate | typeof permanent | undefined {
  state.work++;
  if (!fitsSum(node.used, pod.vec, node.maxFree)) return undefined;
  if (ctx.compat.poolRejection(pod, node.pool)) return permanent;
  if (hostPortsConflict(pod.ports, node.ports)) return permanent;
  const known = knownDomainViolation(pod, level, node, state.topo, mins);
  if (known === 2) return permanent;
  if (known === 1) return undefined;
  let best: Candidate | undefined;
  level.alternatives.forEach((alt, altIndex) => {
    if (best) return;
    const reqs = intersect(node.reqs, alt);
    if (!satisfiable(reqs)) return;
    const mask = ctx.compat.mask(pod, alt, node.pool, `${pod.levels.indexOf(level)}/${altIndex}`);
    const zoneReq = reqs.get(labelKeys.zone);
    const ctReq = reqs.get(labelKeys.capacityType);
    for (const pins of pinCombos(node, pod, reqs)) {
      const labelOf = (key: string): string | undefined => {
        const pinned = pins.get(key);
        if (pinned !== undefined) return pinned;
        const values = node.domainValues(key);
        return values.length === 1 ? values[0] : undefined;
      };
      if (topologyViolation(pod, level, labelOf, state.topo, mins)) continue;
      const pz = pins.get(labelKeys.zone);
      const pc = pins.get(labelKeys.capacityType);
      const zones = node.zones.filter(
        (z) => (pz === undefined || z === pz) && (!zoneReq || admitsValue(zoneReq, z)),
      );
      const cts = node.capacityTypes.filter(
        (c) => (pc === undefined || c === pc) && (!ctReq || admitsValue(ctReq, c)),
      );
      if (zones.length === 0 || cts.length === 0) continue;
      const narrowed = zones.length < node.zones.length || cts.length < node.capacityTypes.length;
      const bits = narrowed ? offerBitsOf(node.pool, zones, cts) : node.offerBits();
      const otherPins = [...pins].filter(
        ([k]) => k !== labelKeys.zone && k !== labelKeys.capacityType && !node.pool.customKeys.has(k),
      );
      const used = node.used;
      // Label constraints narrow the node's list; room and offerings are checked per use.
      const admits = (t: PoolType): boolean =>
        mask[t.index] === 1 && otherPins.every(([k, v]) => t.labels[k] === v);
      const keep = (t: PoolType): boolean =>
        fitsSum(used, pod.vec, t.free) && hasOffering(t, zones, cts, bits) && admits(t);
      const narrowKey = `${maskId(mask)}|${otherPins.join(";")}`;
      // Without minValues only the cheapest kept type matters here: types are sorted by their
      // cheapest offering, so the scan stops as soon as no later type can be cheaper.
      let candidates: PoolType[] | undefined;
      let price = Infinity;
      if (hasMinValues(reqs)) {
        candidates = node.candidates.filter(keep);
        if (candidates.length === 0 || minValuesViolation(reqs, candidates, zones)) continue;
        for (const t of candidates) price = Math.min(price, cheapestOffering(t, zones, cts));
      } else {
        const list = node.candidates;
        for (let i = node.firstFit(); i < list.length; i++) {
          const t = list[i];
          if (!t) break;
          if (t.minPrice >= price) break;
          if (keep(t)) price = Math.min(price, cheapestOffering(t, zones, cts));
        }
        if (!Number.isFinite(price)) continue;
      }
      let pinnedReqs = reqs;
      for (const [k, v] of pins)
        pinnedReqs = intersect(
          pinnedReqs,
          new Map([
            [
              k,
              {
                allow: new Set([v]),
                deny: new Set<string>(),
                gt: undefined,
                lt: undefined,
                exists: true,
                minValues: undefined,
              },
            ],
          ]),
        );
      const score = domainScore(level, labelOf, state.topo);
      if (!best || score < best.score || (score === best.score && price < best.price))
        best = {
          reqs: pinnedReqs,
          pins,
          candidates,
          admits,
          narrowKey,
          narrowCache: ctx.compat.narrowed,
          zones,
          capacityTypes: cts,
          score,
          price,
        };
    }
  });
  return best;
}

/** Interned ids of compatibility masks (they are cached per pod class, so identity is stable). */
const maskIds = new WeakMap<Uint8Array, number>();
let nextMaskId = 0;
function maskId(mask: Uint8Array): number {
  let id = maskIds.get(mask);
  if (id === undefined) maskIds.set(mask, (id = nextMaskId++));
  return id;
}

/**
 * A type list narrowed by a candidate's constraint filter, memoised by (list, filter): most pods
 * narrow nothing or narrow the same way, so nodes share lists (and their cached envelopes) and a
 * placement does not re-scan the catalogue.
 */
function narrow(list: readonly PoolType[], c: Candidate): readonly PoolType[] {
  let byKey = c.narrowCache.get(list);
  if (!byKey) c.narrowCache.set(list, (byKey = new Map<string, readonly PoolType[]>()));
  let out = byKey.get(c.narrowKey);
  if (!out) {
    const filtered = list.filter(c.admits);
    out = filtered.length === list.length ? list : filtered;
    byKey.set(c.narrowKey, out);
  }
  return out;
}

export function commitNew(node: NewNode, pod: PodInfo, c: Candidate, state: RunState): void {
  const poolIndex = node.pool.index;
  const reserved = state.reserved[poolIndex];
  if (reserved) addInto(reserved, node.reserve, -1);
  node.reqs = c.reqs;
  const kept = c.candidates ?? narrow(node.candidates, c);
  // Keeping the same list (identity) keeps the cached envelope.
  if (kept.length !== node.candidates.length) node.candidates = kept;
  node.zones = c.zones;
  node.capacityTypes = c.capacityTypes;
  for (const [k, v] of c.pins) node.pinned.set(k, v);
  addInto(node.used, pod.vec);
  node.pods.push(pod);
  node.ports.push(...pod.ports);
  node.refresh();
  if (reserved) addInto(reserved, node.reserve);
  const labelOf = (key: string): string | undefined => {
    const values = node.domainValues(key);
    return values.length === 1 ? values[0] : undefined;
  };
  // Record every domain the pod's constraints saw, so later widening cannot change it.
  for (const key of pod.pinKeys) {
    const value = labelOf(key);
    if (value !== undefined) node.pinned.set(key, value);
  }
  state.topo.add(pod.matches, pod.ownAnti, labelOf);
  state.placements.set(pod.key, node.name);
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
