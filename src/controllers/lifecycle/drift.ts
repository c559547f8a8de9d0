// Drift: a node no longer matches what its NodePool would launch today. Three sources:
// - the NodePool's node template (labels, annotations, taints, startup taints, node class) — hashed
//   and stamped on the VirtualNode, and also checked label by label so that a node launched before
//   the stamp is judged too. Requirements are NOT hashed: widening one (another instance family)
//   must not replace every node; each requirement is checked against the node's labels instead, so
//   only a node the requirements now exclude has drifted;
// - the EC2NodeClass's static fields (user data, block devices, metadata options, tags, kubelet) —
//   hashed and stamped the same way;
// - the EC2NodeClass resolution (AMI, subnets, security groups), which the cloud provider compares.
// Behaviour-only fields (weight, limits, disruption, expireAfter, terminationGracePeriod) and the
// selector terms themselves (judged by what they resolve to) never cause drift.
import { createHash } from "node:crypto";
import type { V1Node } from "@kubernetes/client-node";
import type { EC2NodeClass } from "../../api/ec2nodeclass.js";
import type { NodePool } from "../../api/nodepool.js";
import type { VirtualNode } from "../../api/virtualnode.js";

export const templateHashAnnotation = "rafter.dev/nodepool-hash";
export const nodeClassHashAnnotation = "rafter.dev/ec2nodeclass-hash";

export type DriftReason = "NodePoolDrifted" | "RequirementsDrifted" | "NodeClassDrifted";

const driftMessages: Readonly<Record<string, string>> = {
  NodePoolDrifted: "the NodePool's template (labels, annotations, taints, node class) changed",
  RequirementsDrifted: "the node's labels no longer satisfy the NodePool's requirements",
  NodeClassDrifted: "the EC2NodeClass's user data, block devices, metadata options, tags or kubelet changed",
  ImageDrifted: "the EC2NodeClass now resolves to another image",
  SubnetDrifted: "the instance's subnet no longer matches the EC2NodeClass",
  SecurityGroupDrifted: "the instance's security groups no longer match the EC2NodeClass",
};

/** A drift reason (ours or the cloud provider's) as a person reads it. */
export function driftMessage(reason: string): string {
  return driftMessages[reason] ?? reason;
}

export function templateHash(pool: NodePool): string {
  const template = pool.spec.template;
  return hash({
    labels: sorted(template.metadata?.labels ?? {}),
    annotations: sorted(template.metadata?.annotations ?? {}),
    taints: template.spec.taints ?? [],
    startupTaints: template.spec.startupTaints ?? [],
    nodeClassRef: template.spec.nodeClassRef,
  });
}

/** The EC2NodeClass fields a running instance cannot pick up: changing one means new instances. */
export function nodeClassHash(nodeClass: EC2NodeClass): string {
  const spec = nodeClass.spec;
  return hash({
    userData: spec.userData ?? "",
    blockDeviceMappings: spec.blockDeviceMappings ?? [],
    metadataOptions: sorted((spec.metadataOptions ?? {}) as Record<string, unknown>),
    tags: sorted(spec.tags ?? {}),
    kubelet: spec.kubelet ?? {},
  });
}

/** The annotations a VirtualNode carries so that drift can later compare against what it launched from. */
export function driftStamps(
  pool: NodePool | undefined,
  nodeClass: EC2NodeClass | undefined,
): Record<string, string> {
  return {
    ...(pool ? { [templateHashAnnotation]: templateHash(pool) } : {}),
    ...(nodeClass ? { [nodeClassHashAnnotation]: nodeClassHash(nodeClass) } : {}),
  };
}

/** Why the node drifted from its EC2NodeClass's static fields, or undefined. */
export function nodeClassDrift(
  nodeClass: EC2NodeClass | undefined,
  virtualNode: VirtualNode | undefined,
): DriftReason | undefined {
  const stamped = virtualNode?.metadata.annotations?.[nodeClassHashAnnotation];
  if (!nodeClass || stamped === undefined) return undefined;
  return stamped === nodeClassHash(nodeClass) ? undefined : "NodeClassDrifted";
}

/** Why the node drifted from its NodePool's template, or undefined. */
export function templateDrift(
  pool: NodePool,
  virtualNode: VirtualNode | undefined,
  node: V1Node,
): DriftReason | undefined {
  const stamped = virtualNode?.metadata.annotations?.[templateHashAnnotation];
  if (stamped !== undefined && stamped !== templateHash(pool)) return "NodePoolDrifted";
  const labels = node.metadata?.labels ?? {};
  for (const [key, value] of Object.entries(pool.spec.template.metadata?.labels ?? {}))
    if (labels[key] !== value) return "NodePoolDrifted";
  const taints = node.spec?.taints ?? [];
  for (const taint of pool.spec.template.spec.taints ?? [])
    if (
      !taints.some(
        (t) => t.key === taint.key && t.effect === taint.effect && (t.value ?? "") === (taint.value ?? ""),
      )
    )
      return "NodePoolDrifted";
  for (const requirement of pool.spec.template.spec.requirements ?? []) {
    if (!satisfies(labels[requirement.key], requirement.operator, requirement.values ?? []))
      return "RequirementsDrifted";
  }
  return undefined;
}

function satisfies(value: string | undefined, operator: string, values: readonly string[]): boolean {
  switch (operator) {
    case "In":
      // A label the node does not carry (e.g. instance-category on a Node created without the
      // catalogue's labels) cannot be judged: not drift.
      return value === undefined || values.includes(value);
    case "NotIn":
      return value === undefined || !values.includes(value);
    case "Exists":
    case "DoesNotExist":
      return true;
    case "Gt":
      return value === undefined || Number(value) > Number(values[0]);
    case "Lt":
      return value === undefined || Number(value) < Number(values[0]);
    default:
      return true;
  }
}

function hash(value: unknown): string {
  return createHash("sha256").update(JSON.stringify(value)).digest("hex").slice(0, 16);
}

function sorted<T>(record: Record<string, T>): [string, T][] {
  return Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}
