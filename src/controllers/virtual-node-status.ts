// Helpers for VirtualNode status: conditions that change their transition time only when their
// status changes, and the event target of a VirtualNode.
import type { Condition } from "../api/common.js";
import { apiVersion } from "../api/common.js";
import type { VirtualNode, VirtualNodeStatus } from "../api/virtualnode.js";
import type { EventTarget } from "../kube/events.js";

export function setCondition(
  status: VirtualNodeStatus,
  condition: Omit<Condition, "lastTransitionTime">,
  now: number,
): VirtualNodeStatus {
  const conditions = status.conditions ?? [];
  const previous = conditions.find((c) => c.type === condition.type);
  const lastTransitionTime =
    previous?.status === condition.status && previous.lastTransitionTime
      ? previous.lastTransitionTime
      : new Date(now).toISOString();
  return {
    ...status,
    conditions: [
      ...conditions.filter((c) => c.type !== condition.type),
      { ...condition, lastTransitionTime },
    ],
  };
}

export function virtualNodeTarget(virtualNode: VirtualNode): EventTarget {
  return {
    apiVersion,
    kind: "VirtualNode",
    name: virtualNode.metadata.name ?? "",
    ...(virtualNode.metadata.uid ? { uid: virtualNode.metadata.uid } : {}),
  };
}
