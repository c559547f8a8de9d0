// After packing, a new node keeps every instance type of its pool that still hosts all its pods
// (plus DaemonSet overhead) under its requirements, pinned domains, zones and the pool's limits.
import { hasOffering, minValuesViolation, type NewNode } from "./node-state.js";
import { capacityTypeLabel, zoneLabel } from "./labels.js";
import { typeAdmits, type PoolType } from "./pools.js";
import { addInto, fitsSum, sub, type Vec } from "./resource-space.js";

export function widen(node: NewNode, reserved: Vec | undefined): void {
  const pool = node.pool;
  const others = reserved ? sub(reserved, node.reserve) : undefined;
  const pins = [...node.pinned].filter(
    ([k]) => k !== zoneLabel && k !== capacityTypeLabel && !pool.customKeys.has(k),
  );
  const zero = new Float64Array(node.used.length);
  const next: PoolType[] = [];
  for (const t of pool.types) {
    if (!fitsSum(node.used, zero, t.free)) continue;
    if (others && !fitsSum(others, t.capacity, pool.remaining)) continue;
    if (pins.some(([k, v]) => t.labels[k] !== v)) continue;
    if (!hasOffering(t, node.zones, node.capacityTypes)) continue;
    if (!typeAdmits(t.labels, node.reqs, pool.customKeys)) continue;
    next.push(t);
  }
  if (next.length === 0 || minValuesViolation(node.reqs, next, node.zones)) return;
  if (reserved) addInto(reserved, node.reserve, -1);
  node.candidates = next;
  node.refresh();
  if (reserved) addInto(reserved, node.reserve);
}
