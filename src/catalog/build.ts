// Builds catalogue entries from EC2's instance-type descriptions plus offerings. One builder for
// every source (live EC2, moto, the embedded snapshot), so allocatable and labels never disagree.
import { computeAllocatable, computeCapacity, type AllocatableOptions } from "./allocatable.js";
import type { Ec2InstanceTypeInfo } from "./ec2-info.js";
import { instanceTypeLabels, kubernetesArch } from "./labels.js";
import type { Catalog, InstanceType, Offering } from "./types.js";

/** Whether a type can run a Linux kubelet at all (Mac and i386-only types cannot). */
export function isLaunchable(info: Ec2InstanceTypeInfo): boolean {
  return (
    info.InstanceType !== undefined &&
    kubernetesArch(info) !== undefined &&
    (info.VCpuInfo?.DefaultVCpus ?? 0) > 0 &&
    (info.MemoryInfo?.SizeInMiB ?? 0) > 0
  );
}

export function supportsSpot(info: Ec2InstanceTypeInfo): boolean {
  return info.SupportedUsageClasses?.includes("spot") ?? true;
}

export function buildInstanceType(
  info: Ec2InstanceTypeInfo,
  offerings: readonly Offering[],
  options: AllocatableOptions = {},
): InstanceType {
  const capacity = computeCapacity(info, options);
  return {
    name: info.InstanceType ?? "",
    labels: instanceTypeLabels(info),
    capacity,
    allocatable: computeAllocatable(info, capacity, options),
    offerings,
  };
}

export interface PriceSources {
  /** On-demand USD/hour by type; a type without one gets no on-demand offering. */
  onDemand: (instanceType: string) => number | undefined;
  /** Spot USD/hour by type and zone; undefined means no spot offering there. */
  spot: (instanceType: string, zone: string, onDemand: number | undefined) => number | undefined;
}

/** Offerings of a type in the zones where EC2 offers it, cheapest first. */
function buildOfferings(
  info: Ec2InstanceTypeInfo,
  zones: readonly string[],
  prices: PriceSources,
): Offering[] {
  const name = info.InstanceType ?? "";
  const onDemand = prices.onDemand(name);
  const offerings: Offering[] = [];
  for (const zone of zones) {
    if (onDemand !== undefined)
      offerings.push({ zone, capacityType: "on-demand", price: onDemand, available: true });
    if (!supportsSpot(info)) continue;
    const spot = prices.spot(name, zone, onDemand);
    if (spot !== undefined) offerings.push({ zone, capacityType: "spot", price: spot, available: true });
  }
  return offerings.sort((a, b) => a.price - b.price || a.zone.localeCompare(b.zone));
}

/**
 * A catalogue from descriptions and a type → zones map. Types that cannot run a kubelet, or that
 * end up with no priced offering (nothing to launch, nothing to compare), are left out.
 */
export function buildCatalog(
  region: string,
  infos: Iterable<Ec2InstanceTypeInfo>,
  zonesByType: ReadonlyMap<string, readonly string[]>,
  prices: PriceSources,
  options: AllocatableOptions = {},
): Catalog {
  const instanceTypes: InstanceType[] = [];
  for (const info of infos) {
    if (!isLaunchable(info)) continue;
    const zones = zonesByType.get(info.InstanceType ?? "") ?? [];
    const offerings = buildOfferings(info, zones, prices);
    if (offerings.length === 0) continue;
    instanceTypes.push(buildInstanceType(info, offerings, options));
  }
  instanceTypes.sort((a, b) => a.name.localeCompare(b.name));
  return { region, instanceTypes };
}
