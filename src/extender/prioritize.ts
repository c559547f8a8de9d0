// Scores 0–10 (extender/v1 MaxExtenderPriority) that make kube-scheduler's choice cooperate with cost:
//   10      the node the pod holds a reservation on;
//   2..9    a ready node, higher the fuller it is after the placement (packing leaves other nodes
//           empty, so emptiness and consolidation can remove them whole);
//   1       a ready node that consolidation wants to remove, or a node rafter knows nothing about;
//   0       capacity that is still launching (or a node that is not Ready).
import type { ClusterState, NodeSlot } from "../state/cluster-state.js";
import type { Reservation, ReservationLedger } from "../state/reservation-ledger.js";
import { sieveKey } from "../state/name-sieve.js";
import type { PodFacts } from "./pod-facts.js";
import { maxExtenderPriority } from "./wire.js";

export interface PrioritizeInputs {
  readonly state: ClusterState;
  readonly ledger: ReservationLedger;
}

/** A resource's share of the node in use after the placement, clamped to [0, 1]; undefined if unknown. */
function share(used: number, capacity: number): number | undefined {
  if (!(capacity > 0)) return undefined; // also NaN: the node does not report it
  const fraction = used / capacity;
  return fraction < 0 ? 0 : fraction > 1 ? 1 : fraction;
}

/**
 * Fraction of the node in use after placing the pod: the mean over cpu and memory (the resources
 * that decide how full a node is), counting bound pods and other pods' reservations.
 */
function utilisationAfter(
  slot: NodeSlot,
  pod: PodFacts,
  ledger: ReservationLedger,
  reservation: Reservation | undefined,
): number {
  // Most nodes hold no reservation: the sieve says so without a lookup in the ledger's map.
  const reserved = ledger.mayHaveOnNode(sieveKey(slot.name)) ? ledger.onNode(slot.name) : undefined;
  const own = reservation?.nodeName === slot.name ? reservation.requests : undefined;
  const cpu = share(
    slot.requestedCpu + (reserved?.cpu ?? 0) - (own?.cpu ?? 0) + pod.cpu,
    slot.allocatableCpu,
  );
  const memory = share(
    slot.requestedMemory + (reserved?.memory ?? 0) - (own?.memory ?? 0) + pod.memory,
    slot.allocatableMemory,
  );
  if (cpu === undefined) return memory ?? 0;
  if (memory === undefined) return cpu;
  return (cpu + memory) / 2;
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
  if (slot.launching || !slot.ready) return 0;
  if (slot.consolidationCandidate) return 1;
  return 2 + Math.round(7 * utilisationAfter(slot, pod, inputs.ledger, reservation));
}

/** Scores for the candidates, index for index (no per-node objects: the reply is encoded from these). */
export function decideScores(inputs: PrioritizeInputs, pod: PodFacts, names: readonly string[]): number[] {
  const reservation = inputs.ledger.get(pod.uid);
  const scores = new Array<number>(names.length);
  for (let i = 0; i < names.length; i++) scores[i] = scoreNode(inputs, pod, names[i] ?? "", reservation);
  return scores;
}
