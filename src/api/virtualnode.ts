// VirtualNode (virtualnodes.rafter.dev, short name vn): one unit of planned capacity, 1:1 with an
// instance and its Node. Created before the cloud is called so that no launch goes unrecorded.
import type { CapacityType, Condition, KubeObject, NodeSelectorRequirementWithMinValues } from "./common.js";

export type VirtualNodePhase =
  "Planned" | "Launching" | "Launched" | "Registered" | "Ready" | "Draining" | "Terminating" | "Failed";

export const virtualNodePhases: readonly VirtualNodePhase[] = [
  "Planned",
  "Launching",
  "Launched",
  "Registered",
  "Ready",
  "Draining",
  "Terminating",
  "Failed",
];

export type VirtualNodeConditionType =
  "Launched" | "Registered" | "Initialized" | "Drifted" | "Consolidatable";

/** A pod reference as "namespace/name" plus its UID, so a recreated pod is not mistaken for it. */
export interface PodReference {
  namespace: string;
  name: string;
  uid?: string;
}

export interface VirtualNodeSpec {
  nodePool: string;
  nodeClass?: string;
  requirements: NodeSelectorRequirementWithMinValues[];
  /** Instance types that fit every reserved pod, cheapest first. */
  instanceTypes: string[];
  /** Sum of the reserved pods' requests plus DaemonSet overhead, as a ResourceList. */
  resources: Record<string, string>;
  /** Pods this capacity was planned for; they are bound to the Node as soon as it exists. */
  pods: PodReference[];
}

export interface VirtualNodeStatus {
  phase?: VirtualNodePhase;
  reservedPods?: number;
  boundPods?: number;
  instanceType?: string;
  zone?: string;
  capacityType?: CapacityType;
  /** Hourly price in USD, as a decimal string. */
  price?: string;
  instanceID?: string;
  providerID?: string;
  nodeName?: string;
  launchedAt?: string;
  /** When the node's set of workload pods last changed (consolidateAfter counts from it). */
  lastPodEventTime?: string;
  privateIP?: string;
  lastFailure?: string;
  /** Number of instance-type options the launch could choose from. */
  optionCount?: number;
  conditions?: Condition[];
}

export type VirtualNode = KubeObject<VirtualNodeSpec, VirtualNodeStatus> & { kind: "VirtualNode" };
