// Event targets of the objects the lifecycle controller reports on.
import type { V1Node } from "@kubernetes/client-node";
import type { EventTarget } from "../../kube/events.js";

export function nodeTarget(node: V1Node): EventTarget {
  return {
    apiVersion: "v1",
    kind: "Node",
    name: node.metadata?.name ?? "",
    ...(node.metadata?.uid ? { uid: node.metadata.uid } : {}),
  };
}
