// The candidate nodes of a filter or prioritize request, by index in request order, with the sieve
// key of each name (name-sieve.ts). When the names were read in place from the request bytes
// (read-args.ts), a name becomes a string only when it is asked for: most candidates of a filter
// call are passed on their key alone, and replies copy their bytes (reply-bytes.ts).
import { byteSieveKey, sieveKey } from "../state/name-sieve.js";

/** Where each name sits in the request: bytes[starts[i], ends[i]), printable ASCII, unescaped. */
export interface NameBytes {
  readonly bytes: Buffer;
  readonly starts: readonly number[];
  readonly ends: readonly number[];
}

export class Candidates {
  readonly count: number;
  /** sieveKey of each name. */
  readonly keys: Int32Array;
  private readonly strings: (string | undefined)[];

  private constructor(
    count: number,
    strings: (string | undefined)[],
    /** Set when the names are read from the request bytes. */
    readonly source: NameBytes | undefined,
  ) {
    this.count = count;
    this.strings = strings;
    this.keys = new Int32Array(count);
    if (source) {
      for (let i = 0; i < count; i++)
        this.keys[i] = byteSieveKey(source.bytes, source.starts[i] ?? 0, source.ends[i] ?? 0);
    } else {
      for (let i = 0; i < count; i++) this.keys[i] = sieveKey(strings[i] ?? "");
    }
  }

  static fromNames(names: readonly string[]): Candidates {
    return new Candidates(names.length, [...names], undefined);
  }

  static fromBytes(source: NameBytes): Candidates {
    return new Candidates(source.starts.length, new Array<string | undefined>(source.starts.length), source);
  }

  name(i: number): string {
    const cached = this.strings[i];
    if (cached !== undefined || !this.source) return cached ?? "";
    const { bytes, starts, ends } = this.source;
    const name = bytes.toString("latin1", starts[i] ?? 0, ends[i] ?? 0);
    this.strings[i] = name;
    return name;
  }

  /** Every name, in request order. */
  names(): string[] {
    const out = new Array<string>(this.count);
    for (let i = 0; i < this.count; i++) out[i] = this.name(i);
    return out;
  }

  /** The index of the first candidate with this name, or -1. */
  indexOf(name: string): number {
    const key = sieveKey(name);
    for (let i = 0; i < this.count; i++) {
      if (this.keys[i] === key && this.name(i) === name) return i;
    }
    return -1;
  }
}
