// A counting filter over node names: "certainly not in the set" for most names at the cost of a few
// character reads, so that the filter verb can skip its map lookups for the (many) candidates that
// are neither flagged nor reserved. Looking a freshly parsed string up in a Map makes V8 hash the
// whole string first, which was the largest per-name cost of a filter call.
//
// Exact for "no": a name that was added and not removed always reads non-zero. Callers must keep
// add/remove balanced (add when the name enters their map, remove when it leaves it).

const bits = 14;

/**
 * The bucket of a name: its length, its last three characters and the six from the 14th to the
 * 19th last (where the distinguishing part of EC2 names like ip-10-0-19-136.ec2.internal sits).
 */
export function sieveKey(name: string): number {
  const n = name.length;
  // charCodeAt out of range is NaN, which bitwise operators read as 0: short names are fine.
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
  h ^= h >>> 15;
  return h >>> (32 - bits);
}

export class NameSieve {
  private readonly counts = new Int32Array(1 << bits);

  add(name: string): void {
    const key = sieveKey(name);
    this.counts[key] = (this.counts[key] ?? 0) + 1;
  }

  remove(name: string): void {
    const key = sieveKey(name);
    this.counts[key] = (this.counts[key] ?? 0) - 1;
  }

  /** False when the name is certainly not in the set; true when it may be. */
  mayHave(key: number): boolean {
    return this.counts[key] !== 0;
  }
}
