// Improvement passes on the chosen packing, bounded by a deterministic work budget (counted price
// estimates and fit checks, never the clock), so a plan is the same for the same input.
//  - empty: move every pod of a node into the others and drop it, when that costs less;
//  - downsize/re-pack: move a pod off a node when that lets the node shrink to a cheaper type
//    and another node (or a fresh one) takes it for less than the saving — this mixes cpu-heavy
//    and memory-heavy pods so nodes fill in both dimensions, and evens out first-fit's piles;
//  - pairs (pair-pass.ts): re-split the pods of two nodes, or of one into two, onto fresh nodes
//    when a cheaper pair of types exists — undoes narrowing by departed pods (an architecture),
//    gathers pods that need a dearer type, and merges or splits nodes.
// Node prices always mean "cheapest instance type of the pool that still hosts the pods" (widen),
// so every accepted step strictly lowers the plan's cost and never adds a node it does not pay for.
import { cheapestOffering, type NewNode } from "./node-state.js";
import { labelKeys } from "../api/labels.js";
import type { Model } from "./model.js";
import {
  hostnameAffinitySelectors,
  labelOf,
  memo,
  movable,
  restore,
  tryMove,
  unmoveCounts,
  type NodeMemo,
} from "./moves.js";
import type { RunContext, RunResult, RunState } from "./packing-run.js";
import type { PodInfo } from "./pods.js";
import type { CompiledPool } from "./pools.js";
import { addInto, fitsSum, sub, type Vec } from "./resource-space.js";
import { SlackIndex } from "./slack-index.js";
import { BinPricer } from "./bin-pricer.js";
import { bestSplit } from "./pair-split.js";
import { pinnedOfferings, repackNodes, unrepack } from "./repack.js";
import { pairPass, type PairHost } from "./pair-pass.js";
import { widen, widenedPrice } from "./widen.js";

const eps = 1e-9;
/** Up to this many new nodes, destination searches scan them all (best answers, cheap enough). */
const fullScanNodes = 256;
/** Beyond it, nodes examined per destination search, from the slack index. */
const indexedScan = 64;

/** Cheapest kept type once `vec` joins the node (an estimate: the move itself re-checks everything). */
function priceAdding(node: NewNode, vec: Vec): number {
  let best = Infinity;
  const list = node.candidates;
  for (let i = node.firstFit(); i < list.length; i++) {
    const t = list[i];
    if (!t) break;
    if (t.minPrice >= best) break;
    if (fitsSum(node.used, vec, t.free))
      best = Math.min(best, cheapestOffering(t, node.zones, node.capacityTypes));
  }
  return best;
}

class Improver implements PairHost {
  private spent = 0;
  private readonly tied: ReadonlySet<number>;
  private readonly prices = new Map<NewNode, number>();
  private readonly freeMoved = new Set<PodInfo>();
  private readonly index = new SlackIndex();
  private readonly pricers = new Map<CompiledPool, BinPricer>();
  private readonly fruitless = new Set<string>();

  constructor(
    private readonly state: RunState,
    private readonly ctx: RunContext,
    private readonly budget: number,
    private readonly model: Model,
  ) {
    this.tied = hostnameAffinitySelectors(model);
    for (const node of state.newNodes) this.touch(node);
  }

  exhausted(): boolean {
    return this.spent + this.state.work > this.budget;
  }

  price(node: NewNode): number {
    const p = this.prices.get(node);
    return p ?? this.touch(node);
  }

  /** Re-prices the node and re-files it in the slack index (after any change to it). */
  touch(node: NewNode): number {
    const { type, price } = node.cheapest();
    this.prices.set(node, price);
    this.index.update(node, type ? (type.free[0] ?? 0) - (node.used[0] ?? 0) : 0);
    return price;
  }

  total(): number {
    return this.state.newNodes.reduce((s, n) => s + this.price(n), 0);
  }

  private reprice(nodes: Iterable<NewNode>): void {
    for (const n of nodes) {
      // Nodes are widened before improvement and a move neither relaxes requirements nor zones,
      // so only a pool's limits (other nodes' reservations moved) can change the eligible types.
      if (!n.pool.unlimited) widen(n, this.state.reserved[n.pool.index]);
      this.touch(n);
    }
  }

  private undo(moves: readonly [PodInfo, NewNode, NewNode][], memos: Map<NewNode, NodeMemo>): void {
    for (const [pod, from, to] of [...moves].reverse()) unmoveCounts(pod, from, to, this.state);
    for (const m of memos.values()) {
      restore(m, this.state);
      this.touch(m.node);
    }
  }

  private drop(node: NewNode): void {
    const state = this.state;
    const i = state.newNodes.indexOf(node);
    if (i >= 0) state.newNodes.splice(i, 1);
    const reserved = state.reserved[node.pool.index];
    if (reserved) addInto(reserved, node.reserve, -1);
    state.opened[node.pool.index] = (state.opened[node.pool.index] ?? 1) - 1;
    this.prices.delete(node);
    this.index.remove(node);
  }

  /**
   * Destinations for `pod` other than `exclude`, cheapest estimated increase first. Small plans
   * look at every node; large ones at a bounded number from the slack index (best fit first), so
   * a pass costs O(pods), not O(pods × nodes), and the budget reaches every node.
   */
  private destinations(pod: PodInfo, exclude: NewNode, limit: number): { node: NewNode; inc: number }[] {
    const scored: { node: NewNode; inc: number }[] = [];
    const all = this.state.newNodes.length <= fullScanNodes;
    let examined = 0;
    for (const node of all ? this.state.newNodes : this.index.from(pod.vec[0] ?? 0)) {
      if (node === exclude) continue;
      if (!all && examined++ >= indexedScan) break;
      this.spent++;
      const p = priceAdding(node, pod.vec);
      if (Number.isFinite(p)) scored.push({ node, inc: p - this.price(node) });
    }
    scored.sort((a, b) => a.inc - b.inc);
    return scored.slice(0, limit);
  }

  /** Empties `node` into the others; keeps the result only if the plan got cheaper. */
  empty(node: NewNode): boolean {
    if (!node.pods.every((p) => movable(p, this.tied))) return false;
    const before = this.price(node);
    const memos = new Map<NewNode, NodeMemo>([[node, memo(node)]]);
    const oldPrices = new Map<NewNode, number>();
    const moves: [PodInfo, NewNode, NewNode][] = [];
    // Hardest pods first: a node that cannot be emptied is found out early.
    const pods = [...node.pods].sort((a, b) => b.ports.length - a.ports.length || size(b) - size(a));
    for (const pod of pods) {
      let placed = false;
      for (const { node: to } of this.destinations(pod, node, 4)) {
        if (!memos.has(to)) {
          memos.set(to, memo(to));
          oldPrices.set(to, this.price(to));
        }
        if (tryMove(pod, node, to, this.state, this.ctx)) {
          moves.push([pod, node, to]);
          this.reprice([to]);
          placed = true;
          break;
        }
      }
      // Destinations only get dearer as pods arrive: once they already cost more than the node
      // saves, emptying it cannot pay, whatever the remaining pods do.
      if (!placed || this.exhausted() || this.increase(oldPrices) >= before - eps) {
        this.undo(moves, memos);
        return false;
      }
    }
    let after = 0;
    let old = before;
    for (const [n, p] of oldPrices) {
      after += this.price(n);
      old += p;
    }
    if (after < old - eps) {
      this.drop(node);
      return true;
    }
    this.undo(moves, memos);
    return false;
  }

  /** How much dearer the given nodes are now than at their recorded prices. */
  private increase(oldPrices: ReadonlyMap<NewNode, number>): number {
    let sum = 0;
    for (const [n, p] of oldPrices) sum += this.price(n) - p;
    return sum;
  }

  /**
   * Moves pods off `node`: for less than the node saves by shrinking, or for free into another
   * node's slack (its current type already has room). Free moves never raise the cost and let a
   * node that is full in one dimension (first-fit's piles) shed pods until it can shrink; each pod
   * makes at most one free move per improvement, so passes cannot cycle.
   */
  shrink(node: NewNode): boolean {
    let improved = false;
    for (const pod of [...node.pods]) {
      if (this.exhausted()) break;
      if (node.pods.length <= 1 || !movable(pod, this.tied)) continue;
      const current = this.price(node);
      this.spent++;
      const shrunk = widenedPrice(node, this.state.reserved[node.pool.index], sub(node.used, pod.vec));
      const saving = Math.max(0, current - shrunk);
      const free = !this.freeMoved.has(pod);
      if (!(saving > eps) && !free) continue;
      for (const { node: to, inc } of this.destinations(pod, node, 3)) {
        const neutral = inc <= eps && free;
        if (!neutral && !(saving - inc > eps)) break;
        const before = current + this.price(to);
        const memos = new Map([
          [node, memo(node)],
          [to, memo(to)],
        ]);
        if (!tryMove(pod, node, to, this.state, this.ctx)) continue;
        this.reprice([node, to]);
        const after = this.price(node) + this.price(to);
        if (after < before - eps || (neutral && after <= before + eps)) {
          if (after < before - eps) improved = true;
          else this.freeMoved.add(pod);
          break;
        }
        this.undo([[pod, node, to]], memos);
      }
    }
    return improved;
  }

  get nodes(): readonly NewNode[] {
    return this.state.newNodes;
  }

  private get dims(): readonly string[] {
    return this.model.space.names;
  }

  /** Resources some pending pod requests. */
  private active(): number[] {
    const used = new Set<number>();
    for (const pod of this.model.pending) pod.vec.forEach((v, i) => (v > 0 ? used.add(i) : undefined));
    return [...used].sort((a, b) => a - b);
  }

  private pricer(pool: CompiledPool): BinPricer {
    let pricer = this.pricers.get(pool);
    if (!pricer)
      this.pricers.set(
        pool,
        (pricer = new BinPricer(pool, this.ctx.compat, this.dims.length, this.active())),
      );
    return pricer;
  }

  /** What a re-pack could recover at most: price minus the pods' fractional cost on any type. */
  waste(node: NewNode): number {
    this.spent++;
    return this.price(node) - this.pricer(node.pool).within(node.zones, node.capacityTypes).floor(node.used);
  }

  /**
   * Re-packs `a` with `b` (or splits `a` in two when `b` is undefined) when the pair split search
   * finds a cheaper pair of nodes; kept only if the real placement confirms it is cheaper.
   */
  repack(a: NewNode, b: NewNode | undefined, pins: ReadonlyMap<string, string>): boolean {
    const pool = a.pool;
    if (!pool.unlimited || (b && b.pool !== pool)) return false;
    const olds = b ? [a, b] : [a];
    // A pair that found nothing is not searched again until one of its nodes changed.
    const key = olds.map((n) => `${n.name}:${n.pods.length}:${n.used[0]}:${n.used[1]}`).join("|");
    if (this.fruitless.has(key)) return false;
    this.fruitless.add(key);
    if (!olds.every((n) => n.pods.every((p) => movable(p, this.tied)))) return false;
    const pricer = this.pricer(pool);
    const before = olds.reduce((sum, n) => sum + this.price(n), 0);
    const work = { spent: this.spent, limit: this.budget - this.state.work };
    const split = bestSplit({ pricer, sides: [a.pods, b?.pods ?? []], ...pinnedOfferings(pool, pins), work });
    this.spent = work.spent;
    if (!split || !(split.cost < before - eps)) return false;
    const state = this.state;
    const names = [a.name, b?.name ?? `${this.ctx.namePrefix}-${state.nextName}`];
    const fresh = repackNodes(olds, split.sides, names, pins, state, this.ctx);
    if (!fresh) return false;
    const after = fresh.reduce((sum, n) => sum + (n ? n.price() : 0), 0);
    if (!(after < before - eps)) {
      unrepack(olds, fresh, state);
      return false;
    }
    // Fresh nodes take their old nodes' places (a split's second node goes last).
    const slots = olds.map((n) => state.newNodes.indexOf(n));
    for (const old of olds) this.drop(old);
    const placed = fresh.map((node, i) => ({ node, at: slots[i] ?? Infinity }));
    for (const { node, at } of placed.sort((x, y) => x.at - y.at)) {
      if (!node) continue;
      if (Number.isFinite(at)) state.newNodes.splice(Math.min(at, state.newNodes.length), 0, node);
      else {
        state.newNodes.push(node);
        state.nextName++;
      }
      state.opened[pool.index] = (state.opened[pool.index] ?? 0) + 1;
      this.touch(node);
    }
    return true;
  }
}

function size(pod: PodInfo): number {
  return (pod.vec[0] ?? 0) / 1000 + (pod.vec[1] ?? 0) / 2 ** 32;
}

/**
 * Packing runs share the model's topology counters (each run resets them), so the chosen run's
 * counts are rebuilt from its nodes before any pod moves.
 */
export function recount(model: Model, state: RunState): void {
  const topo = model.topo;
  topo.resetCounts();
  for (const node of state.fixed) {
    const of = (key: string): string | undefined =>
      node.labels[key] ?? (key === labelKeys.hostname ? node.name : undefined);
    for (const pod of node.pods) topo.add(pod.matches, pod.ownAnti, of);
  }
  for (const node of state.newNodes)
    for (const pod of node.pods) topo.add(pod.matches, pod.ownAnti, labelOf(node));
}

export function improve(model: Model, best: RunResult, ctx: RunContext, budget: number): RunResult {
  const state = best.state;
  if (state.newNodes.length < 2) return best;
  state.work = 0;
  recount(model, state);
  const im = new Improver(state, ctx, budget, model);
  const start = im.total();
  for (let round = 0; round < 4 && !im.exhausted(); round++) {
    let changed = false;
    // Cheapest nodes are the easiest to empty.
    const byPrice = [...state.newNodes].sort((a, b) => im.price(a) - im.price(b));
    for (const node of byPrice) {
      if (im.exhausted()) break;
      if (state.newNodes.includes(node) && im.empty(node)) changed = true;
    }
    // Most expensive first: their pods have the most room to be placed better.
    for (const node of [...state.newNodes].sort((a, b) => im.price(b) - im.price(a))) {
      if (im.exhausted()) break;
      if (im.shrink(node)) changed = true;
    }
    if (!im.exhausted() && pairPass(im)) changed = true;
    if (!changed) break;
  }
  // Every accepted step lowered the cost, so the improved state is never worse than the start.
  const cost = im.total();
  return { ...best, cost: Math.min(cost, start) };
}
