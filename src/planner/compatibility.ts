// Per pod-class caches shared by every packing run: which pools a pod may use, which of a pool's
// instance types its node requirements admit, and the domains its spread constraints range over.
import {
  admitsValue,
  noRequirements,
  intersect,
  matchesLabels,
  satisfiable,
  type Requirements,
} from "../domain/requirements.js";
import { isBlocking, untoleratedTaint } from "../domain/taints.js";
import { labelKeys } from "../api/labels.js";
import type { FixedNode } from "./node-state.js";
import type { PodInfo, SpreadRef } from "./pods.js";
import { typeAdmits, type CompiledPool, type PoolType } from "./pools.js";

export class Compatibility {
  private readonly masks = new Map<number, Map<string, Uint8Array>>();
  private readonly poolReasons = new Map<number, string | null>();
  private readonly universes = new Map<string, readonly string[] | "unbounded">();
  /** Type lists narrowed by a placement's constraint filter, by list and filter key (see placement). */
  readonly narrowed = new WeakMap<readonly PoolType[], Map<string, readonly PoolType[]>>();

  constructor(
    private readonly pools: readonly CompiledPool[],
    private readonly fixed: readonly FixedNode[],
  ) {}

  /** Why the pod can never use this pool (taint, requirements), or undefined. */
  poolRejection(pod: PodInfo, pool: CompiledPool): string | undefined {
    const id = pod.classId * 4096 + pool.index;
    let reason = this.poolReasons.get(id);
    if (reason === undefined) {
      reason = null;
      const taint = untoleratedTaint(pod.tolerations, pool.taints.filter(isBlocking));
      if (taint)
        reason = `NodePool "${pool.name}" has taint ${taint.key}${taint.value ? `=${taint.value}` : ""}:${taint.effect} the pod does not tolerate`;
      else if (
        !(pod.levels.at(-1)?.alternatives ?? []).some((alt) =>
          this.mask(pod, alt, pool, undefined).includes(1),
        )
      )
        reason = `NodePool "${pool.name}" has no instance type matching the pod's node selector/affinity`;
      this.poolReasons.set(id, reason);
    }
    return reason ?? undefined;
  }

  /** Instance types of `pool` (by index) whose labels admit the alternative. */
  mask(pod: PodInfo, alt: Requirements, pool: CompiledPool, cacheKey: string | undefined): Uint8Array {
    let perClass = this.masks.get(pod.classId * 4096 + pool.index);
    if (!perClass)
      this.masks.set(pod.classId * 4096 + pool.index, (perClass = new Map<string, Uint8Array>()));
    let mask = cacheKey === undefined ? undefined : perClass.get(cacheKey);
    if (!mask) {
      const merged = intersect(pool.requirements, alt);
      const ok = satisfiable(merged);
      const m = new Uint8Array(pool.types.length);
      pool.types.forEach((t, i) => {
        if (ok && typeAdmits(t.labels, merged, pool.customKeys)) m[i] = 1;
      });
      if (cacheKey !== undefined) perClass.set(cacheKey, m);
      mask = m;
    }
    return mask;
  }

  /** The topology domains a spread constraint counts (kube: nodes that pass the policies, plus launchable zones). */
  universe(pod: PodInfo, spread: SpreadRef): readonly string[] | "unbounded" {
    const id = `${pod.classId}\0${spread.sid}\0${spread.key}\0${spread.honorAffinity}\0${spread.honorTaints}`;
    let result = this.universes.get(id);
    if (result !== undefined) return result;
    const alternatives = pod.levels.at(-1)?.alternatives ?? [];
    const launchable = this.pools.filter((p) => this.poolRejection(pod, p) === undefined);
    if (spread.key === labelKeys.hostname && launchable.length > 0) result = "unbounded";
    else {
      const values = new Set<string>();
      for (const pool of launchable) {
        for (const alt of spread.honorAffinity ? alternatives : [noRequirements]) {
          const req = alt.get(spread.key);
          if (spread.key === labelKeys.zone)
            for (const z of pool.zones) (!req || admitsValue(req, z) ? values : undefined)?.add(z);
          else if (spread.key === labelKeys.capacityType)
            for (const c of pool.capacityTypes) (!req || admitsValue(req, c) ? values : undefined)?.add(c);
          else
            pool.types.forEach((t) => {
              const v = t.labels[spread.key];
              if (v !== undefined && (!req || admitsValue(req, v))) values.add(v);
            });
        }
      }
      for (const node of this.fixed) {
        if (node.closed) continue;
        if (spread.honorAffinity && !alternatives.some((a) => matchesLabels(a, node.labels))) continue;
        if (spread.honorTaints && untoleratedTaint(pod.tolerations, node.taints)) continue;
        const v = node.labels[spread.key];
        if (v !== undefined) values.add(v);
      }
      result = [...values].sort();
    }
    this.universes.set(id, result);
    return result;
  }
}
