// After packing, a new node keeps every instance type of its pool that still hosts all its pods
// (plus DaemonSet overhead) under its requirements, pinned domains, zones and the pool's limits.
// widenedPrice() answers "what would the node cost once widened" without building the list: the
// pool's types are sorted by their cheapest offering, so a scan stops at the first type that can no
// longer beat the best price. Packing runs are compared with it; only the winner is widened.
import { hasOffering, minValuesViolation, type NewNode } from "./node-state.js";
import { labelKeys } from "../api/labels.js";
import { cheapestAccepted, offerBitsOf, typeAdmits, type PoolType } from "./pools.js";
import { toRequirementInputs } from "../domain/requirements.js";
import { addInto, fitsSum, sub, type Vec } from "./resource-space.js";

/** Could `node` (its pods, requirements, pins, zones) launch as `t`, given other nodes' reservations? */
function eligibility(
  node: NewNode,
  reserved: Vec | undefined,
): (t: PoolType, used?: Vec, offered?: boolean) => boolean {
  const pool = node.pool;
  const others = reserved ? sub(reserved, node.reserve) : undefined;
  const limited = others !== undefined && pool.remaining.some((r) => Number.isFinite(r));
  const pins = [...node.pinned].filter(
    // Hostname, zone, capacity type and custom keys are the node's own, not its type's labels.
    ([k]) =>
      k !== labelKeys.hostname &&
      k !== labelKeys.zone &&
      k !== labelKeys.capacityType &&
      !pool.customKeys.has(k),
  );
  const zero = new Float64Array(node.used.length);
  const bits = offerBitsOf(pool, node.zones, node.capacityTypes);
  return (t, used = node.used, offered = false) =>
    fitsSum(used, zero, t.free) &&
    (!limited || fitsSum(others, t.capacity, pool.remaining)) &&
    (offered || hasOffering(t, node.zones, node.capacityTypes, bits)) &&
    pins.every(([k, v]) => t.labels[k] === v) &&
    typeAdmits(t.labels, node.reqs, pool.customKeys);
}

/** The price `node` would have after widen() (its current price when widening would not apply). */
export function widenedPrice(node: NewNode, reserved: Vec | undefined, used: Vec = node.used): number {
  const ok = eligibility(node, reserved);
  return cheapestAccepted(node.pool, node.zones, node.capacityTypes, (t) => ok(t, used, true));
}

/**
 * Widened type lists of unlimited pools, memoised by everything eligibility reads besides
 * room (room is checked lazily against the node's `used`): nodes with the same requirements, zones
 * and pins share one list, so widening costs one lookup instead of a scan of the catalogue.
 */
const widened = new WeakMap<readonly PoolType[], Map<string, readonly PoolType[]>>();
/** Distinct widenings remembered per type list (a bound: requirements vary without limit). */
const maxWidenings = 512;

function widenedTypes(node: NewNode): readonly PoolType[] {
  const pool = node.pool;
  // Keyed by the pool's type list, which the catalogue memo shares across plans with the same
  // catalogue and pool spec (the list fixes customKeys too), so widenings carry over between batches.
  let byKey = widened.get(pool.types);
  if (!byKey) widened.set(pool.types, (byKey = new Map<string, readonly PoolType[]>()));
  if (byKey.size > maxWidenings) byKey.clear();
  // Zones and capacity types are not part of it: offerings, like room, are checked per use.
  const key = JSON.stringify([
    toRequirementInputs(node.reqs),
    [...node.pinned]
      .filter(([k]) => k !== labelKeys.hostname && k !== labelKeys.zone && k !== labelKeys.capacityType)
      .sort(),
  ]);
  let list = byKey.get(key);
  if (!list) {
    const ok = eligibility(node, undefined);
    list = pool.types.filter((t) => ok(t, zeroVec(node.used.length), true));
    byKey.set(key, list);
  }
  return list;
}

const zeros = new Map<number, Vec>();
function zeroVec(n: number): Vec {
  let z = zeros.get(n);
  if (!z) zeros.set(n, (z = new Float64Array(n)));
  return z;
}

export function widen(node: NewNode, reserved: Vec | undefined): void {
  const limited = reserved !== undefined && !node.pool.unlimited;
  let next: readonly PoolType[];
  if (limited) {
    // The memoised unlimited list already holds every type the requirements and pins admit, in
    // pool order: filtering it for room, offerings and limits gives what scanning all types would.
    const ok = eligibility(node, reserved);
    next = widenedTypes(node).filter((t) => ok(t));
  } else next = widenedTypes(node);
  if (next === node.candidates) return;
  if (limited) {
    if (next.length === 0 || minValuesViolation(node.reqs, next, node.zones)) return;
  } else if ([...node.reqs.values()].some((r) => r.minValues)) {
    const hosting = next.filter((t) => node.hosts(t));
    if (hosting.length === 0 || minValuesViolation(node.reqs, hosting, node.zones)) return;
  } else if (!next.some((t) => node.hosts(t))) return;
  if (reserved) addInto(reserved, node.reserve, -1);
  node.candidates = next;
  node.refresh();
  if (reserved) addInto(reserved, node.reserve);
}
