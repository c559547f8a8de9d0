// Taints and tolerations with kube-scheduler's semantics (TaintToleration filter plugin).

export interface TaintLike {
  readonly key: string;
  readonly value?: string | null;
  readonly effect: string;
}

export interface TolerationLike {
  readonly key?: string | null;
  readonly operator?: string | null;
  readonly value?: string | null;
  readonly effect?: string | null;
}

export function tolerates(toleration: TolerationLike, taint: TaintLike): boolean {
  if (toleration.effect && toleration.effect !== taint.effect) return false;
  const operator = toleration.operator ?? "Equal";
  // An empty key with Exists tolerates every taint.
  if (!toleration.key) return operator === "Exists";
  if (toleration.key !== taint.key) return false;
  if (operator === "Exists") return true;
  return (toleration.value ?? "") === (taint.value ?? "");
}

/** Taints that block scheduling: NoSchedule and NoExecute (PreferNoSchedule is only a score). */
export function isBlocking(taint: TaintLike): boolean {
  return taint.effect === "NoSchedule" || taint.effect === "NoExecute";
}

/** The first blocking taint not tolerated, or undefined when the pod may be scheduled. */
export function untoleratedTaint(
  tolerations: readonly TolerationLike[] | undefined | null,
  taints: readonly TaintLike[] | undefined | null,
): TaintLike | undefined {
  for (const taint of taints ?? []) {
    if (!isBlocking(taint)) continue;
    if (!(tolerations ?? []).some((t) => tolerates(t, taint))) return taint;
  }
  return undefined;
}
