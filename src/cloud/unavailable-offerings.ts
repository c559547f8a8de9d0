// Offerings that recently failed with insufficient capacity. The launcher marks them, the planner
// reads `keys()` into its snapshot so that the next plan avoids them, and they expire on their own
// after a TTL (3 minutes by default, like Karpenter's ICE cache) because capacity comes back.
import { LRUCache } from "lru-cache";
import type { Clock } from "../clock.js";
import { offeringKey } from "../catalog/types.js";
import type { CapacityType } from "../api/common.js";

const defaultUnavailableTtlMs = 3 * 60_000;

export interface UnavailableOfferingsOptions {
  readonly clock: Clock;
  readonly ttlMs?: number;
  /** Bound on remembered offerings; the oldest marks go first. */
  readonly max?: number;
}

export class UnavailableOfferings {
  private readonly cache: LRUCache<string, string>;
  private version = 0;

  constructor(options: UnavailableOfferingsOptions) {
    this.cache = new LRUCache<string, string>({
      max: options.max ?? 10_000,
      ttl: options.ttlMs ?? defaultUnavailableTtlMs,
      // The injected clock drives expiry, so tests move time instead of waiting.
      perf: options.clock,
      ttlResolution: 0,
    });
  }

  mark(instanceType: string, zone: string, capacityType: CapacityType, reason: string): void {
    this.cache.set(offeringKey(instanceType, zone, capacityType), reason);
    this.version++;
  }

  isUnavailable(instanceType: string, zone: string, capacityType: CapacityType): boolean {
    return this.cache.has(offeringKey(instanceType, zone, capacityType));
  }

  /** Why an offering is marked, if it is. */
  reason(instanceType: string, zone: string, capacityType: CapacityType): string | undefined {
    return this.cache.get(offeringKey(instanceType, zone, capacityType));
  }

  /** The current marks as offeringKey strings ("type/zone/capacityType"), a fresh immutable set. */
  keys(): ReadonlySet<string> {
    this.cache.purgeStale();
    return new Set(this.cache.keys());
  }

  /** Increases on every mark: a cheap way for caches built on top to notice changes. */
  get generation(): number {
    return this.version;
  }

  clear(): void {
    this.cache.clear();
    this.version++;
  }
}
