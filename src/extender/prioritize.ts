// Scores 0–10 (extender/v1 MaxExtenderPriority) that make kube-scheduler's choice cooperate with cost:
//   10      the node the pod holds a reservation on;
//   2..9    a ready node, higher the fuller it is after the placement (packing leaves other nodes
//           empty, so emptiness and consolidation can remove them whole);
//   1       a ready node that consolidation wants to remove, or a node rafter knows nothing about;
//   0       capacity that is still launching (or a node that is not Ready).
import type { ClusterState, NodeSlot } from "../state/cluster-state.js";
import type { Reservation, ReservationLedger } from "../state/reservation-ledger.js";
import { sieveKey } from "../state/name-sieve.js";
import type { Candidates } from "./candidates.js";
import type { PodFacts } from "./pod-facts.js";
import { consolidationCandidate, hasNode, launching, ready, stride, type SlotIndex } from "./slot-index.js";
import { maxExtenderPriority } from "./wire.js";

export interface PrioritizeInputs {
  readonly state: ClusterState;
  readonly ledger: ReservationLedger;
  /** Packed figures of the state's slots; without it, scores read the slots through the state. */
  readonly slotIndex?: SlotIndex | undefined;
}

/** A resource's share of the node in use after the placement, clamped to [0, 1]; undefined if unknown. */
function share(used: number, capacity: number): number | undefined {
  if (!(capacity > 0)) return undefined; // also NaN: the node does not report it
  const fraction = used / capacity;
  return fraction < 0 ? 0 : fraction > 1 ? 1 : fraction;
}

/**
 * The score of a known node from its figures (flags as in slot-index.ts). Utilisation after placing
 * the pod: the mean over cpu and memory (the resources that decide how full a node is), counting
 * bound pods and other pods' reservations.
 */
function scoreFigures(
  flags: number,
  requestedCpu: number,
  requestedMemory: number,
  allocatableCpu: number,
  allocatableMemory: number,
  name: string,
  key: number,
  pod: PodFacts,
  ledger: ReservationLedger,
  reservation: Reservation | undefined,
): number {
  if ((flags & hasNode) === 0) return (flags & launching) !== 0 ? 0 : 1;
  if ((flags & launching) !== 0 || (flags & ready) === 0) return 0;
  if ((flags & consolidationCandidate) !== 0) return 1;
  // Most nodes hold no reservation: the sieve says so without a lookup in the ledger's map.
  const reserved = ledger.mayHaveOnNode(key) ? ledger.onNode(name) : undefined;
  const own = reservation?.nodeName === name ? reservation.requests : undefined;
  const cpu = share(requestedCpu + (reserved?.cpu ?? 0) - (own?.cpu ?? 0) + pod.cpu, allocatableCpu);
  const memory = share(
    requestedMemory + (reserved?.memory ?? 0) - (own?.memory ?? 0) + pod.memory,
    allocatableMemory,
  );
  const utilisation = cpu === undefined ? (memory ?? 0) : memory === undefined ? cpu : (cpu + memory) / 2;
  return 2 + Math.round(7 * utilisation);
}

function scoreNode(
  inputs: PrioritizeInputs,
  pod: PodFacts,
  name: string,
  reservation: Reservation | undefined,
): number {
  if (reservation?.nodeName === name) return maxExtenderPriority;
  const slot = inputs.state.lookup(name);
  if (!slot) return 1; // a node rafter knows nothing about
  return scoreFigures(
    slotFlags(slot),
    slot.requestedCpu,
    slot.requestedMemory,
    slot.allocatableCpu,
    slot.allocatableMemory,
    name,
    sieveKey(name),
    pod,
    inputs.ledger,
    reservation,
  );
}

function slotFlags(slot: NodeSlot): number {
  return (
    (slot.node !== undefined ? hasNode : 0) |
    (slot.ready ? ready : 0) |
    (slot.launching ? launching : 0) |
    (slot.consolidationCandidate ? consolidationCandidate : 0)
  );
}

/** Scores for the candidates, index for index (no per-node objects: the reply is encoded from these). */
export function decideScores(inputs: PrioritizeInputs, pod: PodFacts, candidates: Candidates): number[] {
  const reservation = inputs.ledger.get(pod.uid);
  const scores = new Array<number>(candidates.count);
  const index = inputs.slotIndex;
  if (!index) {
    for (let i = 0; i < candidates.count; i++)
      scores[i] = scoreNode(inputs, pod, candidates.name(i), reservation);
    return scores;
  }
  for (let i = 0; i < candidates.count; i++) {
    const name = candidates.name(i);
    if (reservation?.nodeName === name) {
      scores[i] = maxExtenderPriority;
      continue;
    }
    const e = index.entry(name);
    if (e < 0) {
      scores[i] = 1; // a node rafter knows nothing about
      continue;
    }
    // Read right away: a later entry() may refill the index.
    const f = index.figures;
    const at = e * stride;
    scores[i] = scoreFigures(
      f[at] ?? 0,
      f[at + 1] ?? 0,
      f[at + 2] ?? 0,
      f[at + 3] ?? NaN,
      f[at + 4] ?? NaN,
      name,
      candidates.keys[i] ?? 0,
      pod,
      inputs.ledger,
      reservation,
    );
  }
  return scores;
}
