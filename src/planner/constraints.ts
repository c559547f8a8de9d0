// Inter-pod constraint checks for one pod against one node's topology domains, with kube-scheduler's
// semantics: affinity needs a matching pod in the domain (or none anywhere and the pod matches its
// own term); anti-affinity needs none; existing pods' anti-affinity is symmetric; spread bounds skew.
import type { ConstraintLevel, PodInfo, SpreadRef } from "./pods.js";
import type { TopologyIndex } from "./topology.js";

export type LabelOf = (key: string) => string | undefined;

/** Per-attempt context: the global minimum of each spread constraint (counts do not change mid-attempt). */
export interface SpreadMinimums {
  readonly mins: readonly number[];
}

export function spreadMinimums(
  level: ConstraintLevel,
  topo: TopologyIndex,
  universe: (spread: SpreadRef) => readonly string[] | "unbounded",
): SpreadMinimums {
  return {
    mins: level.spreads.map((s) => {
      const domains = universe(s);
      // Hostname-like keys: a new node is always a fresh, empty domain.
      if (domains === "unbounded") return 0;
      if (domains.length < s.minDomains) return 0;
      let min = Infinity;
      for (const d of domains) min = Math.min(min, topo.count(s, d));
      return Number.isFinite(min) ? min : 0;
    }),
  };
}

/** Undefined when the pod may join a node with these domain labels; else a short reason. */
export function topologyViolation(
  pod: PodInfo,
  level: ConstraintLevel,
  labelOf: LabelOf,
  topo: TopologyIndex,
  minimums: SpreadMinimums,
): string | undefined {
  for (const term of level.affinity) {
    const value = labelOf(term.key);
    if (value === undefined) return `pod affinity needs ${term.key}`;
    if (topo.count(term, value) > 0) continue;
    if ((topo.totals[term.sid] ?? 0) === 0 && term.selfMatch) continue;
    return `pod affinity (${term.key})`;
  }
  for (const term of level.antiAffinity) {
    const value = labelOf(term.key);
    if (value !== undefined && topo.count(term, value) > 0) return `pod anti-affinity (${term.key})`;
  }
  for (const term of pod.blockedBy) {
    const value = labelOf(term.key);
    if (value !== undefined && topo.antiCount(term, value) > 0)
      return `anti-affinity of running pods (${term.key})`;
  }
  for (let i = 0; i < level.spreads.length; i++) {
    const spread = level.spreads[i];
    if (!spread) continue;
    const value = labelOf(spread.key);
    if (value === undefined) return `topology spread needs ${spread.key}`;
    const skew = topo.count(spread, value) + (spread.selfMatch ? 1 : 0) - (minimums.mins[i] ?? 0);
    if (skew > spread.maxSkew) return `topology spread (${spread.key}, maxSkew ${spread.maxSkew})`;
  }
  return undefined;
}

/** A domain-choice score: lower is better (spread counts first, so zones fill evenly). */
export function domainScore(level: ConstraintLevel, labelOf: LabelOf, topo: TopologyIndex): number {
  let score = 0;
  for (const spread of level.spreads) {
    const value = labelOf(spread.key);
    if (value !== undefined) score += topo.count(spread, value);
  }
  return score;
}
