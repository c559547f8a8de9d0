// Dense resource vectors: the hot loops compare Float64Arrays instead of string-keyed records.
import type { Resources } from "../domain/resources.js";

export type Vec = Float64Array;

export class ResourceSpace {
  readonly names: string[] = ["cpu", "memory", "pods"];
  private readonly index = new Map<string, number>(this.names.map((n, i) => [n, i]));

  register(resources: Resources): void {
    for (const name of Object.keys(resources)) {
      if (!this.index.has(name)) {
        this.index.set(name, this.names.length);
        this.names.push(name);
      }
    }
  }

  vector(resources: Resources): Vec {
    const v = new Float64Array(this.names.length);
    for (const [name, value] of Object.entries(resources)) {
      const i = this.index.get(name);
      if (i !== undefined) v[i] = value;
    }
    return v;
  }

  record(v: Vec): Record<string, number> {
    const out: Record<string, number> = {};
    this.names.forEach((name, i) => {
      const value = v[i] ?? 0;
      if (value !== 0) out[name] = value;
    });
    return out;
  }

  zero(): Vec {
    return new Float64Array(this.names.length);
  }
}

/** a + b ≤ cap in every dimension (the hot path of every fit check). */
export function fitsSum(a: Vec, b: Vec, cap: Vec): boolean {
  for (let i = 0; i < a.length; i++) if ((a[i] ?? 0) + (b[i] ?? 0) > (cap[i] ?? 0)) return false;
  return true;
}

export function add(a: Vec, b: Vec): Vec {
  const out = new Float64Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = (a[i] ?? 0) + (b[i] ?? 0);
  return out;
}

export function sub(a: Vec, b: Vec): Vec {
  const out = new Float64Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = (a[i] ?? 0) - (b[i] ?? 0);
  return out;
}

export function addInto(target: Vec, b: Vec, sign = 1): void {
  for (let i = 0; i < target.length; i++) target[i] = (target[i] ?? 0) + sign * (b[i] ?? 0);
}

export function maxInto(target: Vec, b: Vec): void {
  for (let i = 0; i < target.length; i++) target[i] = Math.max(target[i] ?? 0, b[i] ?? 0);
}
