// The reservation ledger: which pod is promised which node's capacity. The provisioner reserves
// capacity on existing, in-flight and new nodes when it plans; the extender keeps other pods off it
// and steers the reserved pod there; a binding turns a reservation into an "assumed" entry that holds
// the capacity until the pod informer shows the pod bound (then the cluster state counts it).
//
// Per-node sums are kept incrementally so that the extender's filter reads them in O(1).
import type { Clock } from "../clock.js";
import type { Resources } from "../domain/resources.js";
import type { PodBindingListener } from "./cluster-state.js";
import { NameSieve } from "./name-sieve.js";

export type ReservationState = "reserved" | "assumed";

export interface Reservation {
  readonly podUID: string;
  /** A real node's name, or the name a virtual node's Node will register under. */
  readonly nodeName: string;
  readonly requests: Resources;
  readonly namespace: string | undefined;
  readonly name: string | undefined;
  /** "reserved" by a plan; "assumed" once bound, until the informer shows the binding. */
  readonly state: ReservationState;
  /** Clock time (ms) the entry was made. */
  readonly since: number;
}

/** Sum of what is reserved on one node. */
export interface NodeReservations {
  readonly requests: Resources;
  /** requests.cpu and requests.memory as plain fields for the hot loops. */
  readonly cpu: number;
  readonly memory: number;
  readonly pods: number;
}

export interface ReserveInput {
  podUID: string;
  nodeName: string;
  requests: Resources;
  namespace?: string;
  name?: string;
}

export interface ReservationLedgerOptions {
  clock: Clock;
  /**
   * How long an assumed entry may wait for the informer to show the binding before it is dropped;
   * a safety net for a lost watch event, like kube-scheduler's assumed-pod expiry.
   */
  assumedTtlMs?: number;
}

class Totals implements NodeReservations {
  requests: Record<string, number> = {};
  cpu = 0;
  memory = 0;
  pods = 0;
}

export class ReservationLedger implements PodBindingListener {
  private readonly byPod = new Map<string, Reservation>();
  private readonly byNode = new Map<string, Totals>();
  /** The names in `byNode`, for a cheap "certainly nothing reserved" test (mayHaveOnNode). */
  private readonly nodeSieve = new NameSieve();
  /** Assumed entries in the order they were made (the clock only moves forward), for expiry. */
  private readonly assumed = new Map<string, Reservation>();
  private readonly clock: Clock;
  private readonly assumedTtlMs: number;

  constructor(options: ReservationLedgerOptions) {
    this.clock = options.clock;
    this.assumedTtlMs = options.assumedTtlMs ?? 60_000;
  }

  /** Promises capacity on a node to a pod, replacing any earlier reservation of that pod. */
  reserve(input: ReserveInput): Reservation {
    return this.put(input, "reserved");
  }

  /** Records a successful binding: holds the capacity until the cluster state counts the pod. */
  assume(input: ReserveInput): Reservation {
    return this.put(input, "assumed");
  }

  /** Drops a pod's reservation (plan abandoned, pod deleted, binding seen); true if there was one. */
  release(podUID: string): boolean {
    const entry = this.byPod.get(podUID);
    if (!entry) return false;
    this.byPod.delete(podUID);
    this.assumed.delete(podUID);
    this.apply(entry, -1);
    return true;
  }

  /** Drops every reservation on a node (its launch failed, or it is going away). Returns the pods. */
  releaseNode(nodeName: string): string[] {
    const released: string[] = [];
    for (const entry of this.byPod.values()) {
      if (entry.nodeName === nodeName) released.push(entry.podUID);
    }
    for (const uid of released) this.release(uid);
    return released;
  }

  get(podUID: string): Reservation | undefined {
    return this.byPod.get(podUID);
  }

  /** False when nothing is reserved on the node whose name has this sieveKey. */
  mayHaveOnNode(key: number): boolean {
    return this.nodeSieve.mayHave(key);
  }

  /** Sum reserved on a node, or undefined when nothing is. Hot path. */
  onNode(nodeName: string): NodeReservations | undefined {
    return this.byNode.get(nodeName);
  }

  get size(): number {
    return this.byPod.size;
  }

  entries(): IterableIterator<Reservation> {
    return this.byPod.values();
  }

  /** Drops assumed entries older than the TTL; returns how many. Cheap: stops at the first young one. */
  expireAssumed(): number {
    const cutoff = this.clock.now() - this.assumedTtlMs;
    let expired = 0;
    for (const entry of this.assumed.values()) {
      if (entry.since > cutoff) break;
      this.release(entry.podUID);
      expired++;
    }
    return expired;
  }

  // PodBindingListener: the cluster state now counts the pod on its node, so the ledger must not.
  podBound(uid: string, _nodeName: string): void {
    this.release(uid);
  }

  podGone(uid: string): void {
    this.release(uid);
  }

  private put(input: ReserveInput, state: ReservationState): Reservation {
    this.release(input.podUID);
    const entry: Reservation = {
      podUID: input.podUID,
      nodeName: input.nodeName,
      requests: input.requests,
      namespace: input.namespace,
      name: input.name,
      state,
      since: this.clock.now(),
    };
    this.byPod.set(entry.podUID, entry);
    if (state === "assumed") this.assumed.set(entry.podUID, entry);
    this.apply(entry, 1);
    return entry;
  }

  private apply(entry: Reservation, sign: 1 | -1): void {
    let totals = this.byNode.get(entry.nodeName);
    if (!totals) {
      totals = new Totals();
      this.byNode.set(entry.nodeName, totals);
      this.nodeSieve.add(entry.nodeName);
    }
    const sums = totals.requests;
    for (const resource in entry.requests) {
      sums[resource] = (sums[resource] ?? 0) + sign * (entry.requests[resource] ?? 0);
    }
    totals.cpu = sums.cpu ?? 0;
    totals.memory = sums.memory ?? 0;
    totals.pods += sign;
    if (totals.pods === 0) {
      this.byNode.delete(entry.nodeName);
      this.nodeSieve.remove(entry.nodeName);
    }
  }
}
