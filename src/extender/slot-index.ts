// The figures prioritize scores with (readiness, launching, consolidation flags, requested and
// allocatable cpu/memory), per node name, packed in typed arrays. Scoring 500 candidates through the
// cluster state's Map costs several cache misses per name (the Map's buckets and entries, the key
// string, the slot object), which made lookups most of a prioritize call; here a name costs a hash
// of a dozen of its characters, a probe in a small table, a string comparison and one read of a
// 40-byte record, in typed arrays of a few hundred kilobytes for thousands of nodes.
//
// A cache of the cluster state, exact: a name matches an entry only if it equals the slot's own name
// string (a native comparison); entries are filled on first use from the state, updated by the state's slot listener
// whenever a slot's figures or flags change, and the whole index is emptied when a slot is dropped
// (rare: a node leaves) or when it is full, and refills on use. Names the state has no slot for are
// not cached.
import type { ClusterState, NodeSlot } from "../state/cluster-state.js";

/** Bits of an entry's flags. */
export const hasNode = 1;
export const ready = 2;
export const launching = 4;
export const consolidationCandidate = 8;

/** Fields of an entry's record in `figures`: flags, requested cpu/memory, allocatable cpu/memory. */
export const stride = 5;

/**
 * A hash of a name from its length and a dozen of its characters (where node names differ: the
 * end, and the digits before a domain suffix; see name-sieve.ts): a loop over every character costs
 * more in JavaScript than V8's own hashing. Collisions only lengthen probes; matches are exact.
 */
function hashName(name: string): number {
  const n = name.length;
  // charCodeAt out of range is NaN, which bitwise operators read as 0.
  let h = Math.imul(
    n ^ name.charCodeAt(n - 1) ^ (name.charCodeAt(n - 2) << 8) ^ (name.charCodeAt(n - 3) << 16),
    0x9e3779b1,
  );
  h = Math.imul(
    h ^ name.charCodeAt(n - 14) ^ (name.charCodeAt(n - 15) << 8) ^ (name.charCodeAt(n - 16) << 16),
    0x85ebca6b,
  );
  h = Math.imul(
    h ^ name.charCodeAt(n - 17) ^ (name.charCodeAt(n - 18) << 8) ^ (name.charCodeAt(n - 19) << 16),
    0xc2b2ae35,
  );
  h = Math.imul(
    h ^ name.charCodeAt(n - 4) ^ (name.charCodeAt(n - 5) << 8) ^ (name.charCodeAt(n - 6) << 16),
    0x27d4eb2f,
  );
  return h ^ (h >>> 15);
}

export class SlotIndex {
  /** Per entry, `stride` numbers: see the field order above. */
  figures: Float64Array;
  private table: Int32Array; // entry + 1; 0 is empty
  private hashes: Int32Array;
  /** The slot's own name string per entry, compared with `===` (native). */
  private names: string[] = [];
  private count = 0;
  private capacity: number;

  constructor(
    private readonly state: ClusterState,
    initialCapacity = 4096,
  ) {
    this.capacity = initialCapacity;
    this.figures = new Float64Array(0);
    this.table = new Int32Array(0);
    this.hashes = new Int32Array(0);
    this.allocate();
    state.addSlotListener((slot, gone) => {
      if (gone) this.clear();
      else this.update(slot);
    });
  }

  get size(): number {
    return this.count;
  }

  /** The entry for a node name (filled from the cluster state on first use); -1 if it has no slot. */
  entry(name: string): number {
    const h = hashName(name);
    const found = this.find(name, h);
    if (found >= 0) return found;
    const slot = this.state.lookup(name);
    if (!slot) return -1;
    // Full: start again, larger (it refills on use).
    if (this.count >= this.capacity) {
      this.capacity *= 2;
      this.allocate();
    }
    const e = this.count++;
    this.hashes[e] = h;
    this.names[e] = slot.name;
    let t = h & (this.table.length - 1);
    while (this.table[t] !== 0) t = (t + 1) & (this.table.length - 1);
    this.table[t] = e + 1;
    this.write(e, slot);
    return e;
  }

  clear(): void {
    this.table.fill(0);
    this.count = 0;
    this.names.fill("");
  }

  private find(name: string, h: number): number {
    const { table, hashes } = this;
    const mask = table.length - 1;
    for (let t = h & mask; ; t = (t + 1) & mask) {
      const e = (table[t] ?? 0) - 1;
      if (e < 0) return -1;
      if (hashes[e] === h && this.names[e] === name) return e;
    }
  }

  private update(slot: NodeSlot): void {
    if (this.count === 0) return;
    const e = this.find(slot.name, hashName(slot.name));
    if (e >= 0) this.write(e, slot);
  }

  private write(e: number, slot: NodeSlot): void {
    const at = e * stride;
    const f = this.figures;
    f[at] =
      (slot.node !== undefined ? hasNode : 0) |
      (slot.ready ? ready : 0) |
      (slot.launching ? launching : 0) |
      (slot.consolidationCandidate ? consolidationCandidate : 0);
    f[at + 1] = slot.requestedCpu;
    f[at + 2] = slot.requestedMemory;
    f[at + 3] = slot.allocatableCpu;
    f[at + 4] = slot.allocatableMemory;
  }

  private allocate(): void {
    const capacity = this.capacity;
    let tableSize = 16;
    while (tableSize < capacity * 2) tableSize *= 2;
    this.table = new Int32Array(tableSize);
    this.hashes = new Int32Array(capacity);
    this.figures = new Float64Array(capacity * stride);
    this.names = new Array<string>(capacity).fill("");
    this.count = 0;
  }
}
