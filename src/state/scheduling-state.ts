// Wires the cluster state and the reservation ledger together: a binding the informer shows (or a pod
// that goes away) releases the pod's reservation, so its capacity is never counted twice.
import type { Clock } from "../clock.js";
import { ClusterState } from "./cluster-state.js";
import { ReservationLedger } from "./reservation-ledger.js";

export interface SchedulingState {
  readonly state: ClusterState;
  readonly ledger: ReservationLedger;
}

export function createSchedulingState(options: { clock: Clock; assumedTtlMs?: number }): SchedulingState {
  const state = new ClusterState();
  const ledger = new ReservationLedger(options);
  state.addListener(ledger);
  return { state, ledger };
}

/** The pod is bound to that node, as the informer shows or as a binding rafter made says. */
export function isBoundTo(scheduling: SchedulingState, podUID: string, nodeName: string): boolean {
  if (scheduling.state.pod(podUID)?.nodeName === nodeName) return true;
  const entry = scheduling.ledger.get(podUID);
  return entry?.state === "assumed" && entry.nodeName === nodeName;
}
