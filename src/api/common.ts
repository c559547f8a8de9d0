// Types shared by rafter's custom resources. They mirror the Kubernetes API shapes so that objects
// read from the API server, from YAML files and from tests are the same plain data.
import type { V1ObjectMeta } from "@kubernetes/client-node";

export const apiGroup = "rafter.dev";
export const apiVersion = "rafter.dev/v1";

export type ObjectMeta = V1ObjectMeta;

/** How an instance is bought: the values of the capacity-type label and of VirtualNode status. */
export type CapacityType = "on-demand" | "spot";

export type TaintEffect = "NoSchedule" | "PreferNoSchedule" | "NoExecute";

export interface Taint {
  key: string;
  value?: string;
  effect: TaintEffect;
}

export type RequirementOperator = "In" | "NotIn" | "Exists" | "DoesNotExist" | "Gt" | "Lt";

/** A node-selector requirement, with the NodePool extension `minValues`. */
export interface NodeSelectorRequirementWithMinValues {
  key: string;
  operator: RequirementOperator;
  values?: string[];
  /** At least this many distinct values of `key` must remain among the launch options. */
  minValues?: number;
}

export interface Condition {
  type: string;
  status: "True" | "False" | "Unknown";
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
  observedGeneration?: number;
}

export interface KubeObject<Spec, Status> {
  apiVersion: typeof apiVersion;
  kind: string;
  metadata: ObjectMeta;
  spec: Spec;
  status?: Status;
}
