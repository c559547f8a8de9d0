// The CloudProvider port: everything rafter asks of a cloud. The AWS implementation lives in
// cloud/aws/ (the only place allowed to import the AWS SDK); cloud/simulated/ implements the same
// port in process. Expected outcomes are Result values (see errors.ts), never exceptions.
import type { EC2NodeClass, EC2NodeClassStatus } from "../api/ec2nodeclass.js";
import { labelKeys } from "../api/labels.js";
import type { NodePool } from "../api/nodepool.js";
import type { VirtualNode } from "../api/virtualnode.js";
import type { InstanceType } from "../catalog/types.js";
import type { CapacityType } from "../api/common.js";
import type {
  InsufficientCapacity,
  InvalidNodeClass,
  NotFound,
  Result,
  Throttled,
  CloudFailure,
} from "./errors.js";

/** What a successful create returns: enough to create the Node object at once. */
export interface LaunchedInstance {
  readonly instanceId: string;
  /** "aws:///<zone>/<instance-id>", the Node's spec.providerID. */
  readonly providerId: string;
  readonly instanceType: string;
  readonly zone: string;
  readonly capacityType: CapacityType;
  /** Hourly USD price of the offering that was launched. */
  readonly price: number;
  /** The name the kubelet registers under: the instance's private DNS name. */
  readonly nodeName: string;
  readonly privateIp?: string;
  /** Milliseconds since the epoch. */
  readonly launchedAt: number;
}

export type InstanceState = "pending" | "running" | "shutting-down" | "terminated" | "stopping" | "stopped";

/** An instance as listed by the cloud: the launch facts plus what ties it to rafter's objects. */
export interface CloudInstance extends LaunchedInstance {
  readonly state: InstanceState;
  readonly imageId?: string;
  readonly subnetId?: string;
  readonly securityGroupIds?: readonly string[];
  /** Values of rafter's tags (nodepool, virtualnode, nodeclass), when present. */
  readonly nodePool?: string;
  readonly virtualNode?: string;
  readonly nodeClass?: string;
  readonly tags: Readonly<Record<string, string>>;
}

export interface CreateOptions {
  readonly nodePool: NodePool;
  /** Required by clouds that need launch settings (AWS); InvalidNodeClass when missing there. */
  readonly nodeClass?: EC2NodeClass;
}

export type CreateError = InsufficientCapacity | InvalidNodeClass | Throttled | CloudFailure;
export type DeleteError = NotFound | Throttled | CloudFailure;
export type ListError = Throttled | CloudFailure;

/** Why an instance no longer matches its EC2NodeClass. */
export type DriftReason = "ImageDrifted" | "SubnetDrifted" | "SecurityGroupDrifted";

export interface CloudProvider {
  readonly name: string;
  /**
   * Launches one instance for the virtual node: one request with every allowed option
   * (spec.instanceTypes × allowed zones/capacity types, minus unavailable offerings). Idempotent
   * per VirtualNode UID: calling again after a crash returns the instance the first call made.
   */
  create(virtualNode: VirtualNode, options: CreateOptions): Promise<Result<LaunchedInstance, CreateError>>;
  /**
   * Starts terminating the instance. ok("terminating") while it goes; NotFound once it is gone
   * (terminated or never existed), which is the terminal, idempotent answer.
   */
  delete(providerId: string): Promise<Result<"terminating", DeleteError>>;
  /** The instance, or NotFound when it does not exist or is terminated. */
  get(providerId: string): Promise<Result<CloudInstance, DeleteError>>;
  /** Every non-terminated instance tagged for this cluster. */
  list(): Promise<Result<CloudInstance[], ListError>>;
  /**
   * Catalogue entries launchable with this NodePool/EC2NodeClass (kubelet overrides applied,
   * zones limited to the node class's subnets), offerings marked unavailable where capacity ran out.
   */
  instanceTypes(nodePool: NodePool, nodeClass?: EC2NodeClass): Promise<Result<InstanceType[]>>;
  /** Resolves the node class's selectors into what its status should show. */
  resolveNodeClass(nodeClass: EC2NodeClass): Promise<Result<EC2NodeClassStatus>>;
  /** Compares the running instance with what the node class now resolves to. */
  isDrifted(virtualNode: VirtualNode, nodeClass: EC2NodeClass): Promise<Result<DriftReason | undefined>>;
}

/** Tag keys rafter puts on every instance (and launch template) it creates. */
export const tagKeys = {
  cluster: "rafter.dev/cluster",
  /** The same key as the Node label. */
  nodePool: labelKeys.nodePool,
  nodeClass: "rafter.dev/ec2nodeclass",
  virtualNode: "rafter.dev/virtualnode",
  virtualNodeUid: "rafter.dev/virtualnode-uid",
  name: "Name",
} as const;

/**
 * Tags that make an instance part of the EKS cluster, as EKS and its add-ons expect (the AWS cloud
 * controller manager and load balancer controller look for kubernetes.io/cluster/<name>; EKS's own
 * node tooling for eks:eks-cluster-name).
 */
export function kubernetesClusterTags(clusterName: string): Record<string, string> {
  return { [`kubernetes.io/cluster/${clusterName}`]: "owned", "eks:eks-cluster-name": clusterName };
}

export function providerIdFor(zone: string, instanceId: string): string {
  return `aws:///${zone}/${instanceId}`;
}

/** Parses "aws:///<zone>/<instance-id>" (also tolerates an empty zone); undefined when malformed. */
export function parseProviderId(providerId: string): { zone: string; instanceId: string } | undefined {
  const match = /^aws:\/\/\/([^/]*)\/(i-[0-9a-z]+)$/.exec(providerId);
  if (!match) return undefined;
  return { zone: match[1] ?? "", instanceId: match[2] ?? "" };
}
