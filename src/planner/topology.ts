// Inter-pod constraints: a registry of (namespaces, label selector) pairs and per-topology-domain
// counters of the pods matching them, so that affinity, anti-affinity and spread checks are O(1).
import { canonicalLabelKey } from "../api/karpenter-labels.js";
import type { V1Namespace, V1Pod, V1PodAffinityTerm } from "@kubernetes/client-node";
import { selectorKey, selectorMatches, type LabelSelectorLike } from "../domain/selectors.js";

interface SelectorEntry {
  readonly namespaces: ReadonlySet<string> | undefined;
  readonly namespaceSelector: LabelSelectorLike | undefined;
  readonly selector: LabelSelectorLike;
}

/** A counter family: pods matching selector `sid`, per value of topology `key`. */
export interface TermRef {
  readonly sid: number;
  readonly key: string;
  /** `${sid}\0${key}`, precomputed: counter lookups are on the hot path. */
  readonly id: string;
}

export class TopologyIndex {
  private readonly entries: SelectorEntry[] = [];
  private readonly ids = new Map<string, number>();
  /** sid → topology keys whose counts are kept. */
  readonly keysBySelector: Set<string>[] = [];
  private readonly counts = new Map<string, Map<string, number>>();
  private readonly anti = new Map<string, Map<string, number>>();
  /** Pods matching each selector anywhere (affinity's "first pod" rule). */
  readonly totals: number[] = [];
  private readonly namespaceLabels: ReadonlyMap<string, Readonly<Record<string, string>>>;

  constructor(namespaces: readonly V1Namespace[] = []) {
    this.namespaceLabels = new Map(namespaces.map((n) => [n.metadata?.name ?? "", n.metadata?.labels ?? {}]));
  }

  private register(entry: SelectorEntry, key: string): number {
    const nsKey = entry.namespaces
      ? [...entry.namespaces].sort().join(",")
      : `sel:${selectorKey(entry.namespaceSelector)}`;
    const id = `${nsKey}|${selectorKey(entry.selector)}`;
    let sid = this.ids.get(id);
    if (sid === undefined) {
      sid = this.entries.length;
      this.ids.set(id, sid);
      this.entries.push(entry);
      this.keysBySelector.push(new Set());
      this.totals.push(0);
    }
    this.keysBySelector[sid]?.add(key);
    return sid;
  }

  /** An affinity term of `pod`: namespaces default to the pod's own; a namespaceSelector adds more. */
  affinityTerm(pod: V1Pod, term: V1PodAffinityTerm): TermRef {
    const own = pod.metadata?.namespace ?? "default";
    const listed = term.namespaces ?? [];
    const nsSelector = term.namespaceSelector ?? undefined;
    const namespaces = nsSelector
      ? listed.length > 0
        ? new Set(listed)
        : undefined
      : new Set(listed.length > 0 ? listed : [own]);
    // A namespaceSelector unions with listed namespaces; model that as selector-or-list.
    const entry: SelectorEntry = {
      namespaces,
      namespaceSelector: nsSelector,
      selector: term.labelSelector ?? {},
    };
    // Karpenter's well-known keys are topology keys over the same domains as rafter's.
    const key = canonicalLabelKey(term.topologyKey);
    if (!term.labelSelector)
      return ref(this.register({ ...entry, selector: { matchLabels: { "\0none": "\0" } } }, key), key);
    return ref(this.register(entry, key), key);
  }

  /** A spread constraint's selector (own namespace; matchLabelKeys folded into matchLabels). */
  spreadTerm(
    pod: V1Pod,
    selector: LabelSelectorLike | undefined,
    matchLabelKeys: readonly string[],
    topologyKey: string,
  ): TermRef {
    const key = canonicalLabelKey(topologyKey);
    const labels = pod.metadata?.labels ?? {};
    const extra: Record<string, string> = {};
    for (const k of matchLabelKeys) {
      const v = labels[k];
      if (v !== undefined) extra[k] = v;
    }
    const merged: LabelSelectorLike = {
      matchLabels: { ...(selector?.matchLabels ?? {}), ...extra },
      matchExpressions: selector?.matchExpressions ?? [],
    };
    const entry: SelectorEntry = {
      namespaces: new Set([pod.metadata?.namespace ?? "default"]),
      namespaceSelector: undefined,
      selector: selector ? merged : { matchLabels: { "\0none": "\0" } },
    };
    return ref(this.register(entry, key), key);
  }

  private namespaceMatches(entry: SelectorEntry, namespace: string): boolean {
    if (entry.namespaces?.has(namespace)) return true;
    if (!entry.namespaceSelector) return false;
    const labels = {
      ...(this.namespaceLabels.get(namespace) ?? {}),
      "kubernetes.io/metadata.name": namespace,
    };
    return selectorMatches(entry.namespaceSelector, labels);
  }

  /** Selector ids a pod matches; call after every term is registered. */
  matching(pod: V1Pod): number[] {
    const ns = pod.metadata?.namespace ?? "default";
    const labels = pod.metadata?.labels ?? {};
    const out: number[] = [];
    this.entries.forEach((entry, sid) => {
      if (this.namespaceMatches(entry, ns) && selectorMatches(entry.selector, labels)) out.push(sid);
    });
    return out;
  }

  /** Forgets every count (the registry stays), so a new packing run starts from the seeds. */
  resetCounts(): void {
    this.counts.clear();
    this.anti.clear();
    this.totals.fill(0);
  }

  selectorCount(): number {
    return this.entries.length;
  }

  count(ref: TermRef, value: string): number {
    return this.counts.get(ref.id)?.get(value) ?? 0;
  }

  domainCounts(ref: TermRef): ReadonlyMap<string, number> | undefined {
    return this.counts.get(ref.id);
  }

  antiCount(ref: TermRef, value: string): number {
    return this.anti.get(ref.id)?.get(value) ?? 0;
  }

  /** Records a pod in a node's domains. `labelOf` gives the node's value for a key (undefined: no label). */
  add(
    matches: readonly number[],
    antiTerms: readonly TermRef[],
    labelOf: (key: string) => string | undefined,
    sign = 1,
  ): void {
    for (const sid of matches) {
      this.totals[sid] = (this.totals[sid] ?? 0) + sign;
      for (const key of this.keysBySelector[sid] ?? []) {
        const value = labelOf(key);
        if (value !== undefined) bump(this.counts, `${sid}\0${key}`, value, sign);
      }
    }
    for (const term of antiTerms) {
      const value = labelOf(term.key);
      if (value !== undefined) bump(this.anti, term.id, value, sign);
    }
  }
}

function ref(sid: number, key: string): TermRef {
  return { sid, key, id: `${sid}\0${key}` };
}

function bump(map: Map<string, Map<string, number>>, id: string, value: string, sign: number): void {
  let inner = map.get(id);
  if (!inner) map.set(id, (inner = new Map<string, number>()));
  inner.set(value, (inner.get(value) ?? 0) + sign);
}
