// Which offerings one create() may try: the virtual node's instance types (cheapest first, as the
// planner ordered them) × the zones and capacity types its requirements allow, minus offerings
// marked unavailable. Shared by the AWS and simulated clouds so both choose identically.
import type { NodeSelectorRequirementWithMinValues, CapacityType } from "../api/common.js";
import type { VirtualNode } from "../api/virtualnode.js";
import { labelKeys } from "../api/labels.js";
import { offeringKey, type InstanceType } from "../catalog/types.js";

/**
 * Instance types one launch may try. Karpenter's figure: beyond about 60 types the extra pools add
 * little to price-capacity-optimized spot while the request grows.
 */
export const maxLaunchInstanceTypes = 60;
/**
 * Overrides (type × zone pairs) per CreateFleet request, across all launch templates: the EC2 API
 * reference documents 300 for FleetLaunchTemplateConfigRequest.Overrides (stated for fleets of type
 * request and maintain; the same bound is applied to instant fleets here).
 * https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_FleetLaunchTemplateConfigRequest.html
 */
export const maxLaunchOptions = 300;

export interface LaunchOption {
  readonly instanceType: string;
  readonly zone: string;
  readonly capacityType: CapacityType;
  readonly price: number;
}

export interface LaunchOptions {
  readonly capacityType: CapacityType;
  readonly options: readonly LaunchOption[];
}

/** Whether a value satisfies every requirement on `key` (keys without requirements allow anything). */
export function allows(
  requirements: readonly NodeSelectorRequirementWithMinValues[],
  key: string,
  value: string,
): boolean {
  for (const requirement of requirements) {
    if (requirement.key !== key) continue;
    const values = requirement.values ?? [];
    switch (requirement.operator) {
      case "In":
        if (!values.includes(value)) return false;
        break;
      case "NotIn":
        if (values.includes(value)) return false;
        break;
      case "DoesNotExist":
        return false;
      case "Exists":
        break;
      case "Gt":
      case "Lt": {
        const bound = Number(values[0]);
        const number = Number(value);
        if (
          !Number.isFinite(number) ||
          (requirement.operator === "Gt" ? !(number > bound) : !(number < bound))
        )
          return false;
        break;
      }
    }
  }
  return true;
}

/**
 * Spot is chosen whenever the requirements allow it and a spot option is left (it is cheaper, and
 * the planner priced the node that way); otherwise on-demand. Requirements that do not mention the
 * capacity type at all mean on-demand only, as in Karpenter: spot must be asked for (the planner
 * always writes the capacity types it priced). Options keep the planner's type order,
 * zones by price within a type: up to 60 instance types, each in every allowed zone, and at most
 * 300 type × zone pairs in all.
 */
export function launchOptions(
  virtualNode: VirtualNode,
  catalog: ReadonlyMap<string, InstanceType>,
  unavailable: ReadonlySet<string>,
  allowedZones?: ReadonlySet<string>,
): LaunchOptions | undefined {
  const requirements = virtualNode.spec.requirements;
  const spotAllowed = requirements.some((r) => r.key === labelKeys.capacityType);
  const byCapacityType: Record<CapacityType, LaunchOption[]> = { spot: [], "on-demand": [] };
  for (const name of virtualNode.spec.instanceTypes) {
    const type = catalog.get(name);
    if (!type) continue;
    const offerings = [...type.offerings].sort((a, b) => a.price - b.price);
    for (const offering of offerings) {
      if (!offering.available) continue;
      if (allowedZones && !allowedZones.has(offering.zone)) continue;
      if (!allows(requirements, labelKeys.zone, offering.zone)) continue;
      if (!allows(requirements, labelKeys.capacityType, offering.capacityType)) continue;
      if (offering.capacityType === "spot" && !spotAllowed) continue;
      if (unavailable.has(offeringKey(name, offering.zone, offering.capacityType))) continue;
      byCapacityType[offering.capacityType].push({
        instanceType: name,
        zone: offering.zone,
        capacityType: offering.capacityType,
        price: offering.price,
      });
    }
  }
  const capacityType: CapacityType = byCapacityType.spot.length > 0 ? "spot" : "on-demand";
  const options = capOptions(byCapacityType[capacityType]);
  return options.length > 0 ? { capacityType, options } : undefined;
}

/** The first 60 instance types (options come grouped by type), within 300 options in all. */
function capOptions(options: readonly LaunchOption[]): LaunchOption[] {
  const types = new Set<string>();
  const kept: LaunchOption[] = [];
  for (const option of options) {
    if (kept.length >= maxLaunchOptions) break;
    if (!types.has(option.instanceType)) {
      if (types.size >= maxLaunchInstanceTypes) break;
      types.add(option.instanceType);
    }
    kept.push(option);
  }
  return kept;
}
