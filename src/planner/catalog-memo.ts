// Memoisation of work derived from the instance catalogue alone. The provisioner calls plan() per
// batch with the same Catalog object, and compiling a NodePool against 1 000+ instance types costs
// far more than planning a small batch. Entries are keyed by the catalogue's identity (a WeakMap:
// a replaced catalogue frees its entries) and by a string that captures every other input of the
// computation, so a cached result is exactly what a fresh computation would return. Callers must
// treat results as immutable. Each catalogue keeps a bounded number of entries (least recently
// used evicted), since inputs like unavailable offerings drift over time.
import type { Catalog } from "../catalog/types.js";

const maxEntries = 64;
const memo = new WeakMap<Catalog, Map<string, unknown>>();

export function catalogMemo<T>(catalog: Catalog, key: string, compute: () => T): T {
  let entries = memo.get(catalog);
  if (!entries) memo.set(catalog, (entries = new Map<string, unknown>()));
  if (entries.has(key)) {
    const hit = entries.get(key) as T;
    // Re-insert: Map iteration order is insertion order, so the oldest entry is evicted first.
    entries.delete(key);
    entries.set(key, hit);
    return hit;
  }
  const value = compute();
  entries.set(key, value);
  if (entries.size > maxEntries) {
    const oldest = entries.keys().next();
    if (!oldest.done) entries.delete(oldest.value);
  }
  return value;
}
