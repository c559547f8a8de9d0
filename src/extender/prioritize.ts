// Scores 0–10 (extender/v1 MaxExtenderPriority) that make kube-scheduler's choice cooperate with cost:
//   10      the node the pod holds a reservation on;
//   2..9    a ready node, higher the fuller it is after the placement (packing leaves other nodes
//           empty, so emptiness and consolidation can remove them whole);
//   1       a ready node that consolidation wants to remove, or a node rafter knows nothing about;
//   0       capacity that is still launching (or a node that is not Ready).
import type { ClusterState, NodeSlot } from "../state/cluster-state.js";
import type { Reservation, ReservationLedger } from "../state/reservation-ledger.js";
import type { PodFacts } from "./pod-facts.js";
import { maxExtenderPriority, type HostPriority } from "./wire.js";

export interface PrioritizeInputs {
  readonly state: ClusterState;
  readonly ledger: ReservationLedger;
}

/** The resources that define "full" for packing; others (pods, storage) rarely bound a node. */
const packingResources = ["cpu", "memory"] as const;

/** Fraction of the node in use after placing the pod (mean over cpu and memory), clamped to [0, 1]. */
function utilisationAfter(
  slot: NodeSlot,
  pod: PodFacts,
  ledger: ReservationLedger,
  reservation: Reservation | undefined,
): number {
  const allocatable = slot.node?.allocatable;
  if (!allocatable) return 0;
  const reserved = ledger.onNode(slot.name)?.requests;
  const own = reservation?.nodeName === slot.name ? reservation.requests : undefined;
  let sum = 0;
  let count = 0;
  for (const resource of packingResources) {
    const capacity = allocatable[resource] ?? 0;
    if (capacity <= 0) continue;
    const used =
      (slot.requested[resource] ?? 0) +
      (reserved?.[resource] ?? 0) -
      (own?.[resource] ?? 0) +
      (pod.requests[resource] ?? 0);
    sum += Math.min(1, Math.max(0, used / capacity));
    count++;
  }
  return count === 0 ? 0 : sum / count;
}

export function scoreNode(
  inputs: PrioritizeInputs,
  pod: PodFacts,
  name: string,
  reservation: Reservation | undefined,
): number {
  if (reservation?.nodeName === name) return maxExtenderPriority;
  const slot = inputs.state.lookup(name);
  if (!slot?.node) return slot?.launching ? 0 : 1;
  if (slot.launching || !slot.node.ready) return 0;
  if (slot.consolidationCandidate) return 1;
  return 2 + Math.round(7 * utilisationAfter(slot, pod, inputs.ledger, reservation));
}

export function decidePriorities(
  inputs: PrioritizeInputs,
  pod: PodFacts,
  names: readonly string[],
): HostPriority[] {
  const reservation = inputs.ledger.get(pod.uid);
  const out: HostPriority[] = new Array<HostPriority>(names.length);
  for (let i = 0; i < names.length; i++) {
    const name = names[i] ?? "";
    out[i] = { Host: name, Score: scoreNode(inputs, pod, name, reservation) };
  }
  return out;
}
