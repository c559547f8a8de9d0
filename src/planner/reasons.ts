// Human-actionable reasons for pods the plan cannot place: name the NodePool, the label, the
// resource or the constraint an operator would change.
import { admitsAbsent, admitsValue, intersectKey, type KeyRequirement } from "../domain/requirements.js";
import { formatResourceQuantity } from "../domain/quantity.js";
import type { Model } from "./model.js";
import type { PodInfo } from "./pods.js";
import type { CompiledPool } from "./pools.js";
import { labelKeys } from "../api/labels.js";

function poolAllowsKey(pool: CompiledPool, key: string, podReq: KeyRequirement): boolean {
  const poolReq = pool.requirements.get(key);
  const req = poolReq ? intersectKey(poolReq, podReq) : podReq;
  if (key === labelKeys.zone) return pool.zones.some((z) => admitsValue(req, z));
  if (key === labelKeys.capacityType) return pool.capacityTypes.some((c) => admitsValue(req, c));
  if (pool.customKeys.has(key)) return true;
  return pool.types.some((t) => {
    const v = t.labels[key];
    return v === undefined ? admitsAbsent(req) : admitsValue(req, v);
  });
}

function describe(key: string, req: KeyRequirement): string {
  if (req.allow) return `${key}=${[...req.allow].sort().join("|")}`;
  if (req.exists === false) return `${key} absent`;
  if (req.gt !== undefined) return `${key}>${req.gt}`;
  if (req.lt !== undefined) return `${key}<${req.lt}`;
  if (req.deny.size > 0) return `${key} not in ${[...req.deny].sort().join("|")}`;
  return `${key} present`;
}

function human(resource: string, value: number): string {
  if (resource === "cpu") return String(Math.round(value / 100) / 10);
  return formatResourceQuantity(resource, value);
}

export function unschedulableReason(pod: PodInfo, model: Model): string {
  if (pod.error) return pod.error;
  if (model.pools.length === 0) return "no NodePool exists and no existing node can take it";
  const usable = model.pools.filter((p) => model.compat.poolRejection(pod, p) === undefined);
  if (usable.length === 0) {
    const alt = pod.levels.at(-1)?.alternatives[0];
    for (const [key, req] of alt ?? []) {
      if (!model.pools.some((p) => poolAllowsKey(p, key, req)))
        return `no NodePool allows ${describe(key, req)}`;
    }
    const reasons = model.pools.map((p) => model.compat.poolRejection(pod, p) ?? "").filter((r) => r !== "");
    return [...new Set(reasons)].join("; ");
  }
  // Resources: compare with the largest type any usable pool may launch for this pod.
  const names = model.space.names;
  const largest = new Float64Array(names.length);
  for (const pool of usable) {
    const alts = pod.levels.at(-1)?.alternatives ?? [];
    alts.forEach((alt) => {
      const mask = model.compat.mask(pod, alt, pool, undefined);
      for (const t of pool.types)
        if (mask[t.index] === 1)
          for (let i = 0; i < names.length; i++) largest[i] = Math.max(largest[i] ?? 0, t.free[i] ?? 0);
    });
  }
  for (let i = 0; i < names.length; i++) {
    const need = pod.vec[i] ?? 0;
    const name = names[i] ?? "";
    if (need > (largest[i] ?? 0))
      return `requests ${human(name, need)} ${name}; the largest allowed instance type has ${human(name, largest[i] ?? 0)} (after DaemonSet overhead)`;
  }
  const limited = usable.filter(
    (p) => p.remainingNodes <= 0 || Array.from(p.remaining).some((r) => r < Infinity),
  );
  const kinds: string[] = [];
  const level = pod.levels.at(-1);
  if (level?.antiAffinity.length) kinds.push("pod anti-affinity");
  if (level?.affinity.length) kinds.push("pod affinity");
  if (level?.spreads.length) kinds.push("topology spread");
  if (pod.blockedBy.length) kinds.push("anti-affinity of other pods");
  if (pod.ports.length) kinds.push(`host port ${pod.ports.map((p) => p.port).join(",")}`);
  if (limited.length > 0)
    kinds.push(
      `limits of NodePool ${limited.map((p) => `"${p.name}"`).join(", ")} (${limited.map((p) => JSON.stringify(p.pool.spec.limits ?? {})).join(", ")})`,
    );
  return kinds.length > 0
    ? `no node can satisfy its ${kinds.join(", ")}`
    : "no existing node has room and no NodePool offering is available for it";
}
