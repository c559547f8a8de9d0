// An in-flight VirtualNode as the extender sees it: the node name its Node will register under, its
// phase, and the pods it was planned for.
import type { VirtualNode, VirtualNodePhase } from "../api/virtualnode.js";
import { namespacedName } from "../domain/pod-key.js";

export interface VirtualNodeRecord {
  /** metadata.name of the VirtualNode. */
  readonly name: string;
  /** The Node name the instance registers under, once known (status.nodeName). */
  readonly nodeName: string | undefined;
  readonly phase: VirtualNodePhase;
  /** UIDs of the pods this capacity was planned for. */
  readonly podUIDs: ReadonlySet<string>;
  /** "namespace/name" of planned pods whose reference carries no UID. */
  readonly podKeys: ReadonlySet<string>;
  readonly consolidatable: boolean;
}

const inFlightPhases: ReadonlySet<VirtualNodePhase> = new Set<VirtualNodePhase>([
  "Planned",
  "Launching",
  "Launched",
  "Registered",
]);
const leavingPhases: ReadonlySet<VirtualNodePhase> = new Set<VirtualNodePhase>([
  "Draining",
  "Terminating",
  "Failed",
]);

/** Capacity is coming but the node cannot run pods yet: only its planned pods may go there. */
export function isInFlight(phase: VirtualNodePhase): boolean {
  return inFlightPhases.has(phase);
}

/** The node is on its way out (or never made it): nothing new should land on it. */
export function isLeaving(phase: VirtualNodePhase): boolean {
  return leavingPhases.has(phase);
}

export function virtualNodeRecordFrom(vn: VirtualNode): VirtualNodeRecord | undefined {
  const name = vn.metadata.name;
  if (!name) return undefined;
  const podUIDs = new Set<string>();
  const podKeys = new Set<string>();
  for (const ref of vn.spec.pods) {
    // A name only counts when no UID was recorded: a pod recreated under the same name is another pod.
    if (ref.uid) podUIDs.add(ref.uid);
    else podKeys.add(namespacedName(ref.namespace, ref.name));
  }
  return {
    name,
    nodeName: vn.status?.nodeName,
    phase: vn.status?.phase ?? "Planned",
    podUIDs,
    podKeys,
    consolidatable: (vn.status?.conditions ?? []).some(
      (c) => c.type === "Consolidatable" && c.status === "True",
    ),
  };
}

/** Whether the virtual node was planned for this pod (by UID, or by name when the UID was not recorded). */
export function plannedFor(record: VirtualNodeRecord, uid: string, namespace: string, name: string): boolean {
  return record.podUIDs.has(uid) || record.podKeys.has(namespacedName(namespace, name));
}
