// The instance catalogue's shape, shared by the planner (which reads it), the cloud providers
// (which build it) and `rafter plan --catalog` (which accepts it as JSON).
import type { CapacityType } from "../api/common.js";
import type { Resources } from "../domain/resources.js";

/** One place an instance type can be launched, with its hourly price in USD. */
export interface Offering {
  readonly zone: string;
  readonly capacityType: CapacityType;
  readonly price: number;
  readonly available: boolean;
}

export interface InstanceType {
  readonly name: string;
  /** Labels a node of this type carries (arch, os, instance-type, rafter.dev/instance-*). */
  readonly labels: Readonly<Record<string, string>>;
  /** Raw capacity in canonical units (cpu in millicores, memory in bytes, pods, extended resources). */
  readonly capacity: Resources;
  /** Capacity minus kubelet/system reserve and eviction threshold: what pods can request. */
  readonly allocatable: Resources;
  readonly offerings: readonly Offering[];
}

export interface Catalog {
  readonly region: string;
  readonly instanceTypes: readonly InstanceType[];
}

/** Key of an offering for unavailability marks: "type/zone/capacityType". */
export function offeringKey(instanceType: string, zone: string, capacityType: CapacityType): string {
  return `${instanceType}/${zone}/${capacityType}`;
}
