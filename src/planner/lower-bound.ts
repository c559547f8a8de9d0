// The LP lower bound on the cost of new capacity: pods grouped into compatibility classes, each
// class spread fractionally over the offerings (pool × type × zone × capacity type) it may use,
// fractional nodes of each offering holding the resources assigned to them, minimising the
// hourly price. Offerings no class can tell apart (same pool, type, price and set of classes that
// may use them) are merged, which keeps the LP small without changing its optimum.
// Solved with HiGHS (wasm); plan() calls this only when given a solver.
import { admitsValue } from "../domain/requirements.js";
import { labelKeys } from "../api/labels.js";
import type { Model } from "./model.js";
import type { RunState } from "./packing-run.js";
import type { PodInfo } from "./pods.js";
import type { LpSolver } from "./types.js";

interface Group {
  readonly price: number;
  readonly free: Float64Array;
  readonly classes: number[];
}

/** Classes of the pods placed on new nodes, keyed by constraint signature. */
function classesOf(state: RunState): PodInfo[][] {
  const byClass = new Map<string, PodInfo[]>();
  for (const node of state.newNodes)
    for (const pod of node.pods) {
      let list = byClass.get(pod.classKey);
      if (!list) byClass.set(pod.classKey, (list = []));
      list.push(pod);
    }
  return [...byClass.values()];
}

export function lowerBoundProblem(model: Model, state: RunState): string | undefined {
  const classes = classesOf(state);
  if (classes.length === 0) return undefined;
  const dims = model.space.names.length;
  const demand = classes.map((pods) => {
    const d = new Float64Array(dims);
    for (const p of pods) for (let i = 0; i < dims; i++) d[i] = (d[i] ?? 0) + (p.vec[i] ?? 0);
    return d;
  });
  const biggest = classes.map((pods) => {
    const d = new Float64Array(dims);
    for (const p of pods) for (let i = 0; i < dims; i++) d[i] = Math.max(d[i] ?? 0, p.vec[i] ?? 0);
    return d;
  });
  const groups = new Map<string, Group>();
  for (const pool of model.pools) {
    const usable = classes.map((pods) => {
      const pod = pods[0];
      return pod !== undefined && model.compat.poolRejection(pod, pool) === undefined;
    });
    for (const t of pool.types) {
      // Which classes may use each offering of this type (labels, zone, capacity type, largest pod fits).
      const allowedBy = new Map<string, number[]>();
      classes.forEach((pods, c) => {
        const pod = pods[0];
        if (!pod || !usable[c]) return;
        const big = biggest[c];
        for (let i = 0; i < dims; i++) if ((big?.[i] ?? 0) > (t.free[i] ?? 0)) return;
        const alts = pod.levels.at(-1)?.alternatives ?? [];
        for (const o of t.offerings) {
          const ok = alts.some((alt, a) => {
            if (model.compat.mask(pod, alt, pool, `lb/${a}`)[t.index] !== 1) return false;
            const z = alt.get(labelKeys.zone);
            const ct = alt.get(labelKeys.capacityType);
            return (!z || admitsValue(z, o.zone)) && (!ct || admitsValue(ct, o.capacityType));
          });
          if (!ok) continue;
          const key = `${o.zone}/${o.capacityType}`;
          let list = allowedBy.get(key);
          if (!list) allowedBy.set(key, (list = []));
          list.push(c);
        }
      });
      for (const o of t.offerings) {
        const cls = allowedBy.get(`${o.zone}/${o.capacityType}`);
        if (!cls) continue;
        const key = `${pool.index}/${t.index}/${o.price}/${cls.join(",")}`;
        if (!groups.has(key)) groups.set(key, { price: o.price, free: t.free, classes: cls });
      }
    }
  }
  // Normalise each resource so coefficients stay near 1.
  const scale = new Float64Array(dims).fill(1);
  for (let i = 0; i < dims; i++) {
    let max = 0;
    for (const d of demand) max = Math.max(max, d[i] ?? 0);
    if (max > 0) scale[i] = max;
  }
  const list = [...groups.values()];
  const objective: string[] = [];
  const rows: string[] = [];
  const perClass: string[][] = classes.map(() => []);
  list.forEach((g, gi) => {
    objective.push(`${g.price} x${gi}`);
    for (const c of g.classes) perClass[c]?.push(`f${c}_${gi}`);
    for (let r = 0; r < dims; r++) {
      const terms: string[] = [];
      for (const c of g.classes) {
        const d = (demand[c]?.[r] ?? 0) / (scale[r] ?? 1);
        if (d > 0) terms.push(`${d} f${c}_${gi}`);
      }
      if (terms.length === 0) continue;
      rows.push(` c${gi}_${r}: ${terms.join(" + ")} - ${(g.free[r] ?? 0) / (scale[r] ?? 1)} x${gi} <= 0`);
    }
  });
  perClass.forEach((vars, c) => {
    // A class with nowhere to go cannot be bounded; the LP is then infeasible and reported as such.
    rows.push(` d${c}: ${vars.length > 0 ? vars.join(" + ") : `0 f${c}_none`} = 1`);
  });
  return `Minimize\n obj: ${objective.length > 0 ? objective.join(" + ") : "0 xnone"}\nSubject To\n${rows.join("\n")}\nEnd\n`;
}

/** Cost of the LP optimum (0 when nothing goes to new nodes). Throws if the solver fails. */
export function lowerBound(model: Model, state: RunState, solver: LpSolver): number {
  const problem = lowerBoundProblem(model, state);
  if (!problem) return 0;
  const result = solver.solve(problem, { output_flag: false });
  if (result.Status !== "Optimal") throw new Error(`lower-bound LP: ${result.Status}`);
  return result.ObjectiveValue;
}

/** Loads HiGHS once; the planner stays synchronous by receiving the loaded solver. */
export async function loadLpSolver(): Promise<LpSolver> {
  // The package's types describe its CommonJS entry; the ESM entry's default export is the loader.
  const mod = (await import("highs")) as unknown as { default: () => Promise<unknown> };
  return (await mod.default()) as LpSolver;
}
