// The embedded catalogue's file format (data/catalog.json). It stores EC2's reduced descriptions
// and prices rather than finished entries, and entries are rebuilt at load with the same builder
// the live EC2 path uses: the file stays small, and an EC2NodeClass's kubelet overrides (max pods,
// reserves) can be applied to the snapshot exactly as to live data.
import type { AllocatableOptions } from "./allocatable.js";
import { buildInstanceType } from "./build.js";
import type { Ec2InstanceTypeInfo } from "./ec2-info.js";
import type { Catalog, InstanceType, Offering } from "./types.js";

export const snapshotFormat = "rafter.dev/catalog-snapshot/v1";

export interface SnapshotEntry {
  info: Ec2InstanceTypeInfo;
  /** Indexes into CatalogSnapshot.zones where the type is offered. */
  zones: number[];
  /** On-demand USD/hour, the same in every zone of a region. */
  onDemand?: number;
  /** Spot USD/hour per entry of `zones` (same order); absent when the type has no spot. */
  spot?: number[];
}

export interface CatalogSnapshot {
  format: typeof snapshotFormat;
  region: string;
  /** Where the data came from and how spot prices were made; shown by `rafter catalog`. */
  source: { instanceTypes: string; onDemandPrices: string; spotPrices: string; excluded: string };
  zones: string[];
  types: SnapshotEntry[];
}

function snapshotOfferings(snapshot: CatalogSnapshot, entry: SnapshotEntry): Offering[] {
  const offerings: Offering[] = [];
  entry.zones.forEach((zoneIndex, i) => {
    const zone = snapshot.zones[zoneIndex];
    if (zone === undefined) throw new Error(`catalogue snapshot: zone index ${zoneIndex} out of range`);
    if (entry.onDemand !== undefined)
      offerings.push({ zone, capacityType: "on-demand", price: entry.onDemand, available: true });
    const spot = entry.spot?.[i];
    if (spot !== undefined) offerings.push({ zone, capacityType: "spot", price: spot, available: true });
  });
  return offerings.sort((a, b) => a.price - b.price || a.zone.localeCompare(b.zone));
}

export function catalogFromSnapshot(snapshot: CatalogSnapshot, options: AllocatableOptions = {}): Catalog {
  // The file is read from disk, so its format is only what the type claims until checked.
  if ((snapshot.format as string) !== snapshotFormat) {
    throw new Error(`catalogue snapshot: unsupported format ${snapshot.format}`);
  }
  const instanceTypes: InstanceType[] = snapshot.types.map((entry) =>
    buildInstanceType(entry.info, snapshotOfferings(snapshot, entry), options),
  );
  return { region: snapshot.region, instanceTypes };
}
