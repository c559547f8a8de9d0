// Event targets of the objects the lifecycle controller reports on.
import type { V1Node } from "@kubernetes/client-node";
import type { NodePool } from "../../api/nodepool.js";
import { apiVersion } from "../../api/common.js";
import type { EventTarget } from "../../kube/events.js";

export function nodeTarget(node: V1Node): EventTarget {
  return {
    apiVersion: "v1",
    kind: "Node",
    name: node.metadata?.name ?? "",
    ...(node.metadata?.uid ? { uid: node.metadata.uid } : {}),
  };
}

export function nodePoolTarget(pool: NodePool): EventTarget {
  return {
    apiVersion,
    kind: "NodePool",
    name: pool.metadata.name ?? "",
    ...(pool.metadata.uid ? { uid: pool.metadata.uid } : {}),
  };
}
