// Whether a pod fits on a new node of the plan, and how: a Candidate is the node as it would be with
// the pod (its requirements, pinned topology domains, zones, capacity types, remaining instance
// types and cheapest price), found by evaluateNew and applied by commitNew. Packing runs, repacking
// and moves all decide through these two, so a pod fits a new node the same way everywhere.
import { admitsValue, intersect, satisfiable, type Requirements } from "../domain/requirements.js";
import type { Compatibility } from "./compatibility.js";
import { topologyViolation, domainScore, type SpreadMinimums } from "./constraints.js";
import { labelKeys } from "../api/labels.js";
import { cheapestOffering, hasOffering, minValuesViolation, type NewNode } from "./node-state.js";
import type { RunContext, RunState } from "./packing-run.js";
import { hostPortsConflict, type ConstraintLevel, type PodInfo } from "./pods.js";
import { offerBitsOf, type PoolType } from "./pools.js";
import { addInto, fitsSum } from "./resource-space.js";
import type { TopologyIndex } from "./topology.js";

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
