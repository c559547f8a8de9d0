// Node-selector requirement algebra: per-key allowed values, intersected across NodePools, pods,
// volumes and pinned topology domains. Semantics follow kube-scheduler's node affinity:
// In/Exists/Gt/Lt need the label; NotIn/DoesNotExist are satisfied by its absence.

export interface RequirementInput {
  readonly key: string;
  readonly operator: string;
  readonly values?: readonly string[] | null;
  readonly minValues?: number | null;
}

/** What one key may be: a finite allow-list (or anything), a deny-list, integer bounds, presence. */
export interface KeyRequirement {
  readonly allow: ReadonlySet<string> | undefined;
  readonly deny: ReadonlySet<string>;
  readonly gt: number | undefined;
  readonly lt: number | undefined;
  /** true: the label must exist; false: it must not; undefined: either. */
  readonly exists: boolean | undefined;
  readonly minValues: number | undefined;
}

export type Requirements = ReadonlyMap<string, KeyRequirement>;

export const noRequirements: Requirements = new Map();

const empty: ReadonlySet<string> = new Set();

class InvalidRequirementError extends Error {}

function keyRequirement(input: RequirementInput): KeyRequirement {
  const values = input.values ?? [];
  const minValues = input.minValues ?? undefined;
  const base = { allow: undefined, deny: empty, gt: undefined, lt: undefined, exists: undefined, minValues };
  switch (input.operator) {
    case "In":
      return { ...base, allow: new Set(values), exists: true };
    case "NotIn":
      return { ...base, deny: new Set(values) };
    case "Exists":
      return { ...base, exists: true };
    case "DoesNotExist":
      return { ...base, exists: false };
    case "Gt":
    case "Lt": {
      const bound = Number.parseInt(values[0] ?? "", 10);
      if (values.length !== 1 || Number.isNaN(bound))
        throw new InvalidRequirementError(`${input.key} ${input.operator} needs one integer value`);
      return input.operator === "Gt"
        ? { ...base, gt: bound, exists: true }
        : { ...base, lt: bound, exists: true };
    }
    default:
      throw new InvalidRequirementError(`unknown operator "${input.operator}" for ${input.key}`);
  }
}

export function intersectKey(a: KeyRequirement, b: KeyRequirement): KeyRequirement {
  let allow = a.allow;
  if (b.allow) allow = allow ? new Set([...allow].filter((v) => b.allow?.has(v))) : b.allow;
  const deny = a.deny.size === 0 ? b.deny : b.deny.size === 0 ? a.deny : new Set([...a.deny, ...b.deny]);
  const gt = a.gt === undefined ? b.gt : b.gt === undefined ? a.gt : Math.max(a.gt, b.gt);
  const lt = a.lt === undefined ? b.lt : b.lt === undefined ? a.lt : Math.min(a.lt, b.lt);
  let exists = a.exists ?? b.exists;
  // Contradictory presence is encoded as an empty allow-list, which isSatisfiable() reports.
  if (a.exists !== undefined && b.exists !== undefined && a.exists !== b.exists) {
    exists = true;
    allow = empty;
  }
  const minValues = Math.max(a.minValues ?? 0, b.minValues ?? 0) || undefined;
  return { allow, deny, gt, lt, exists, minValues };
}

/** Does a present label value satisfy the key requirement? */
export function admitsValue(req: KeyRequirement, value: string): boolean {
  if (req.exists === false) return false;
  if (req.allow && !req.allow.has(value)) return false;
  if (req.deny.has(value)) return false;
  if (req.gt !== undefined || req.lt !== undefined) {
    if (!/^-?\d+$/.test(value)) return false;
    const n = Number.parseInt(value, 10);
    if (req.gt !== undefined && !(n > req.gt)) return false;
    if (req.lt !== undefined && !(n < req.lt)) return false;
  }
  return true;
}

/** Does an absent label satisfy it? */
export function admitsAbsent(req: KeyRequirement): boolean {
  return req.exists !== true;
}

/** Is there any label state (absent or some value) that satisfies the requirement? */
export function isSatisfiable(req: KeyRequirement): boolean {
  if (req.exists !== true) return true;
  if (req.allow) return [...req.allow].some((v) => admitsValue(req, v));
  if (req.gt !== undefined && req.lt !== undefined) return req.lt - req.gt > 1;
  return true;
}

export function requirementsFrom(inputs: readonly RequirementInput[] | undefined | null): Requirements {
  const out = new Map<string, KeyRequirement>();
  for (const input of inputs ?? []) {
    const next = keyRequirement(input);
    const prev = out.get(input.key);
    out.set(input.key, prev ? intersectKey(prev, next) : next);
  }
  return out;
}

/** Labels as requirements (key In [value]), e.g. a NodePool template's labels or a nodeSelector. */
export function requirementsFromLabels(
  labels: Readonly<Record<string, string>> | undefined | null,
): Requirements {
  return requirementsFrom(
    Object.entries(labels ?? {}).map(([key, v]) => ({ key, operator: "In", values: [v] })),
  );
}

export function intersect(a: Requirements, b: Requirements): Requirements {
  if (b.size === 0) return a;
  if (a.size === 0) return b;
  const out = new Map(a);
  for (const [key, req] of b) {
    const prev = out.get(key);
    out.set(key, prev ? intersectKey(prev, req) : req);
  }
  return out;
}

/** True when every key can still be satisfied (an empty intersection means incompatible). */
export function satisfiable(reqs: Requirements): boolean {
  for (const req of reqs.values()) if (!isSatisfiable(req)) return false;
  return true;
}

export function matchesLabels(reqs: Requirements, labels: Readonly<Record<string, string>>): boolean {
  for (const [key, req] of reqs) {
    const value = labels[key];
    if (value === undefined ? !admitsAbsent(req) : !admitsValue(req, value)) return false;
  }
  return true;
}

/** The single value a key is pinned to, if the requirement allows exactly one. */
export function singleValue(req: KeyRequirement | undefined): string | undefined {
  if (!req?.allow) return undefined;
  const values = [...req.allow].filter((v) => admitsValue(req, v));
  return values.length === 1 ? values[0] : undefined;
}

/** Back to the API shape (for VirtualNode specs and plan output), keys sorted for stable output. */
export function toRequirementInputs(
  reqs: Requirements,
): { key: string; operator: string; values?: string[]; minValues?: number }[] {
  const out: { key: string; operator: string; values?: string[]; minValues?: number }[] = [];
  for (const key of [...reqs.keys()].sort()) {
    const req = reqs.get(key);
    if (!req) continue;
    const mv = req.minValues === undefined ? {} : { minValues: req.minValues };
    if (req.allow)
      out.push({
        key,
        operator: "In",
        values: [...req.allow].filter((v) => admitsValue(req, v)).sort(),
        ...mv,
      });
    else if (req.exists === false) out.push({ key, operator: "DoesNotExist" });
    else {
      if (req.deny.size > 0) out.push({ key, operator: "NotIn", values: [...req.deny].sort(), ...mv });
      if (req.gt !== undefined) out.push({ key, operator: "Gt", values: [String(req.gt)] });
      if (req.lt !== undefined) out.push({ key, operator: "Lt", values: [String(req.lt)] });
      if (req.exists === true && req.deny.size === 0 && req.gt === undefined && req.lt === undefined)
        out.push({ key, operator: "Exists" });
    }
  }
  return out;
}
