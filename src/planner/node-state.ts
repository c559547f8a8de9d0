// Mutable per-run state of the nodes a plan can use: existing nodes and in-flight virtual nodes
// (fixed labels, fixed free capacity) and new virtual nodes (requirements, candidate instance types,
// zones and capacity types that narrow as pods join).
// A new node's `candidates` are the types its label constraints admit (requirements, pins); whether
// a type also has room for the node's pods and an offering in its zones/capacity types is checked
// where it matters (hosts), not by re-filtering the list on every placement: lists then keep their
// identity (shared envelopes, memoised narrowing) and a placement costs O(1) in the catalogue's size.
// Both checks only get stricter as pods join (used grows, zones narrow), so a cursor skips types
// that failed them for good.
import type { CapacityType } from "../api/common.js";
import type { Requirements } from "../domain/requirements.js";
import { singleValue } from "../domain/requirements.js";
import type { TaintLike } from "../domain/taints.js";
import { labelKeys } from "../api/labels.js";
import type { HostPort, PodInfo } from "./pods.js";
import { offerBitsOf, type CompiledPool, type PoolType } from "./pools.js";
import { fitsSum, maxInto, type Vec } from "./resource-space.js";

/** An existing node or an in-flight virtual node: everything about it is already decided. */
export interface FixedNode {
  readonly kind: "existing" | "inflight";
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly taints: readonly TaintLike[];
  /** Free capacity (for in-flight nodes: on the smallest of its instance types). */
  readonly free: Vec;
  readonly ports: HostPort[];
  /** Why no pod may join (cordoned, being disrupted), or undefined. */
  readonly closed: string | undefined;
  readonly pods: PodInfo[];
}

const zeros = new Map<number, Vec>();
function zeroOf(n: number): Vec {
  let z = zeros.get(n);
  if (!z) zeros.set(n, (z = new Float64Array(n)));
  return z;
}

/** Elementwise max of free and capacity over a type list, by list identity. */
const envelopes = new WeakMap<readonly PoolType[], { maxFree: Vec; reserve: Vec }>();

export class NewNode {
  readonly pods: PodInfo[] = [];
  readonly ports: HostPort[] = [];
  readonly pinned = new Map<string, string>();
  /** Elementwise max of candidates' free capacity: a cheap first reject. */
  maxFree: Vec;
  /** Elementwise max of candidates' capacity: what the pool's limits must cover. */
  reserve: Vec;
  /** Opened under a size policy (a subset of the pool's types): widening may make it cheaper. */
  sized = false;
  /** Candidates before this index cannot host `used` (valid while `used` only grows). */
  private fitHint = 0;
  private hintList: readonly PoolType[] | undefined;

  constructor(
    readonly name: string,
    readonly pool: CompiledPool,
    public reqs: Requirements,
    public candidates: readonly PoolType[],
    public zones: readonly string[],
    public capacityTypes: readonly CapacityType[],
    public used: Vec,
  ) {
    this.maxFree = new Float64Array(used.length);
    this.reserve = new Float64Array(used.length);
    this.refresh();
  }

  refresh(): void {
    // Fresh nodes share their pool's (or size policy's) type list: its envelope is computed once.
    let env = envelopes.get(this.candidates);
    if (!env) {
      env = { maxFree: new Float64Array(this.used.length), reserve: new Float64Array(this.used.length) };
      for (const t of this.candidates) {
        maxInto(env.maxFree, t.free);
        maxInto(env.reserve, t.capacity);
      }
      envelopes.set(this.candidates, env);
    }
    this.maxFree.set(env.maxFree);
    // Limits must see only the types that can still host the pods (exact, as before the lazy
    // fit filtering); unlimited pools never read `reserve` for a decision.
    if (this.pool.unlimited) this.reserve.set(env.reserve);
    else {
      this.reserve.fill(0);
      for (const t of this.fitting()) maxInto(this.reserve, t.capacity);
    }
  }

  /** Forget the fit cursors: `used` shrank (a pod moved off, or a memo was restored). */
  resetFit(): void {
    this.hintList = undefined;
    this.floorHint = 0;
  }

  private floorHint = 0;

  /**
   * A lower bound on any price this node can have from now on: the cheapest offering of the
   * cheapest pool type with room for its pods, constraints ignored (O(1) amortised: a cursor).
   */
  floorPrice(): number {
    const types = this.pool.types;
    const zero = zeroOf(this.used.length);
    let i = this.floorHint;
    for (let t = types[i]; t && !fitsSum(this.used, zero, t.free); t = types[i]) i++;
    this.floorHint = i;
    return types[i]?.minPrice ?? Infinity;
  }

  private bitsZones: readonly string[] | undefined;
  private bitsCapacityTypes: readonly CapacityType[] | undefined;
  private bits = -1;

  /** offerBitsOf() for the node's current zones and capacity types (cached by their identity). */
  offerBits(): number {
    if (this.bitsZones !== this.zones || this.bitsCapacityTypes !== this.capacityTypes) {
      this.bitsZones = this.zones;
      this.bitsCapacityTypes = this.capacityTypes;
      this.bits = offerBitsOf(this.pool, this.zones, this.capacityTypes);
    }
    return this.bits;
  }

  /** Can the type host the node: room for its pods, and offered in one of its zones/capacity types? */
  hosts(t: PoolType): boolean {
    return (
      fitsSum(this.used, zeroOf(this.used.length), t.free) &&
      hasOffering(t, this.zones, this.capacityTypes, this.offerBits())
    );
  }

  /** Index of the first candidate with room for `used`: types before it are skipped for good. */
  firstFit(): number {
    if (this.hintList !== this.candidates) {
      this.hintList = this.candidates;
      this.fitHint = 0;
    }
    const list = this.candidates;
    let i = this.fitHint;
    for (let t = list[i]; t && !this.hosts(t); t = list[i]) i++;
    this.fitHint = i;
    return i;
  }

  /** Candidates with room for the node's pods, cheapest first. */
  fitting(): PoolType[] {
    const out: PoolType[] = [];
    for (let i = this.firstFit(); i < this.candidates.length; i++) {
      const t = this.candidates[i];
      if (!t) break;
      if (this.hosts(t)) out.push(t);
    }
    return out;
  }

  /** Possible values of a label on this node; one value means decided, none means absent. */
  domainValues(key: string): readonly string[] {
    if (key === labelKeys.hostname) return [this.name];
    const pinned = this.pinned.get(key);
    if (pinned !== undefined) return [pinned];
    if (key === labelKeys.zone) return this.zones;
    if (key === labelKeys.capacityType) return this.capacityTypes;
    const fixed = this.pool.types[0]?.labels[key];
    if (fixed !== undefined && this.pool.pool.spec.template.metadata?.labels?.[key] !== undefined)
      return [fixed];
    if (this.pool.customKeys.has(key)) {
      const req = this.reqs.get(key);
      const single = singleValue(req);
      if (single !== undefined) return [single];
      return req?.allow ? [...req.allow].sort() : [];
    }
    const values = new Set<string>();
    for (const t of this.fitting()) {
      const v = t.labels[key];
      if (v !== undefined) values.add(v);
    }
    return [...values].sort();
  }

  /** Cheapest offering among candidates within the node's zones and capacity types. */
  price(): number {
    return this.cheapest().price;
  }

  /** The type (and price) the node launches as today: its cheapest hosting offering. */
  cheapest(): { type: PoolType | undefined; price: number } {
    let best = Infinity;
    let type: PoolType | undefined;
    for (let i = this.firstFit(); i < this.candidates.length; i++) {
      const t = this.candidates[i];
      if (!t) break;
      if (t.minPrice >= best) break;
      if (!this.hosts(t)) continue;
      for (const o of t.offerings) {
        if (o.price >= best) break;
        if (this.zones.includes(o.zone) && this.capacityTypes.includes(o.capacityType)) {
          best = o.price;
          type = t;
        }
      }
    }
    return { type, price: best };
  }
}

export function hasOffering(
  t: PoolType,
  zones: readonly string[],
  capacityTypes: readonly CapacityType[],
  bits = -1,
): boolean {
  // offerBitsOf(pool, zones, capacityTypes), when the caller computed it: one AND.
  if (bits !== -1) return (t.offerBits & bits) !== 0;
  for (const o of t.offerings)
    if (zones.includes(o.zone) && capacityTypes.includes(o.capacityType)) return true;
  return false;
}

export function cheapestOffering(
  t: PoolType,
  zones: readonly string[],
  capacityTypes: readonly CapacityType[],
): number {
  for (const o of t.offerings)
    if (zones.includes(o.zone) && capacityTypes.includes(o.capacityType)) return o.price;
  return Infinity;
}

/** Distinct values of `key` across candidates must reach the pool requirement's minValues. */
export function minValuesViolation(
  reqs: Requirements,
  candidates: readonly PoolType[],
  zones: readonly string[],
): string | undefined {
  for (const [key, req] of reqs) {
    if (!req.minValues) continue;
    const values = new Set<string>();
    for (const t of candidates) {
      if (key === labelKeys.zone)
        for (const o of t.offerings) (zones.includes(o.zone) ? values : undefined)?.add(o.zone);
      else if (key === labelKeys.capacityType) for (const o of t.offerings) values.add(o.capacityType);
      else {
        const v = t.labels[key];
        if (v !== undefined) values.add(v);
      }
      if (values.size >= req.minValues) break;
    }
    if (values.size < req.minValues) return `${key} minValues ${req.minValues}`;
  }
  return undefined;
}
