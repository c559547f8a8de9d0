// CreateFleet for one node: type instant, target capacity 1, one launch template config per image
// (architecture) whose overrides are the allowed (instance type × zone's subnet) pairs. On-demand
// uses lowest-price (the overrides' price order is the planner's); spot uses
// price-capacity-optimized, which trades a little price for a lower interruption rate.
import { createHash } from "node:crypto";
import type {
  _InstanceType,
  CreateFleetCommandInput,
  CreateFleetCommandOutput,
  Tag,
} from "@aws-sdk/client-ec2";
import type { CapacityType } from "../../api/common.js";
import type { FailedOffering } from "../errors.js";
import type { LaunchOption } from "../launch-options.js";

export interface FleetOverride {
  readonly option: LaunchOption;
  readonly subnetId: string;
  readonly launchTemplateName: string;
}

/**
 * Idempotency token: the VirtualNode's UID plus a digest of what is asked. A retry after a crash
 * asks the same and gets the same token (EC2 returns the first fleet instead of launching again);
 * a retry after capacity errors asks for fewer offerings, which EC2 would otherwise reject as
 * IdempotentParameterMismatch. ≤ 64 ASCII characters, as EC2 requires.
 */
export function fleetClientToken(virtualNodeUid: string, overrides: readonly FleetOverride[]): string {
  const digest = createHash("sha256")
    .update(overrides.map((o) => `${o.launchTemplateName}|${o.option.instanceType}|${o.subnetId}`).join(","))
    .digest("hex")
    .slice(0, 16);
  return `${virtualNodeUid.slice(0, 47)}-${digest}`;
}

export function createFleetInput(
  capacityType: CapacityType,
  overrides: readonly FleetOverride[],
  clientToken: string,
  tags: readonly Tag[],
): CreateFleetCommandInput {
  const byTemplate = new Map<string, FleetOverride[]>();
  for (const override of overrides) {
    const list = byTemplate.get(override.launchTemplateName) ?? [];
    list.push(override);
    byTemplate.set(override.launchTemplateName, list);
  }
  return {
    Type: "instant",
    ClientToken: clientToken,
    TargetCapacitySpecification: { TotalTargetCapacity: 1, DefaultTargetCapacityType: capacityType },
    ...(capacityType === "spot"
      ? { SpotOptions: { AllocationStrategy: "price-capacity-optimized" } }
      : { OnDemandOptions: { AllocationStrategy: "lowest-price" } }),
    LaunchTemplateConfigs: [...byTemplate].map(([name, list]) => ({
      LaunchTemplateSpecification: { LaunchTemplateName: name, Version: "$Latest" },
      Overrides: list.map((o) => ({
        InstanceType: o.option.instanceType as _InstanceType,
        SubnetId: o.subnetId,
      })),
    })),
    // Instant fleets reject "network-interface" here: ENIs are tagged by the launch template.
    TagSpecifications: (["instance", "volume", "fleet"] as const).map((resourceType) => ({
      ResourceType: resourceType,
      Tags: [...tags],
    })),
  };
}

export interface FleetOutcome {
  readonly instanceId?: string;
  readonly instanceType?: string;
  readonly subnetId?: string;
  /** Per-override errors EC2 reported (inside a successful, HTTP 200 answer). */
  readonly errors: readonly { code: string; message: string; instanceType?: string; subnetId?: string }[];
}

export function parseFleetOutput(output: CreateFleetCommandOutput): FleetOutcome {
  const instance = output.Instances?.find((i) => (i.InstanceIds ?? []).length > 0);
  const errors = (output.Errors ?? []).map((error) => {
    const override = error.LaunchTemplateAndOverrides?.Overrides;
    return {
      code: error.ErrorCode ?? "Unknown",
      message: error.ErrorMessage ?? "",
      ...(override?.InstanceType ? { instanceType: override.InstanceType } : {}),
      ...(override?.SubnetId ? { subnetId: override.SubnetId } : {}),
    };
  });
  const subnetId = instance?.LaunchTemplateAndOverrides?.Overrides?.SubnetId ?? instance?.SubnetId;
  return {
    ...(instance?.InstanceIds?.[0] ? { instanceId: instance.InstanceIds[0] } : {}),
    ...(instance?.InstanceType ? { instanceType: instance.InstanceType } : {}),
    ...(subnetId ? { subnetId } : {}),
    errors,
  };
}

/** Maps per-override errors back to offerings (an error without an override applies to all). */
export function failedOfferings(
  outcome: FleetOutcome,
  overrides: readonly FleetOverride[],
  capacityCodes: ReadonlySet<string>,
): FailedOffering[] {
  const failed = new Map<string, FailedOffering>();
  for (const error of outcome.errors) {
    if (!capacityCodes.has(error.code)) continue;
    for (const o of overrides) {
      if (error.instanceType !== undefined && error.instanceType !== o.option.instanceType) continue;
      if (error.subnetId !== undefined && error.subnetId !== o.subnetId) continue;
      const key = `${o.option.instanceType}/${o.option.zone}/${o.option.capacityType}`;
      failed.set(key, {
        instanceType: o.option.instanceType,
        zone: o.option.zone,
        capacityType: o.option.capacityType,
        code: error.code,
      });
    }
  }
  return [...failed.values()];
}
