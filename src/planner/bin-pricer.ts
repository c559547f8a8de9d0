// Estimated node prices for the re-packing moves: the cheapest instance type of a pool that has room
// for a resource vector and that every pod on the node admits, within given zones and capacity
// types. Only Pareto-efficient types are scanned (no type that is at most as cheap and at least as
// large in every resource is skipped over), so an estimate is a short scan. It is an estimate: the
// real placement re-checks every constraint (pins, spread, affinity) before a move is kept.
import type { CapacityType } from "../api/common.js";
import type { Compatibility } from "./compatibility.js";
import { cheapestOffering } from "./node-state.js";
import type { PodInfo } from "./pods.js";
import type { CompiledPool } from "./pools.js";
import { fitsSum, type Vec } from "./resource-space.js";

interface Entry {
  readonly free: Vec;
  readonly price: number;
}

export interface Estimates {
  price(used: Vec, maskBits: number): number;
  floor(used: Vec): number;
}

/** Distinct admit masks a pricer tells apart (a node's mask set is a bit set of them). */
const maxMasks = 30;

/**
 * Masks and frontiers shared by every plan on the same (catalogue-memoised) pool type list, so a
 * batch does not rebuild them: masks interned by content, frontiers by mask ids and offerings.
 */
interface Shared {
  readonly ids: Map<string, number>;
  readonly masks: Uint8Array[];
  readonly sizes: number[];
  readonly frontiers: Map<string, readonly Entry[]>;
}
const shared = new WeakMap<readonly unknown[], Shared>();
/** Bounds on what a type list remembers (requirements vary without limit across batches). */
const maxShared = 1024;

export class BinPricer {
  /** Local mask id (a bit of a node's mask set) → shared mask id. */
  private readonly global: number[] = [];
  private readonly byClass = new Map<number, number>();
  private readonly shared: Shared;
  private readonly local = new Map<string, Estimates>();
  private readonly zero: Vec;

  constructor(
    readonly pool: CompiledPool,
    private readonly compat: Compatibility,
    dims: number,
    /** Resources some pod requests: dominance and shares look only at these. */
    private readonly active: readonly number[],
  ) {
    this.zero = new Float64Array(dims);
    let s = shared.get(pool.types);
    if (!s || s.masks.length > maxShared || s.frontiers.size > maxShared) {
      s = { ids: new Map(), masks: [], sizes: [], frontiers: new Map() };
      shared.set(pool.types, s);
    }
    this.shared = s;
  }

  /**
   * Local id of the types the pod's strictest level admits on this pool (any alternative), or -1
   * when this plan already has too many distinct masks to tell apart.
   */
  maskOf(pod: PodInfo): number {
    const known = this.byClass.get(pod.classId);
    if (known !== undefined) return known;
    const m = new Uint8Array(this.pool.types.length);
    (pod.levels[0]?.alternatives ?? []).forEach((alt, a) => {
      // Same cache key as placement's evaluateNew at level 0: the masks are shared.
      const mask = this.compat.mask(pod, alt, this.pool, `0/${a}`);
      for (let i = 0; i < m.length; i++) m[i] = (m[i] ?? 0) | (mask[i] ?? 0);
    });
    const key = m.join("");
    let g = this.shared.ids.get(key);
    if (g === undefined) {
      g = this.shared.masks.length;
      this.shared.ids.set(key, g);
      this.shared.masks.push(m);
      this.shared.sizes.push(m.reduce((n, b) => n + b, 0));
    }
    let id = this.global.indexOf(g);
    if (id < 0 && this.global.length < maxMasks) id = this.global.push(g) - 1;
    this.byClass.set(pod.classId, id);
    return id;
  }

  /** How many of the pool's types a mask admits (narrow masks are the ones worth grouping). */
  admitted(id: number): number {
    return this.shared.sizes[this.global[id] ?? -1] ?? 0;
  }

  /**
   * Estimates within zones and capacity types. `price`: cheapest admitted type with room for
   * `used`, 0 for an empty node (no masks), Infinity when none. `floor`: the fractional cost of
   * `used` on the cheapest type for it among all types (no masks), a lower bound on what any
   * packing pays for it. Frontiers are looked up once per mask set, so each is a short scan.
   */
  within(zones: readonly string[], cts: readonly CapacityType[]): Estimates {
    const offerKey = `${zones.join(",")}|${cts.join(",")}`;
    let estimates = this.local.get(offerKey);
    if (estimates) return estimates;
    const cache = new Map<number, readonly Entry[]>();
    const frontierOf = (bits: number): readonly Entry[] => {
      let f = cache.get(bits);
      if (!f) cache.set(bits, (f = this.frontier(bits, zones, cts)));
      return f;
    };
    const zero = this.zero;
    const active = this.active;
    estimates = {
      price(used, maskBits) {
        if (maskBits === 0) return 0;
        for (const e of frontierOf(maskBits)) if (fitsSum(used, zero, e.free)) return e.price;
        return Infinity;
      },
      floor(used) {
        let best = Infinity;
        for (const e of frontierOf(0)) {
          let share = 0;
          for (const i of active) {
            const u = used[i] ?? 0;
            if (u > 0) share = Math.max(share, u / (e.free[i] ?? 0));
          }
          best = Math.min(best, e.price * share);
        }
        return best;
      },
    };
    this.local.set(offerKey, estimates);
    return estimates;
  }

  private frontier(
    maskBits: number,
    zones: readonly string[],
    cts: readonly CapacityType[],
  ): readonly Entry[] {
    const ids = this.global.filter((_, i) => (maskBits & (1 << i)) !== 0).sort((a, b) => a - b);
    const key = `${ids.join(",")}|${zones.join(",")}|${cts.join(",")}|${this.active.join(",")}`;
    let list = this.shared.frontiers.get(key);
    if (list) return list;
    const masks = ids.map((g) => this.shared.masks[g] ?? new Uint8Array(0));
    const admitted: Entry[] = [];
    for (const t of this.pool.types) {
      // A type that cannot even host its DaemonSets never fits anything (and must not dominate).
      if (!masks.every((m) => m[t.index] === 1) || !fitsSum(this.zero, this.zero, t.free)) continue;
      const price = cheapestOffering(t, zones, cts);
      if (Number.isFinite(price)) admitted.push({ free: t.free, price });
    }
    admitted.sort((a, b) => a.price - b.price);
    const kept: Entry[] = [];
    for (const e of admitted)
      if (!kept.some((k) => this.active.every((i) => (e.free[i] ?? 0) <= (k.free[i] ?? 0)))) kept.push(e);
    this.shared.frontiers.set(key, (list = kept));
    return list;
  }
}
