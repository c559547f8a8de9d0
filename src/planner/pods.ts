// Compiles a pod once into what the placement loop needs: dense requests, ORed node requirement
// alternatives (nodeSelector ∧ required affinity ∧ volume topology), inter-pod terms and host ports.
import type { V1Pod, V1Toleration, V1WeightedPodAffinityTerm } from "@kubernetes/client-node";
import { podRequests } from "../domain/pod-requests.js";
import {
  intersect,
  noRequirements,
  requirementsFrom,
  requirementsFromLabels,
  satisfiable,
  type Requirements,
} from "../domain/requirements.js";
import { selectorMatches } from "../domain/selectors.js";
import type { Resources } from "../domain/resources.js";
import type { ResourceSpace, Vec } from "./resource-space.js";
import type { TermRef, TopologyIndex } from "./topology.js";
import { volumeRequirements, type VolumeIndex } from "./volumes.js";
import { podKey } from "../domain/pod-key.js";

export interface SpreadRef extends TermRef {
  readonly maxSkew: number;
  readonly minDomains: number;
  readonly selfMatch: boolean;
  readonly hard: boolean;
  readonly honorAffinity: boolean;
  readonly honorTaints: boolean;
}

export interface AffinityRef extends TermRef {
  readonly selfMatch: boolean;
}

export interface HostPort {
  readonly protocol: string;
  readonly ip: string;
  readonly port: number;
}

/** One set of constraints a pod is placed under; preferences are folded in at strict levels. */
export interface ConstraintLevel {
  readonly alternatives: readonly Requirements[];
  readonly affinity: readonly AffinityRef[];
  readonly antiAffinity: readonly TermRef[];
  readonly spreads: readonly SpreadRef[];
}

export interface PodInfo {
  readonly index: number;
  readonly key: string;
  readonly pod: V1Pod;
  readonly namespace: string;
  readonly requests: Resources;
  vec: Vec;
  readonly tolerations: readonly V1Toleration[];
  readonly ports: readonly HostPort[];
  /** Strictest first; the last is the required constraints alone. */
  readonly levels: readonly ConstraintLevel[];
  /** Selector ids this pod matches. */
  matches: readonly number[];
  /** Required anti-affinity terms of this pod (others matching them are kept away). */
  readonly ownAnti: readonly TermRef[];
  /** Other pods' anti-affinity terms whose selector this pod matches. */
  blockedBy: readonly TermRef[];
  /** Topology keys whose domain must be known on the node this pod lands on. */
  pinKeys: readonly string[];
  readonly error: string | undefined;
  /** Pods with identical scheduling constraints share a class id (caches key on it). */
  classKey: string;
  /** Small integer interned from classKey (set by the model). */
  classId: number;
}

const maxAlternatives = 64;

function product(groups: readonly (readonly Requirements[])[]): Requirements[] {
  let out: Requirements[] = [noRequirements];
  for (const group of groups) {
    const next: Requirements[] = [];
    for (const a of out)
      for (const b of group) {
        const merged = intersect(a, b);
        if (satisfiable(merged) && next.length < maxAlternatives) next.push(merged);
      }
    out = next;
  }
  return out;
}

function weighted(terms: readonly V1WeightedPodAffinityTerm[] | undefined): V1WeightedPodAffinityTerm[] {
  return [...(terms ?? [])].sort((a, b) => b.weight - a.weight);
}

export function compilePod(
  pod: V1Pod,
  index: number,
  space: ResourceSpace,
  topo: TopologyIndex,
  volumes: VolumeIndex,
): PodInfo {
  const spec = pod.spec;
  const requests = podRequests(pod);
  space.register(requests);
  const labels = pod.metadata?.labels ?? {};
  let error: string | undefined;

  // Node requirements: nodeSelector ∧ (required terms ORed) ∧ volume groups.
  const groups: Requirements[][] = [[requirementsFromLabels(spec?.nodeSelector)]];
  const required =
    spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms;
  if (required && required.length > 0) groups.push(required.map((t) => requirementsFrom(t.matchExpressions)));
  const vol = volumeRequirements(pod, volumes);
  if (!vol.ok) error = vol.error;
  else groups.push(...vol.value);
  const alternatives = product(groups);
  if (alternatives.length === 0 && !error)
    error = "its node selector, node affinity and volume topology contradict each other";

  const affinity = spec?.affinity?.podAffinity;
  const anti = spec?.affinity?.podAntiAffinity;
  const reqAffinity: AffinityRef[] = (affinity?.requiredDuringSchedulingIgnoredDuringExecution ?? []).map(
    (t) => ({
      ...topo.affinityTerm(pod, t),
      selfMatch: selectorMatches(t.labelSelector, labels),
    }),
  );
  const reqAnti = (anti?.requiredDuringSchedulingIgnoredDuringExecution ?? []).map((t) =>
    topo.affinityTerm(pod, t),
  );
  const prefAffinity: AffinityRef[] = weighted(affinity?.preferredDuringSchedulingIgnoredDuringExecution).map(
    (w) => ({
      ...topo.affinityTerm(pod, w.podAffinityTerm),
      selfMatch: selectorMatches(w.podAffinityTerm.labelSelector, labels),
    }),
  );
  const prefAnti = weighted(anti?.preferredDuringSchedulingIgnoredDuringExecution).map((w) =>
    topo.affinityTerm(pod, w.podAffinityTerm),
  );

  const spreads: SpreadRef[] = (spec?.topologySpreadConstraints ?? []).map((c) => {
    const ref = topo.spreadTerm(pod, c.labelSelector, c.matchLabelKeys ?? [], c.topologyKey);
    const merged = { ...(c.labelSelector?.matchLabels ?? {}) };
    for (const k of c.matchLabelKeys ?? []) if (labels[k] !== undefined) merged[k] = labels[k];
    const selector = c.labelSelector
      ? { matchLabels: merged, matchExpressions: c.labelSelector.matchExpressions ?? [] }
      : undefined;
    return {
      ...ref,
      maxSkew: c.maxSkew,
      minDomains: c.minDomains ?? 1,
      selfMatch: selectorMatches(selector, labels),
      hard: c.whenUnsatisfiable !== "ScheduleAnyway",
      honorAffinity: c.nodeAffinityPolicy !== "Ignore",
      honorTaints: c.nodeTaintsPolicy === "Honor",
    };
  });

  // Preferred node affinity terms, heaviest first, each ANDed onto the alternatives while honoured.
  const preferredNode = [
    ...(spec?.affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? []),
  ]
    .sort((a, b) => b.weight - a.weight)
    .map((p) => requirementsFrom(p.preference.matchExpressions));
  const hardSpreads = spreads.filter((s) => s.hard);
  const base: ConstraintLevel = {
    alternatives,
    affinity: reqAffinity,
    antiAffinity: reqAnti,
    spreads: hardSpreads,
  };
  const levels: ConstraintLevel[] = [];
  if (
    preferredNode.length > 0 ||
    prefAffinity.length > 0 ||
    prefAnti.length > 0 ||
    hardSpreads.length < spreads.length
  ) {
    const preferredAlternatives = alternatives
      .map((a) => preferredNode.reduce((acc, p) => intersect(acc, p), a))
      .filter((a) => satisfiable(a));
    levels.push({
      alternatives: preferredAlternatives.length > 0 ? preferredAlternatives : alternatives,
      affinity: [...reqAffinity, ...prefAffinity],
      antiAffinity: [...reqAnti, ...prefAnti],
      spreads,
    });
    if (hardSpreads.length < spreads.length) levels.push({ ...base, spreads });
  }
  levels.push(base);

  const ports: HostPort[] = [];
  for (const c of [...(spec?.containers ?? []), ...(spec?.initContainers ?? [])])
    for (const p of c.ports ?? [])
      if (p.hostPort)
        ports.push({ protocol: p.protocol ?? "TCP", ip: p.hostIP ?? "0.0.0.0", port: p.hostPort });

  const classKey = JSON.stringify([
    pod.metadata?.namespace,
    spec?.nodeSelector,
    spec?.affinity,
    spec?.tolerations,
    spec?.topologySpreadConstraints,
    spec?.volumes?.map((v) => v.persistentVolumeClaim?.claimName),
    ports,
    labels,
  ]);
  return {
    index,
    key: podKey(pod),
    pod,
    namespace: pod.metadata?.namespace ?? "default",
    requests,
    vec: new Float64Array(0),
    tolerations: spec?.tolerations ?? [],
    ports,
    levels,
    matches: [],
    ownAnti: reqAnti,
    blockedBy: [],
    pinKeys: [],
    error,
    classKey,
    classId: -1,
  };
}

/** Second pass, once every term is registered: selector matches, anti-affinity blockers, pin keys. */
export function linkPod(info: PodInfo, topo: TopologyIndex, allAnti: readonly TermRef[]): void {
  info.matches = topo.matching(info.pod);
  const matched = new Set(info.matches);
  info.blockedBy = allAnti.filter((t) => matched.has(t.sid));
  const keys = new Set<string>();
  for (const level of info.levels) {
    for (const t of level.affinity) keys.add(t.key);
    for (const t of level.antiAffinity) keys.add(t.key);
    for (const t of level.spreads) keys.add(t.key);
  }
  for (const sid of info.matches) for (const key of topo.keysBySelector[sid] ?? []) keys.add(key);
  for (const t of info.blockedBy) keys.add(t.key);
  info.pinKeys = [...keys].sort();
}

export function hostPortsConflict(a: readonly HostPort[], b: readonly HostPort[]): HostPort | undefined {
  for (const x of a)
    for (const y of b)
      if (
        x.port === y.port &&
        x.protocol === y.protocol &&
        (x.ip === y.ip || x.ip === "0.0.0.0" || y.ip === "0.0.0.0")
      )
        return x;
  return undefined;
}
