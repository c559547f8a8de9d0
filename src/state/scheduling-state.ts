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
