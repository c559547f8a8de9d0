// The live catalogue: EC2's instance types and zone offerings (cached for minutes: they change with
// AWS launches, not with load), spot prices (cached shorter, refreshed on expiry), on-demand prices
// from the shipped table. Built catalogues are cached per kubelet settings; lru-cache's fetch()
// coalesces concurrent refreshes into one set of EC2 calls.
import type { EC2Client } from "@aws-sdk/client-ec2";
import { LRUCache } from "lru-cache";
import type { EC2NodeClass } from "../../api/ec2nodeclass.js";
import type { AllocatableOptions } from "../../catalog/allocatable.js";
import { buildCatalog } from "../../catalog/build.js";
import type { Ec2InstanceTypeInfo } from "../../catalog/ec2-info.js";
import { estimateSpotPrice } from "../../catalog/pricing.js";
import type { Catalog } from "../../catalog/types.js";
import type { CapacityType } from "../../api/common.js";
import type { Clock } from "../../clock.js";
import { parseQuantity } from "../../domain/quantity.js";
import { describeSpotPrices, discoverTypes, type DiscoveredTypes } from "./discovery.js";
import type { Ec2Caller } from "./ec2-caller.js";

export type SpotPriceSource = "ec2" | "estimate";

export interface CatalogSourceOptions {
  readonly ec2: EC2Client;
  readonly caller: Ec2Caller;
  readonly clock: Clock;
  readonly region: string;
  /** Read at each catalogue build, so a refreshed price book reaches the next catalogue. */
  readonly onDemandPrices: Pick<ReadonlyMap<string, number>, "get">;
  /** "ec2": DescribeSpotPriceHistory; "estimate": the embedded catalogue's deterministic estimate. */
  readonly spotPrices: SpotPriceSource;
  readonly typesTtlMs: number;
  readonly spotTtlMs: number;
  /** Already-discovered types to start from (refreshed from EC2 once their TTL passes). */
  readonly initialTypes?: DiscoveredTypes | undefined;
}

interface Built {
  readonly catalog: Catalog;
  readonly infos: ReadonlyMap<string, Ec2InstanceTypeInfo>;
}

export class CatalogSource {
  private readonly types: LRUCache<string, DiscoveredTypes>;
  private readonly spot: LRUCache<string, Map<string, number>>;
  private readonly built: LRUCache<string, Built>;
  private lastSpot: ReadonlyMap<string, number> = new Map();

  constructor(private readonly options: CatalogSourceOptions) {
    const perf = options.clock;
    this.types = new LRUCache<string, DiscoveredTypes>({
      max: 1,
      ttl: options.typesTtlMs,
      perf,
      ttlResolution: 0,
      fetchMethod: () => discoverTypes(options.ec2, options.caller),
    });
    if (options.initialTypes) this.types.set("all", options.initialTypes);
    this.spot = new LRUCache<string, Map<string, number>>({
      max: 1,
      ttl: options.spotTtlMs,
      perf,
      ttlResolution: 0,
      fetchMethod: () => describeSpotPrices(options.ec2, options.caller, new Date(options.clock.now())),
    });
    this.built = new LRUCache<string, Built>({
      max: 32,
      ttl: Math.min(options.typesTtlMs, options.spotTtlMs),
      perf,
      ttlResolution: 0,
    });
  }

  /** The catalogue with these kubelet settings; fetched from EC2 when the caches have expired. */
  async catalog(settings: AllocatableOptions = {}): Promise<Built> {
    const key = JSON.stringify(settings);
    const cached = this.built.get(key);
    if (cached) return cached;
    const types = await this.types.fetch("all");
    const spot = this.options.spotPrices === "ec2" ? await this.spot.fetch("all") : undefined;
    if (!types) throw new Error("instance type discovery returned nothing");
    if (spot) this.lastSpot = spot;
    const onDemand = this.options.onDemandPrices;
    const catalog = buildCatalog(
      this.options.region,
      types.infos,
      types.zonesByType,
      {
        onDemand: (name) => onDemand.get(name),
        spot: (name, zone, od) => {
          if (this.options.spotPrices === "ec2") return spot?.get(`${name}/${zone}`);
          return od === undefined ? undefined : estimateSpotPrice(name, zone, od);
        },
      },
      settings,
    );
    const built = { catalog, infos: new Map(types.infos.map((info) => [info.InstanceType ?? "", info])) };
    this.built.set(key, built);
    return built;
  }

  /** The price of an offering as last known (for instances listed before any catalogue was built). */
  price(instanceType: string, zone: string, capacityType: CapacityType): number | undefined {
    const onDemand = this.options.onDemandPrices.get(instanceType);
    if (capacityType === "on-demand") return onDemand;
    if (this.options.spotPrices === "ec2") return this.lastSpot.get(`${instanceType}/${zone}`);
    return onDemand === undefined ? undefined : estimateSpotPrice(instanceType, zone, onDemand);
  }
}

/** The catalogue settings an EC2NodeClass implies: its kubelet block and its root volume's size. */
export function nodeClassCatalogSettings(nodeClass: EC2NodeClass): AllocatableOptions {
  const mappings = nodeClass.spec.blockDeviceMappings;
  const root = mappings?.find((m) => m.rootVolume) ?? mappings?.[0];
  const size = root?.ebs?.volumeSize;
  return {
    ...(nodeClass.spec.kubelet ? { kubelet: nodeClass.spec.kubelet } : {}),
    ...(size ? { rootVolumeBytes: parseQuantity(size) } : {}),
  };
}
