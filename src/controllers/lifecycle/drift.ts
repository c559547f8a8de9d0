// Drift: a node no longer matches what its NodePool would launch today. Two sources: the NodePool's
// node template (labels, annotations, taints, startup taints, requirements, node class) — hashed and
// stamped on the VirtualNode when the node registers, and also checked label by label so that a node
// launched before the stamp is judged too — and the EC2NodeClass resolution (AMI, subnets, security
// groups), which the cloud provider compares. Behaviour-only fields (weight, limits, disruption,
// expireAfter, terminationGracePeriod) never cause drift.
import { createHash } from "node:crypto";
import type { V1Node } from "@kubernetes/client-node";
import type { NodePool } from "../../api/nodepool.js";
import type { VirtualNode } from "../../api/virtualnode.js";

export const templateHashAnnotation = "rafter.dev/nodepool-hash";

export function templateHash(pool: NodePool): string {
  const template = pool.spec.template;
  const relevant = {
    labels: sorted(template.metadata?.labels ?? {}),
    annotations: sorted(template.metadata?.annotations ?? {}),
    taints: template.spec.taints ?? [],
    startupTaints: template.spec.startupTaints ?? [],
    requirements: template.spec.requirements ?? [],
    nodeClassRef: template.spec.nodeClassRef,
  };
  return createHash("sha256").update(JSON.stringify(relevant)).digest("hex").slice(0, 16);
}

/** Why the node drifted from its NodePool's template, or undefined. */
export function templateDrift(
  pool: NodePool,
  virtualNode: VirtualNode | undefined,
  node: V1Node,
): string | undefined {
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

function sorted(record: Record<string, string>): [string, string][] {
  return Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}
