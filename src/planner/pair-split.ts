// The cheapest split of the pods of two nodes (or of one node into two) by estimated price: a
// best-improvement local search over single-pod relocations and pod swaps between the two sides,
// from the current split and from one that groups the pods with the narrowest type masks. This is
// how rafter mixes cpu-heavy and memory-heavy pods on a node and keeps pods that need a dearer
// type (an architecture, a family) together instead of one per node. Pure; counts its work.
import type { CapacityType } from "../api/common.js";
import type { BinPricer } from "./bin-pricer.js";
import { labelKeys } from "../api/labels.js";
import { hostPortsConflict, type PodInfo } from "./pods.js";
import { addInto } from "./resource-space.js";

export interface Split {
  readonly sides: readonly [PodInfo[], PodInfo[]];
  readonly cost: number;
}

export interface SplitInput {
  readonly pricer: BinPricer;
  readonly sides: readonly [readonly PodInfo[], readonly PodInfo[]];
  readonly zones: readonly string[];
  readonly capacityTypes: readonly CapacityType[];
  /** Incremented per price estimate; the search stops once it passes `limit`. */
  readonly work: { spent: number; readonly limit: number };
}

/** Does a's hostname anti-affinity keep b off its node? */
function blocks(a: PodInfo, b: PodInfo): boolean {
  for (const t of a.levels[0]?.antiAffinity ?? [])
    if (t.key === labelKeys.hostname && b.matches.includes(t.sid)) return true;
  return false;
}

/** Pods that may conflict with others on a node: hostname anti-affinity or host ports. */
function exclusive(p: PodInfo): boolean {
  return p.ports.length > 0 || (p.levels[0]?.antiAffinity ?? []).some((t) => t.key === labelKeys.hostname);
}

/** Hostname anti-affinity or host ports keep two pods off the same node. */
function conflicts(a: PodInfo, b: PodInfo): boolean {
  return blocks(a, b) || blocks(b, a) || hostPortsConflict(a.ports, b.ports) !== undefined;
}

function sameVec(a: PodInfo | undefined, b: PodInfo | undefined): boolean {
  if (!a || !b) return false;
  for (let i = 0; i < a.vec.length; i++) if (a.vec[i] !== b.vec[i]) return false;
  return true;
}

/** Search state: which side each pod is on, per-side usage and mask counts. */
class Sides {
  readonly used: [Float64Array, Float64Array];
  readonly counts: [Int32Array, Int32Array];
  readonly scratch: Float64Array;
  /** Bit set of the masks present on each side. */
  readonly base: [number, number] = [0, 0];

  constructor(
    readonly pods: readonly PodInfo[],
    readonly masks: readonly number[],
    readonly side: Uint8Array,
    dims: number,
  ) {
    this.used = [new Float64Array(dims), new Float64Array(dims)];
    this.counts = [new Int32Array(32), new Int32Array(32)];
    this.scratch = new Float64Array(dims);
    pods.forEach((_, i) => {
      this.put(i, side[i] ?? 0, 1);
    });
  }

  put(i: number, s: number, sign: 1 | -1): void {
    const pod = this.pods[i];
    const used = this.used[s as 0 | 1];
    const counts = this.counts[s as 0 | 1];
    if (!pod) return;
    addInto(used, pod.vec, sign);
    const m = this.masks[i] ?? 0;
    counts[m] = (counts[m] ?? 0) + sign;
    if ((counts[m] ?? 0) > 0) this.base[s as 0 | 1] |= 1 << m;
    else this.base[s as 0 | 1] &= ~(1 << m);
    if (sign === 1) this.side[i] = s;
  }

  /** Mask bits of side `s` after removing pod `out` and adding pod `inn` (-1: none). */
  bits(s: 0 | 1, out: number, inn: number): number {
    const counts = this.counts[s];
    let bits = this.base[s];
    const mo = out >= 0 ? (this.masks[out] ?? 0) : -1;
    const mi = inn >= 0 ? (this.masks[inn] ?? 0) : -1;
    if (mo >= 0 && mo !== mi && (counts[mo] ?? 0) === 1) bits &= ~(1 << mo);
    if (mi >= 0) bits |= 1 << mi;
    return bits;
  }
}

/**
 * Bounds on one search, so a pair of crowded nodes cannot take a batch's whole budget: pairs with
 * more pods are not searched (a neighbourhood is O(pods²) estimates), and a search makes at most
 * this many moves.
 */
const maxPods = 64;
const maxMoves = 12;

export function bestSplit(input: SplitInput): Split | undefined {
  const pods = [...input.sides[0], ...input.sides[1]];
  const n = pods.length;
  if (n > maxPods) return undefined;
  const masks = pods.map((p) => input.pricer.maskOf(p));
  if (n === 0 || masks.some((m) => m < 0)) return undefined;
  const dims = pods[0]?.vec.length ?? 0;
  const estimate = input.pricer.within(input.zones, input.capacityTypes);
  const clash = new Uint8Array(n * n);
  const marked = pods.map(exclusive);
  for (let i = 0; i < n; i++)
    for (let j = i + 1; j < n; j++) {
      const a = pods[i];
      const b = pods[j];
      if (a && b && (marked[i] || marked[j]) && conflicts(a, b)) clash[i * n + j] = clash[j * n + i] = 1;
    }
  const price = (s: Sides, side: 0 | 1, out: number, inn: number): number => {
    input.work.spent++;
    const used = s.scratch;
    used.set(s.used[side]);
    if (out >= 0) addInto(used, pods[out]?.vec ?? used, -1);
    if (inn >= 0) addInto(used, pods[inn]?.vec ?? used);
    return estimate.price(used, s.bits(side, out, inn));
  };
  /** Can pod i join side t, with pod `leaving` gone from it? */
  const admits = (s: Sides, i: number, t: number, leaving: number): boolean => {
    for (let k = 0; k < n; k++)
      if (k !== i && k !== leaving && s.side[k] === t && clash[i * n + k]) return false;
    return true;
  };
  const search = (start: Uint8Array): { side: Uint8Array; cost: number } => {
    const s = new Sides(pods, masks, start, dims);
    let cost = price(s, 0, -1, -1) + price(s, 1, -1, -1);
    for (let iter = 0; iter < Math.min(n, maxMoves) && input.work.spent < input.work.limit; iter++) {
      let best = { cost, i: -1, j: -1 };
      for (let i = 0; i < n; i++) {
        const from = (s.side[i] ?? 0) as 0 | 1;
        const to = (1 - from) as 0 | 1;
        if (admits(s, i, to, -1)) {
          const c = price(s, from, i, -1) + price(s, to, -1, i);
          if (c < best.cost - 1e-9) best = { cost: c, i, j: -1 };
        }
        for (let j = i + 1; j < n; j++) {
          if (s.side[j] !== to || (masks[i] === masks[j] && sameVec(pods[i], pods[j]))) continue;
          if (!admits(s, i, to, j) || !admits(s, j, from, i)) continue;
          const c = price(s, from, i, j) + price(s, to, j, i);
          if (c < best.cost - 1e-9) best = { cost: c, i, j };
        }
      }
      if (best.i < 0) break;
      const from = (s.side[best.i] ?? 0) as 0 | 1;
      s.put(best.i, from, -1);
      if (best.j >= 0) s.put(best.j, 1 - from, -1);
      s.put(best.i, 1 - from, 1);
      if (best.j >= 0) s.put(best.j, from, 1);
      cost = best.cost;
    }
    return { side: s.side, cost };
  };
  const current = Uint8Array.from(pods, (_, i) => (i < input.sides[0].length ? 0 : 1));
  let best = search(current);
  // Second start: pods with the rarest masks (fewest admitted types on the other side) together.
  const distinct = new Set(masks);
  if (distinct.size > 1) {
    const rare = [...distinct].sort(
      (a, b) => input.pricer.admitted(a) - input.pricer.admitted(b) || a - b,
    )[0];
    const grouped = Uint8Array.from(masks, (m) => (m === rare ? 0 : 1));
    const other = search(grouped);
    if (other.cost < best.cost - 1e-9) best = other;
  }
  const sides: [PodInfo[], PodInfo[]] = [[], []];
  pods.forEach((p, i) => sides[(best.side[i] ?? 0) as 0 | 1].push(p));
  return { sides, cost: best.cost };
}
