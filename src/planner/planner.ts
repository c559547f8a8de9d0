// plan(): the capacity planner's entry point. Pure and deterministic: it compiles the snapshot,
// packs the pending pods several times under different node-size targets (plain
// first-fit-decreasing first), widens each new node to every instance type that still fits,
// improves the cheapest packing (larger batches also other starts, keeping the cheapest result),
// and reports it with an optional LP lower bound.
import { compileModel, seedState, type Model } from "./model.js";
import type { RunContext, RunResult, RunState } from "./packing-run.js";
import { placePod } from "./placement.js";
import type { CompiledPool, PoolType } from "./pools.js";
import { unschedulableReason } from "./reasons.js";
import { improve, recount } from "./improve.js";
import { lowerBound } from "./lower-bound.js";
import { buildPlan } from "./output.js";
import { widen, widenedPrice } from "./widen.js";
import type { Plan, PlanningSnapshot, PlanOptions } from "./types.js";
import type { PodInfo } from "./pods.js";

export const defaultPlanOptions = {
  namePrefix: "rafter",
  maxInstanceTypes: 60,
  packingRuns: 12,
  workBudget: 250_000,
  improve: true,
} as const;

/**
 * Batches this large also improve the first-fit-decreasing run when another run won. Smaller
 * batches are the provisioner's latency-bound path, and there the cheapest run is usually also
 * the best start.
 */
const secondImproveMinPods = 200;

/**
 * Batches of a few hundred pods also improve the next cheapest packings (up to `extraStarts`,
 * distinct by cost) and let runs within `startSlack` of the best finish: on mixed shapes a run
 * of mid-sized nodes often ends cheapest after re-packing though it starts dearer (mixed 300:
 * 1.237 -> 1.071 against 1.169 -> 1.091). Larger batches keep two starts: time grows with them.
 */
const extraStartsMaxPods = 1000;
const extraStarts = 1;
const startSlack = 0.1;

/** Default work budget per pending pod (beyond defaultPlanOptions.workBudget). */
const workPerPod = 250;

/** Pending pods in first-fit-decreasing order: cpu, then memory, descending; name breaks ties. */
function sortPods(pods: readonly PodInfo[]): PodInfo[] {
  return [...pods].sort((a, b) => {
    const d = (b.vec[0] ?? 0) - (a.vec[0] ?? 0) || (b.vec[1] ?? 0) - (a.vec[1] ?? 0);
    return d !== 0 ? d : a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
  });
}

/** Σ over new nodes of the price each will have once widened (how runs are compared). */
function runCost(state: RunState): number {
  return state.newNodes.reduce(
    (sum, n) => sum + Math.min(n.price(), widenedPrice(n, state.reserved[n.pool.index])),
    0,
  );
}

/**
 * A cheap lower bound on a run's final cost, valid mid-run: nodes are never removed and each
 * node's floor price (cheapest pool type with room, constraints ignored) only grows as pods join.
 */
function runFloor(state: RunState): number {
  return state.newNodes.reduce((sum, n) => sum + n.floorPrice(), 0);
}

/**
 * One packing run. With `stopAbove`, the run is abandoned (undefined) as soon as its cost floor
 * (runFloor) exceeds it: such a run cannot end cheaper.
 */
function packingRun(
  model: Model,
  order: readonly PodInfo[],
  ctx: RunContext,
  stopAbove = Infinity,
): RunResult | undefined {
  const state: RunState = {
    fixed: seedState(model),
    newNodes: [],
    topo: model.topo,
    reserved: model.pools.map(() => model.space.zero()),
    opened: model.pools.map(() => 0),
    placements: new Map(),
    failures: new Map(),
    work: 0,
    nextName: 1,
    dead: new Map(),
  };
  const checkEvery = Math.max(16, Math.ceil(order.length / 24));
  let placed = 0;
  for (const pod of order) {
    placePod(pod, state, ctx);
    if (++placed % checkEvery === 0 && Number.isFinite(stopAbove) && runFloor(state) > stopAbove + 1e-9)
      return undefined;
  }
  // Runs are compared by the price their nodes will have once widened; only the winner is widened.
  return { state, cost: runCost(state), failed: state.failures.size };
}

/** Widens every new node of the chosen run (in order: each node's limits see the ones before). */
function widenAll(state: RunState): void {
  for (const node of state.newNodes) widen(node, state.reserved[node.pool.index]);
}

function better(a: RunResult, b: RunResult | undefined): boolean {
  if (!b) return true;
  if (a.failed !== b.failed) return a.failed < b.failed;
  if (Math.abs(a.cost - b.cost) > 1e-9) return a.cost < b.cost;
  return a.state.newNodes.length < b.state.newNodes.length;
}

/**
 * A pool's types no larger than `target` (cpu and memory), memoised by the (catalogue-memoised)
 * type list, so batches share the lists and their cached envelopes.
 */
const upTo = new WeakMap<readonly PoolType[], Map<PoolType, readonly PoolType[]>>();
function typesUpTo(types: readonly PoolType[], target: PoolType): readonly PoolType[] {
  let byTarget = upTo.get(types);
  if (!byTarget) upTo.set(types, (byTarget = new Map<PoolType, readonly PoolType[]>()));
  let list = byTarget.get(target);
  if (!list) {
    list = types.filter(
      (t) => (t.free[0] ?? 0) <= (target.free[0] ?? 0) && (t.free[1] ?? 0) <= (target.free[1] ?? 0),
    );
    byTarget.set(target, list);
  }
  return list;
}

/**
 * Node-size targets for extra runs: for n = 1, 2, 3, 4, 6, 8, … the cheapest type of each pool that
 * holds 1/n of the demand its pods put on it; a run under target t opens nodes no larger than t,
 * so first-fit fills mid-sized nodes with a mix of cpu- and memory-heavy pods instead of one giant.
 */
function sizeTargets(
  model: Model,
  order: readonly PodInfo[],
  count: number,
): ((pool: CompiledPool) => readonly PoolType[] | undefined)[] {
  const splits = [1, 2, 3, 4, 6, 8, 12, 16, 24, 32, 48, 64].slice(0, count);
  const perPool = new Map<CompiledPool, (PoolType | undefined)[]>();
  for (const pool of model.pools) {
    // Only the pods this pool could host shape its targets.
    const demand = model.space.zero();
    for (const p of order)
      if (model.compat.poolRejection(p, pool) === undefined)
        for (let i = 0; i < demand.length; i++) demand[i] = (demand[i] ?? 0) + (p.vec[i] ?? 0);
    perPool.set(
      pool,
      splits.map((n) =>
        pool.types.find(
          (t) => (t.free[0] ?? 0) >= (demand[0] ?? 0) / n && (t.free[1] ?? 0) >= (demand[1] ?? 0) / n,
        ),
      ),
    );
  }
  // A split whose targets repeat an earlier split's (or are all "no target", i.e. plain
  // first-fit-decreasing) would repeat that run exactly: skip it.
  const seen = new Set<string>([model.pools.map(() => "-").join(",")]);
  const policies: ((pool: CompiledPool) => readonly PoolType[] | undefined)[] = [];
  splits.forEach((_, k) => {
    const signature = model.pools.map((p) => perPool.get(p)?.[k]?.index ?? "-").join(",");
    if (seen.has(signature)) return;
    seen.add(signature);
    const lists = new Map<CompiledPool, readonly PoolType[]>();
    for (const pool of model.pools) {
      const target = perPool.get(pool)?.[k];
      if (target) lists.set(pool, typesUpTo(pool.types, target));
    }
    // One list per pool and split, so fresh nodes share it (and its cached envelope).
    policies.push((pool) => lists.get(pool));
  });
  return policies;
}

export function plan(snapshot: PlanningSnapshot, options: PlanOptions = {}): Plan {
  const opts = { ...defaultPlanOptions, ...options };
  const model = compileModel(snapshot);
  // The budget keeps plans deterministic (it counts work, not time); by default it grows with the
  // batch so large batches get improvement passes too. An explicit budget is used as given.
  const budget = options.workBudget ?? Math.max(opts.workBudget, workPerPod * model.pending.length);
  const order = sortPods(model.pending);
  const policies = [() => undefined, ...sizeTargets(model, order, Math.max(0, opts.packingRuns - 1))];
  let best: RunResult | undefined;
  let first: RunResult | undefined;
  const completed: RunResult[] = [];
  const wide = opts.improve && order.length >= secondImproveMinPods && order.length < extraStartsMaxPods;
  let work = 0;
  for (const policy of policies) {
    if (best && work > budget) break;
    // Only a run without failures may be cut short: a run with fewer failures wins at any cost.
    const stopAbove = best?.failed === 0 ? best.cost * (wide ? 1 + startSlack : 1) : Infinity;
    const context = {
      space: model.space,
      pools: model.pools,
      compat: model.compat,
      namePrefix: opts.namePrefix,
      typePolicy: policy,
    };
    const result = packingRun(model, order, context, stopAbove);
    work += result?.state.work ?? order.length;
    first ??= result;
    if (result) completed.push(result);
    if (result && better(result, best)) best = result;
  }
  if (!best) throw new Error("unreachable: at least one packing run");
  const improveContext: RunContext = {
    space: model.space,
    pools: model.pools,
    compat: model.compat,
    namePrefix: opts.namePrefix,
    typePolicy: () => undefined,
  };
  widenAll(best.state);
  if (opts.improve) {
    const startCosts = [best.cost, first?.cost ?? Infinity];
    const improved = improve(model, best, improveContext, budget);
    best = improved;
    // The cheapest packing is not always the best start: plain first-fit-decreasing piles are
    // often what the passes repair best. Improve it too when another run won, keep the cheaper.
    if (
      order.length >= secondImproveMinPods &&
      first &&
      first !== best &&
      first.state !== improved.state &&
      first.failed === improved.failed
    ) {
      widenAll(first.state);
      const alternative = improve(model, first, improveContext, budget);
      if (better(alternative, improved)) best = alternative;
      else recount(model, improved.state);
    }
    if (wide) {
      // Runs with equal costs are (almost always) the same packing: one start each.
      const starts: RunResult[] = [];
      for (const r of [...completed].sort((a, b) => a.cost - b.cost)) {
        if (starts.length >= extraStarts) break;
        if (r.failed !== best.failed || startCosts.some((c) => Math.abs(c - r.cost) < 1e-9)) continue;
        startCosts.push(r.cost);
        starts.push(r);
      }
      for (const start of starts) {
        widenAll(start.state);
        const alternative = improve(model, start, improveContext, budget);
        if (better(alternative, best)) best = alternative;
      }
      if (starts.length > 0) recount(model, best.state);
    }
  }
  const reasons = new Map(
    [...best.state.failures.values()].map((p) => [p.key, unschedulableReason(p, model)]),
  );
  const planned = buildPlan(model, best.state, reasons, opts.maxInstanceTypes);
  if (!opts.lpSolver) return planned;
  const bound = lowerBound(model, best.state, opts.lpSolver);
  const efficiency = bound > 0 ? planned.hourlyCost / bound : planned.hourlyCost === 0 ? 1 : Infinity;
  return { ...planned, lowerBound: bound, efficiency };
}
