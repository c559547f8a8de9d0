// Records a planned new node as a VirtualNode object (before any cloud call, so that no launch goes
// unrecorded): the planner's requirements and instance-type options, its pods, the planned price and
// the NodePool template and EC2NodeClass hashes that drift detection compares against. Used for capacity the provisioner
// plans and for replacements the lifecycle controller asks for.
import { randomBytes } from "node:crypto";
import type { V1OwnerReference, V1Pod } from "@kubernetes/client-node";
import { apiVersion } from "../api/common.js";
import type { NodePool } from "../api/nodepool.js";
import type { VirtualNode } from "../api/virtualnode.js";
import { formatResourceList } from "../domain/resources.js";
import type { EventRecorder } from "../kube/events.js";
import type { ApiError } from "../kube/errors.js";
import type { VirtualNodeClient } from "../kube/virtual-nodes.js";
import type { Result } from "../domain/result.js";
import { labelKeys } from "../api/labels.js";
import type { NewNode } from "../planner/types.js";
import type { ClusterReader } from "./cluster-reader.js";
import { driftStamps } from "./lifecycle/drift.js";
import { virtualNodeTarget } from "./virtual-node-status.js";

const plannedPriceAnnotation = "rafter.dev/planned-price";

/**
 * A VirtualNode belongs to its NodePool: when the NodePool is deleted, kube-controller-manager's
 * garbage collector deletes its VirtualNodes, and their termination finalizer drains each node
 * (PodDisruptionBudgets respected) before its instance goes — also while rafter is down.
 */
export function nodePoolOwner(pool: NodePool): V1OwnerReference[] {
  const uid = pool.metadata.uid;
  if (!uid) return [];
  return [{ apiVersion, kind: "NodePool", name: pool.metadata.name ?? "", uid }];
}

export interface VirtualNodeFactoryDeps {
  readonly reader: ClusterReader;
  readonly virtualNodes: Pick<VirtualNodeClient, "create">;
  readonly events: EventRecorder;
}

export async function recordVirtualNode(
  deps: VirtualNodeFactoryDeps,
  node: NewNode,
  pods: readonly V1Pod[],
  why: string,
): Promise<Result<VirtualNode, ApiError>> {
  const pool = deps.reader.nodePools().find((candidate) => candidate.metadata.name === node.nodePool);
  const nodeClassName = pool?.spec.template.spec.nodeClassRef.name;
  const nodeClass = deps.reader.nodeClasses().find((candidate) => candidate.metadata.name === nodeClassName);
  const name = `${node.nodePool}-${randomBytes(3).toString("hex")}`;
  const created = await deps.virtualNodes.create(
    name,
    {
      nodePool: node.nodePool,
      ...(pool ? { nodeClass: pool.spec.template.spec.nodeClassRef.name } : {}),
      requirements: [...node.requirements],
      instanceTypes: [...node.instanceTypes],
      resources: formatResourceList(node.requests),
      pods: pods.map((pod) => ({
        namespace: pod.metadata?.namespace ?? "default",
        name: pod.metadata?.name ?? "",
        ...(pod.metadata?.uid ? { uid: pod.metadata.uid } : {}),
      })),
    },
    { [labelKeys.nodePool]: node.nodePool },
    {
      [plannedPriceAnnotation]: node.hourlyPrice.toFixed(4),
      ...driftStamps(pool, nodeClass),
    },
    pool ? nodePoolOwner(pool) : [],
  );
  if (created.ok)
    deps.events.record(
      virtualNodeTarget(created.value),
      "Normal",
      "Planned",
      `${why}: ${node.instanceTypes.length} instance types from ${node.instanceTypes[0] ?? "?"} ($${node.hourlyPrice.toFixed(4)}/h)`,
    );
  return created;
}
