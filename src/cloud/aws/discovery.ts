// Catalogue discovery from EC2: every instance type (DescribeInstanceTypes, all pages), where each
// is offered (DescribeInstanceTypeOfferings by availability zone) and the latest spot price per
// type × zone (DescribeSpotPriceHistory). On-demand prices are not an EC2 API: they come from the
// shipped price table.
import {
  DescribeInstanceTypeOfferingsCommand,
  DescribeInstanceTypesCommand,
  DescribeSpotPriceHistoryCommand,
  type EC2Client,
} from "@aws-sdk/client-ec2";
import type { Ec2InstanceTypeInfo } from "../../catalog/ec2-info.js";
import { loadEmbeddedSnapshot } from "../../catalog/embedded.js";
import type { Ec2Caller } from "./ec2-caller.js";

export interface DiscoveredTypes {
  readonly infos: readonly Ec2InstanceTypeInfo[];
  /** Zones offering each type, sorted. */
  readonly zonesByType: ReadonlyMap<string, readonly string[]>;
}

export async function describeAllInstanceTypes(
  ec2: EC2Client,
  caller: Ec2Caller,
): Promise<Ec2InstanceTypeInfo[]> {
  const infos: Ec2InstanceTypeInfo[] = [];
  let token: string | undefined;
  do {
    const page = await caller.call("DescribeInstanceTypes", () =>
      ec2.send(new DescribeInstanceTypesCommand({ MaxResults: 100, NextToken: token })),
    );
    infos.push(...(page.InstanceTypes ?? []));
    token = page.NextToken;
  } while (token);
  return infos;
}

export async function describeZoneOfferings(
  ec2: EC2Client,
  caller: Ec2Caller,
): Promise<Map<string, string[]>> {
  const zonesByType = new Map<string, string[]>();
  let token: string | undefined;
  do {
    const page = await caller.call("DescribeInstanceTypeOfferings", () =>
      ec2.send(
        new DescribeInstanceTypeOfferingsCommand({
          LocationType: "availability-zone",
          MaxResults: 1000,
          NextToken: token,
        }),
      ),
    );
    for (const offering of page.InstanceTypeOfferings ?? []) {
      if (!offering.InstanceType || !offering.Location) continue;
      const zones = zonesByType.get(offering.InstanceType) ?? [];
      zones.push(offering.Location);
      zonesByType.set(offering.InstanceType, zones);
    }
    token = page.NextToken;
  } while (token);
  for (const zones of zonesByType.values()) zones.sort();
  return zonesByType;
}

export async function discoverTypes(ec2: EC2Client, caller: Ec2Caller): Promise<DiscoveredTypes> {
  const [infos, zonesByType] = await Promise.all([
    describeAllInstanceTypes(ec2, caller),
    describeZoneOfferings(ec2, caller),
  ]);
  return { infos, zonesByType };
}

/** Latest Linux spot price per "type/zone". Asking from `now` returns the price in effect now. */
export async function describeSpotPrices(
  ec2: EC2Client,
  caller: Ec2Caller,
  now: Date,
): Promise<Map<string, number>> {
  const latest = new Map<string, { price: number; at: number }>();
  let token: string | undefined;
  do {
    const page = await caller.call("DescribeSpotPriceHistory", () =>
      ec2.send(
        new DescribeSpotPriceHistoryCommand({
          ProductDescriptions: ["Linux/UNIX", "Linux/UNIX (Amazon VPC)"],
          StartTime: now,
          MaxResults: 1000,
          NextToken: token,
        }),
      ),
    );
    for (const entry of page.SpotPriceHistory ?? []) {
      const price = Number(entry.SpotPrice);
      if (!entry.InstanceType || !entry.AvailabilityZone || !Number.isFinite(price)) continue;
      const key = `${entry.InstanceType}/${entry.AvailabilityZone}`;
      const at = entry.Timestamp?.getTime() ?? 0;
      const known = latest.get(key);
      if (!known || at > known.at) latest.set(key, { price, at });
    }
    token = page.NextToken === "" ? undefined : page.NextToken;
  } while (token);
  return new Map([...latest].map(([key, value]) => [key, value.price]));
}

/**
 * The embedded snapshot's types and zones in discovery's shape, for starting without waiting for
 * DescribeInstanceTypes. Only for endpoints that serve the same data (moto): a real account's zone
 * names map to different physical zones and may offer other types, so it discovers instead.
 */
export function embeddedDiscoveredTypes(region: string): DiscoveredTypes | undefined {
  const snapshot = loadEmbeddedSnapshot();
  if (snapshot.region !== region) return undefined;
  const zonesByType = new Map<string, string[]>();
  for (const entry of snapshot.types) {
    zonesByType.set(
      entry.info.InstanceType ?? "",
      entry.zones.map((index) => snapshot.zones[index] ?? ""),
    );
  }
  return { infos: snapshot.types.map((entry) => entry.info), zonesByType };
}
