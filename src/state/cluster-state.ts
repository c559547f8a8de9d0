// rafter's in-memory view of the cluster for scheduling decisions: nodes, the requests of the pods
// bound to them, in-flight VirtualNodes and the disruption flags the lifecycle controllers set.
// Informers feed it through plain upsert/delete calls; it is a cache that can always be rebuilt.
//
// Everything the extender reads for one candidate node lives in one NodeSlot, kept current
// incrementally on every event, so that filtering N candidates costs N map lookups and no scans.
import type { V1Pod, V1Node } from "@kubernetes/client-node";
import type { Resources } from "../domain/resources.js";
import { millis } from "../domain/timestamps.js";
import type { VirtualNode } from "../api/virtualnode.js";
import { nodeRecordFromV1, type NodeRecord } from "./node-record.js";
import { podRequests } from "../domain/pod-requests.js";
import { NameSieve } from "./name-sieve.js";
import {
  isInFlight,
  isLeaving,
  plannedFor,
  virtualNodeRecordFrom,
  type VirtualNodeRecord,
} from "./virtual-node-record.js";

export interface PodRecord {
  readonly uid: string;
  readonly namespace: string;
  readonly name: string;
  /** spec.nodeName: the node the pod is bound to, if any. */
  readonly nodeName: string | undefined;
  readonly requests: Resources;
  readonly daemonSet: boolean;
  /** Succeeded or Failed: the pod no longer holds resources on its node. */
  readonly terminal: boolean;
  /** metadata.creationTimestamp in ms, when known (for pending-to-bound times). */
  readonly createdAt: number | undefined;
}

/** Everything known about one node name, read-only. */
export interface NodeSlot {
  readonly name: string;
  /** The Node object, once the informer has seen it. */
  readonly node: NodeRecord | undefined;
  /** Sum of the requests of non-terminal pods bound to this node (includes `pods`). */
  readonly requested: Resources;
  /** requested.cpu and requested.memory as plain fields: monomorphic reads for the hot loops. */
  readonly requestedCpu: number;
  readonly requestedMemory: number;
  readonly podCount: number;
  /** The VirtualNode whose Node registers (or registered) under this name. */
  readonly virtualNode: VirtualNodeRecord | undefined;
  /** Tainted for disruption, flagged by a controller, or its VirtualNode is draining/terminating/failed. */
  readonly beingDisrupted: boolean;
  /** Flagged by the disruption controller, or its VirtualNode carries Consolidatable=True. */
  readonly consolidationCandidate: boolean;
  /** Capacity that cannot run pods yet: an in-flight VirtualNode whose Node is not Ready. */
  readonly launching: boolean;
  /**
   * Copies of node.ready and node.allocatableCpu/Memory (false/NaN without a Node), so that scoring
   * 500 candidates touches one object per node instead of two: fewer cache misses.
   */
  readonly ready: boolean;
  readonly allocatableCpu: number;
  readonly allocatableMemory: number;
}

/** Told after a slot changed (`gone`: it was dropped; a later slot of that name is a new object). */
export type SlotListener = (slot: NodeSlot, gone: boolean) => void;

/** Told when a pod's binding becomes visible or the pod stops holding resources (the ledger listens). */
export interface PodBindingListener {
  podBound(uid: string, nodeName: string): void;
  podGone(uid: string): void;
}

class Slot implements NodeSlot {
  node: NodeRecord | undefined = undefined;
  requested: Record<string, number> = {};
  requestedCpu = 0;
  requestedMemory = 0;
  podCount = 0;
  virtualNode: VirtualNodeRecord | undefined = undefined;
  flaggedDisrupted = false;
  flaggedCandidate = false;
  beingDisrupted = false;
  consolidationCandidate = false;
  launching = false;
  ready = false;
  allocatableCpu = NaN;
  allocatableMemory = NaN;

  constructor(readonly name: string) {}

  /** Recomputes the derived flags; called after any input changes so reads stay branch-light. */
  refresh(): void {
    const vn = this.virtualNode;
    this.beingDisrupted =
      this.flaggedDisrupted ||
      (this.node?.disruptionTainted ?? false) ||
      (vn !== undefined && isLeaving(vn.phase));
    this.consolidationCandidate = this.flaggedCandidate || (vn?.consolidatable ?? false);
    this.ready = this.node?.ready ?? false;
    this.launching = vn !== undefined && isInFlight(vn.phase) && !this.ready;
    this.allocatableCpu = this.node?.allocatableCpu ?? NaN;
    this.allocatableMemory = this.node?.allocatableMemory ?? NaN;
  }

  empty(): boolean {
    return (
      this.node === undefined &&
      this.podCount === 0 &&
      this.virtualNode === undefined &&
      !this.flaggedDisrupted &&
      !this.flaggedCandidate
    );
  }
}

function podRecordFromV1(pod: V1Pod): PodRecord | undefined {
  const meta = pod.metadata;
  const uid = meta?.uid;
  if (!uid) return undefined;
  let requests: Resources;
  try {
    requests = podRequests(pod);
  } catch {
    // The API server validates quantities, so this only happens with hand-made objects; count the slot.
    requests = { pods: 1 };
  }
  const phase = pod.status?.phase;
  return {
    uid,
    namespace: meta.namespace ?? "default",
    name: meta.name ?? "",
    nodeName: pod.spec?.nodeName === "" ? undefined : pod.spec?.nodeName,
    requests,
    daemonSet: (meta.ownerReferences ?? []).some((o) => o.kind === "DaemonSet" && o.controller === true),
    terminal: phase === "Succeeded" || phase === "Failed",
    createdAt: millis(meta.creationTimestamp),
  };
}

function holdsResources(pod: PodRecord | undefined): pod is PodRecord & { nodeName: string } {
  return pod?.nodeName !== undefined && !pod.terminal;
}

export class ClusterState {
  private readonly slots = new Map<string, Slot>();
  /**
   * Slots that are being disrupted or launching: the few the filter acts on. A lookup in this small,
   * cache-resident map lets the filter skip the big one for most candidates; on a busy machine the
   * cache misses of 500 random lookups into 5 000 slots were the largest cost of a filter call.
   */
  private readonly flagged = new Map<string, Slot>();
  /** The names in `flagged`, for a cheap "certainly not flagged" test (mayBeFlagged). */
  private readonly flaggedSieve = new NameSieve();
  private readonly pods = new Map<string, PodRecord>();
  private readonly virtualNodes = new Map<string, VirtualNodeRecord>();
  private readonly listeners: PodBindingListener[] = [];
  private readonly slotListeners: SlotListener[] = [];
  private synced = false;
  private nodes = 0;

  /** The informers have listed everything once; until then decisions would be made on partial data. */
  markSynced(): void {
    this.synced = true;
  }

  isSynced(): boolean {
    return this.synced;
  }

  addListener(listener: PodBindingListener): void {
    this.listeners.push(listener);
  }

  /** Told after a slot's figures or flags change, and when a slot is dropped (for caches of them). */
  addSlotListener(listener: SlotListener): void {
    this.slotListeners.push(listener);
  }

  /** The slot for a node name, or undefined when nothing at all is known about it. Hot path. */
  lookup(nodeName: string): NodeSlot | undefined {
    return this.slots.get(nodeName);
  }

  /** False when the node (by sieveKey of its name) is certainly not being disrupted or launching. */
  mayBeFlagged(key: number): boolean {
    return this.flaggedSieve.mayHave(key);
  }

  /** The slot if the node is being disrupted or launching, else undefined. Hot path. */
  flaggedSlot(nodeName: string): NodeSlot | undefined {
    return this.flagged.get(nodeName);
  }

  pod(uid: string): PodRecord | undefined {
    return this.pods.get(uid);
  }

  get nodeCount(): number {
    return this.nodes;
  }

  get podCount(): number {
    return this.pods.size;
  }

  upsertNode(node: V1Node): void {
    const record = nodeRecordFromV1(node);
    if (!record) return;
    const slot = this.slot(record.name);
    if (slot.node === undefined) this.nodes++;
    slot.node = record;
    this.refresh(slot);
  }

  deleteNode(name: string): void {
    const slot = this.slots.get(name);
    if (slot?.node === undefined) return;
    slot.node = undefined;
    this.nodes--;
    this.refresh(slot);
    this.collect(slot);
  }

  upsertPod(pod: V1Pod): void {
    const record = podRecordFromV1(pod);
    if (!record) return;
    const previous = this.pods.get(record.uid);
    this.pods.set(record.uid, record);
    const wasCounted = holdsResources(previous) ? previous.nodeName : undefined;
    const isCounted = holdsResources(record) ? record.nodeName : undefined;
    if (wasCounted !== undefined && previous) this.account(wasCounted, previous.requests, -1);
    if (isCounted !== undefined) this.account(isCounted, record.requests, 1);
    if (isCounted !== undefined && isCounted !== wasCounted) {
      for (const listener of this.listeners) listener.podBound(record.uid, isCounted);
    } else if (record.terminal && !(previous?.terminal ?? false)) {
      for (const listener of this.listeners) listener.podGone(record.uid);
    }
  }

  deletePod(uid: string): void {
    const previous = this.pods.get(uid);
    if (!previous) return;
    this.pods.delete(uid);
    if (holdsResources(previous)) this.account(previous.nodeName, previous.requests, -1);
    for (const listener of this.listeners) listener.podGone(uid);
  }

  upsertVirtualNode(vn: VirtualNode): void {
    const record = virtualNodeRecordFrom(vn);
    if (!record) return;
    this.detachVirtualNode(record.name);
    this.virtualNodes.set(record.name, record);
    if (record.nodeName !== undefined) {
      const slot = this.slot(record.nodeName);
      slot.virtualNode = record;
      this.refresh(slot);
    }
  }

  deleteVirtualNode(name: string): void {
    this.detachVirtualNode(name);
    this.virtualNodes.delete(name);
  }

  virtualNode(name: string): VirtualNodeRecord | undefined {
    return this.virtualNodes.get(name);
  }

  /** The in-flight VirtualNode planned for this pod, if any (O(virtual nodes); not a hot path). */
  inFlightVirtualNodeFor(uid: string, namespace: string, name: string): VirtualNodeRecord | undefined {
    for (const record of this.virtualNodes.values()) {
      if (isInFlight(record.phase) && plannedFor(record, uid, namespace, name)) return record;
    }
    return undefined;
  }

  /** Set by the disruption/termination controllers when they start (or stop) draining a node. */
  setBeingDisrupted(nodeName: string, value: boolean): void {
    const slot = value ? this.slot(nodeName) : this.slots.get(nodeName);
    if (!slot) return;
    slot.flaggedDisrupted = value;
    this.refresh(slot);
    this.collect(slot);
  }

  /** Set by consolidation when a node is a candidate for removal, so new pods avoid it. */
  setConsolidationCandidate(nodeName: string, value: boolean): void {
    const slot = value ? this.slot(nodeName) : this.slots.get(nodeName);
    if (!slot) return;
    slot.flaggedCandidate = value;
    this.refresh(slot);
    this.collect(slot);
  }

  private detachVirtualNode(name: string): void {
    const old = this.virtualNodes.get(name);
    if (old?.nodeName === undefined) return;
    const slot = this.slots.get(old.nodeName);
    if (slot?.virtualNode?.name !== name) return;
    slot.virtualNode = undefined;
    this.refresh(slot);
    this.collect(slot);
  }

  private account(nodeName: string, requests: Resources, sign: 1 | -1): void {
    const slot = this.slot(nodeName);
    const requested = slot.requested;
    for (const resource in requests) {
      requested[resource] = (requested[resource] ?? 0) + sign * (requests[resource] ?? 0);
    }
    slot.requestedCpu = requested.cpu ?? 0;
    slot.requestedMemory = requested.memory ?? 0;
    slot.podCount += sign;
    if (slot.podCount === 0) {
      slot.requested = {};
      slot.requestedCpu = 0;
      slot.requestedMemory = 0;
    }
    for (const listener of this.slotListeners) listener(slot, false);
    this.collect(slot);
  }

  private slot(name: string): Slot {
    let slot = this.slots.get(name);
    if (!slot) {
      slot = new Slot(name);
      this.slots.set(name, slot);
    }
    return slot;
  }

  /** Recomputes a slot's flags and keeps the index of slots the filter must look at current. */
  private refresh(slot: Slot): void {
    slot.refresh();
    if (slot.beingDisrupted || slot.launching) this.flag(slot);
    else this.unflag(slot.name);
    for (const listener of this.slotListeners) listener(slot, false);
  }

  private flag(slot: Slot): void {
    if (!this.flagged.has(slot.name)) this.flaggedSieve.add(slot.name);
    this.flagged.set(slot.name, slot);
  }

  private unflag(name: string): void {
    if (this.flagged.delete(name)) this.flaggedSieve.remove(name);
  }

  private collect(slot: Slot): void {
    if (slot.empty()) {
      this.slots.delete(slot.name);
      this.unflag(slot.name);
      for (const listener of this.slotListeners) listener(slot, true);
    }
  }
}
