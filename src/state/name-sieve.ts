// A counting filter over node names: "certainly not in the set" for most names at the cost of a few
// character reads, so that the filter verb can skip its map lookups for the (many) candidates that
// are neither flagged nor reserved. Looking a freshly parsed string up in a Map makes V8 hash the
// whole string first, which was the largest per-name cost of a filter call.
//
// Exact for "no": a name that was added and not removed always reads non-zero. Callers must keep
// add/remove balanced (add when the name enters their map, remove when it leaves it).

const bits = 14;

/** Three characters ending at index `i` (i, i-1, i-2) in one number; out-of-range reads are 0. */
function trigram(name: string, i: number): number {
  // charCodeAt out of range is NaN, which bitwise operators read as 0: short names are fine.
  return name.charCodeAt(i) ^ (name.charCodeAt(i - 1) << 8) ^ (name.charCodeAt(i - 2) << 16);
}

/** The same three bytes of a name held in `bytes[start, end)` (printable ASCII: a byte is a char). */
function byteTrigram(bytes: Uint8Array, start: number, i: number): number {
  return byteAt(bytes, start, i) ^ (byteAt(bytes, start, i - 1) << 8) ^ (byteAt(bytes, start, i - 2) << 16);
}

function byteAt(bytes: Uint8Array, start: number, k: number): number {
  return k >= start ? (bytes[k] ?? 0) : 0;
}

function mix(length: number, last: number, fourteenth: number, seventeenth: number): number {
  let h = Math.imul(length ^ last, 0x9e3779b1);
  h = Math.imul(h ^ fourteenth, 0x85ebca6b);
  h = Math.imul(h ^ seventeenth, 0xc2b2ae35);
  h ^= h >>> 15;
  return h >>> (32 - bits);
}

/**
 * The bucket of a name: its length, its last three characters and the six from the 14th to the
 * 19th last (where the distinguishing part of EC2 names like ip-10-0-19-136.ec2.internal sits).
 */
export function sieveKey(name: string): number {
  const n = name.length;
  return mix(n, trigram(name, n - 1), trigram(name, n - 14), trigram(name, n - 17));
}

/**
 * sieveKey of the printable-ASCII name in `bytes[start, end)`, read in place: the filter verb keys
 * the candidates of a request without making a string of each (see candidates.ts).
 */
export function byteSieveKey(bytes: Uint8Array, start: number, end: number): number {
  return mix(
    end - start,
    byteTrigram(bytes, start, end - 1),
    byteTrigram(bytes, start, end - 14),
    byteTrigram(bytes, start, end - 17),
  );
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
