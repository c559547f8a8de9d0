// The filter decision, pure over the cluster state and the ledger: which candidate nodes the pod may
// use, and why each other one may not. One pass, O(candidates), a few map lookups per name.
import type { ClusterState, NodeSlot } from "../state/cluster-state.js";
import type { Resources } from "../domain/resources.js";
import type { NodeReservations, Reservation, ReservationLedger } from "../state/reservation-ledger.js";
import { sieveKey } from "../state/name-sieve.js";
import { plannedFor } from "../state/virtual-node-record.js";
import type { Candidates } from "./candidates.js";
import type { PodFacts } from "./pod-facts.js";

/** Low-cardinality reason labels for rafter_extender_filtered_nodes_total. */
export type FilterReason = "disrupted" | "launching" | "capacity-reserved" | "reserved-elsewhere";

/**
 * Removed candidates (by index) and their reasons as parallel arrays: cheaper to fill than a
 * dictionary object with hundreds of keys, and encoded straight to JSON (encode.ts, reply-bytes.ts)
 * as kube-scheduler's FailedNodesMap.
 */
export class NodeFailures {
  readonly indexes: number[] = [];
  readonly messages: string[] = [];

  add(index: number, message: string): void {
    this.indexes.push(index);
    this.messages.push(message);
  }

  get size(): number {
    return this.indexes.length;
  }

  toRecord(candidates: Candidates): Record<string, string> {
    const out: Record<string, string> = {};
    for (let i = 0; i < this.indexes.length; i++)
      out[candidates.name(this.indexes[i] ?? 0)] = this.messages[i] ?? "";
    return out;
  }
}

export interface FilterDecision {
  /** Indexes into the candidate list of the nodes that pass, in request order. */
  readonly passed: number[];
  /** Failures preemption could resolve (evicting pods frees capacity the reservations need). */
  readonly failed: NodeFailures;
  /** Failures preemption cannot resolve; kube-scheduler then does not preempt for them. */
  readonly unresolvable: NodeFailures;
  readonly removedBy: Record<FilterReason, number>;
  /** The node the pod was steered to, when it holds a reservation. */
  readonly steeredTo: string | undefined;
}

export interface FilterInputs {
  readonly state: ClusterState;
  readonly ledger: ReservationLedger;
}

/**
 * Where a pod with a reservation must go. A reservation on a node kube-scheduler did not offer is
 * still honoured when that node is launching (or not visible yet): the pod waits for its capacity.
 * When the node exists, is up, and the in-tree filters rejected it, the reservation is stale (the
 * node changed since the plan) and the pod is filtered as if it held none.
 */
function steeringTarget(
  inputs: FilterInputs,
  reservation: Reservation | undefined,
  candidates: Candidates,
): string | undefined {
  if (!reservation) return undefined;
  const target = reservation.nodeName;
  if (candidates.indexOf(target) >= 0) return target;
  const slot = inputs.state.lookup(target);
  if (slot?.node !== undefined && !slot.launching) return undefined;
  return target;
}

/** Whether `want` fits in what is left once bound pods and other pods' reservations are taken out. */
function short(want: number, capacity: number, requested: number, others: number): boolean {
  // NaN capacity (the node does not report the resource) compares false: in-tree filters decide.
  return want > 0 && others > 0 && want > capacity - requested - others;
}

/**
 * The first resource the pod cannot get on this node because other pods hold reservations there.
 * cpu, memory and pods are read from plain fields (the common case, kept monomorphic); other
 * resources go through the generic maps.
 */
function reservedShortfall(
  slot: NodeSlot | undefined,
  pod: PodFacts,
  reserved: NodeReservations,
  own: Resources | undefined,
): string | undefined {
  const node = slot?.node;
  if (!node) return undefined; // nothing known to compare against: in-tree filters decide
  if (short(pod.cpu, node.allocatableCpu, slot.requestedCpu, reserved.cpu - (own?.cpu ?? 0))) return "cpu";
  if (short(pod.memory, node.allocatableMemory, slot.requestedMemory, reserved.memory - (own?.memory ?? 0)))
    return "memory";
  if (short(1, node.allocatablePods, slot.podCount, reserved.pods - (own ? 1 : 0))) return "pods";
  for (const resource of pod.otherResources) {
    const want = pod.requests[resource] ?? 0;
    const others = (reserved.requests[resource] ?? 0) - (own?.[resource] ?? 0);
    if (short(want, node.allocatable[resource] ?? NaN, slot.requested[resource] ?? 0, others))
      return resource;
  }
  return undefined;
}

export function decideFilter(inputs: FilterInputs, pod: PodFacts, candidates: Candidates): FilterDecision {
  const { state, ledger } = inputs;
  const reservation = ledger.get(pod.uid);
  const steeredTo = steeringTarget(inputs, reservation, candidates);
  const steeredKey = steeredTo === undefined ? -1 : sieveKey(steeredTo);
  const passed: number[] = [];
  const failed = new NodeFailures();
  const unresolvable = new NodeFailures();
  const removedBy: Record<FilterReason, number> = {
    disrupted: 0,
    launching: 0,
    "capacity-reserved": 0,
    "reserved-elsewhere": 0,
  };

  const steeredMessage = `pod holds a reservation on node ${steeredTo ?? ""}`;
  const { keys } = candidates;

  for (let i = 0; i < candidates.count; i++) {
    const key = keys[i] ?? 0;
    // Names are compared (and made into strings) only where their keys say they may match.
    if (steeredTo !== undefined && (key !== steeredKey || candidates.name(i) !== steeredTo)) {
      unresolvable.add(i, steeredMessage);
      removedBy["reserved-elsewhere"]++;
      continue;
    }
    // Most candidates are neither flagged nor reserved: pass them on their key alone.
    if (!state.mayBeFlagged(key) && !ledger.mayHaveOnNode(key)) {
      passed.push(i);
      continue;
    }
    const name = candidates.name(i);
    const flagged = state.flaggedSlot(name);
    if (flagged?.beingDisrupted) {
      unresolvable.add(i, "node is being disrupted");
      removedBy.disrupted++;
      continue;
    }
    if (steeredTo !== undefined || pod.daemonSet) {
      passed.push(i);
      continue;
    }
    const vn = flagged?.virtualNode;
    if (flagged?.launching && vn && !plannedFor(vn, pod.uid, pod.namespace, pod.name)) {
      unresolvable.add(i, `node is launching for the pods of virtual node ${vn.name}`);
      removedBy.launching++;
      continue;
    }
    const reserved = ledger.onNode(name);
    if (reserved) {
      const own = reservation?.nodeName === name ? reservation.requests : undefined;
      const shortfall = reservedShortfall(flagged ?? state.lookup(name), pod, reserved, own);
      if (shortfall !== undefined) {
        failed.add(
          i,
          `${shortfall} on this node is reserved for ${reserved.pods - (own ? 1 : 0)} other pod(s)`,
        );
        removedBy["capacity-reserved"]++;
        continue;
      }
    }
    passed.push(i);
  }
  return { passed, failed, unresolvable, removedBy, steeredTo };
}
