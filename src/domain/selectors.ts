// Label selectors (matchLabels + matchExpressions) as used by affinity terms, spread constraints
// and DaemonSets. An absent selector matches nothing; an empty one matches everything.

export interface LabelSelectorRequirementLike {
  readonly key: string;
  readonly operator: string;
  readonly values?: readonly string[] | null;
}

export interface LabelSelectorLike {
  readonly matchLabels?: Readonly<Record<string, string>> | null;
  readonly matchExpressions?: readonly LabelSelectorRequirementLike[] | null;
}

export function selectorMatches(
  selector: LabelSelectorLike | undefined | null,
  labels: Readonly<Record<string, string>>,
): boolean {
  if (!selector) return false;
  for (const [key, value] of Object.entries(selector.matchLabels ?? {}))
    if (labels[key] !== value) return false;
  for (const expr of selector.matchExpressions ?? []) {
    const value = labels[expr.key];
    const values = expr.values ?? [];
    switch (expr.operator) {
      case "In":
        if (value === undefined || !values.includes(value)) return false;
        break;
      case "NotIn":
        if (value !== undefined && values.includes(value)) return false;
        break;
      case "Exists":
        if (value === undefined) return false;
        break;
      case "DoesNotExist":
        if (value !== undefined) return false;
        break;
      default:
        return false;
    }
  }
  return true;
}

/** A canonical string for a selector, so equal selectors share one counter. */
export function selectorKey(selector: LabelSelectorLike | undefined | null): string {
  if (!selector) return "nothing";
  const labels = Object.entries(selector.matchLabels ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const exprs = (selector.matchExpressions ?? [])
    .map((e) => `${e.key} ${e.operator} ${[...(e.values ?? [])].sort().join(",")}`)
    .sort();
  return JSON.stringify([labels, exprs]);
}
