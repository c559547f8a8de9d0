// The provisioning loop (the fast path): provisionable pods are batched, the planner is run on a
// snapshot of the cluster, placements on existing and in-flight capacity are reserved, and each new
// virtual node is recorded as a VirtualNode *before* the launcher calls the cloud.
import { randomBytes } from "node:crypto";
import type { V1Pod } from "@kubernetes/client-node";
import type { VirtualNode } from "../api/virtualnode.js";
import type { Clock, Timers } from "../clock.js";
import type { Catalog } from "../catalog/types.js";
import type { EventRecorder } from "../kube/events.js";
import { podTarget } from "../kube/events.js";
import type { VirtualNodeClient } from "../kube/virtual-nodes.js";
import type { Logger } from "../logging.js";
import type { ProvisioningMetrics } from "../metrics/provisioning.js";
import type { NewNode, Plan, PlanOptions, PlanningSnapshot } from "../planner/types.js";
import type { ReservationLedger } from "../state/reservation-ledger.js";
import { podRequests } from "../domain/pod-requests.js";
import { Batcher } from "./batcher.js";
import type { ClusterReader } from "./cluster-reader.js";
import { isProvisionable } from "./provisionable.js";
import { podKey } from "../domain/pod-key.js";
import { buildSnapshot } from "./snapshot.js";
import { recordVirtualNode } from "./virtual-node-factory.js";
import { errorMessage } from "../domain/error-message.js";

export interface ProvisionerDeps {
  readonly reader: ClusterReader;
  readonly ledger: ReservationLedger;
  readonly catalog: () => Promise<Catalog>;
  readonly unavailableOfferings: () => ReadonlySet<string>;
  readonly plan: (snapshot: PlanningSnapshot, options: PlanOptions) => Plan;
  readonly planOptions?: PlanOptions;
  readonly virtualNodes: Pick<VirtualNodeClient, "create">;
  readonly launch: (virtualNode: VirtualNode) => void;
  /** Pods placed on a VirtualNode's spare capacity are bound along with its own pods. */
  readonly join: (virtualNodeName: string, pods: readonly V1Pod[]) => void;
  /** Pods placed on an existing node's free capacity are bound to it at once (Launcher.bindToNode). */
  readonly bindToNode: (nodeName: string, pods: readonly V1Pod[]) => void;
  /**
   * How long a placement on an existing node may wait for kube-scheduler to act on it before the pod
   * is planned again (the node may have changed since the plan).
   */
  readonly placementTtlMs?: number;
  readonly events: EventRecorder;
  readonly metrics: ProvisioningMetrics;
  readonly clock: Clock;
  readonly timers: Timers;
  readonly logger: Logger;
  readonly batchIdleMs: number;
  readonly batchMaxMs: number;
  /** How often pods the last plan could not place are tried again when nothing else triggers it. */
  readonly unschedulableRetryMs?: number;
}

export class Provisioner {
  private readonly batcher: Batcher;
  private running = false;
  private rerun = false;
  /** Pods the last plan could not place, with the reason already reported (events are not repeated). */
  private readonly waiting = new Map<string, string>();
  private retryTimer: ReturnType<Timers["setTimeout"]> | undefined;
  private stopped = false;

  constructor(private readonly deps: ProvisionerDeps) {
    this.batcher = new Batcher({
      idleMs: deps.batchIdleMs,
      maxMs: deps.batchMaxMs,
      clock: deps.clock,
      timers: deps.timers,
      onBatch: () => {
        this.trigger();
      },
    });
  }

  /** Informer hook: a pod was added or changed. */
  podChanged(pod: V1Pod): void {
    if (this.stopped || !isProvisionable(pod) || this.isReserved(pod)) return;
    const key = podKey(pod);
    if (this.waiting.has(key)) return; // retried when something relevant changes
    this.batcher.add(key);
  }

  /** Something that can make waiting pods placeable changed (NodePool, node, catalogue, capacity). */
  capacityChanged(): void {
    if (this.stopped || this.waiting.size === 0) return;
    for (const key of this.waiting.keys()) this.batcher.add(key);
    this.waiting.clear();
  }

  /** A launch gave up: its pods are planned again, at once after capacity errors. */
  podsReleased(keys: string[], urgency: "now" | "backoff"): void {
    if (this.stopped) return;
    for (const key of keys) {
      this.waiting.delete(key);
      this.batcher.add(key);
    }
    if (urgency === "now") this.batcher.flush();
  }

  stop(): void {
    this.stopped = true;
    this.batcher.stop();
    this.deps.timers.clearTimeout(this.retryTimer);
  }

  /** Runs one planning round now (also used by tests); rounds never overlap. */
  trigger(): void {
    if (this.running) {
      this.rerun = true;
      return;
    }
    this.running = true;
    void this.round()
      .catch((error: unknown) => {
        this.deps.logger.error({ err: errorMessage(error) }, "provisioning round failed");
        this.scheduleRetry(5_000);
      })
      .finally(() => {
        this.running = false;
        if (this.rerun && !this.stopped) {
          this.rerun = false;
          this.trigger();
        }
      });
  }

  /** A planning round is running now (pods waiting for their batch window are not). For tests. */
  get planning(): boolean {
    return this.running;
  }

  /** Resolves once no round is running or queued; for tests and orderly shutdown. */
  get idle(): boolean {
    return !this.running && this.batcher.size === 0;
  }

  private async round(): Promise<void> {
    this.releaseStalePlacements();
    const pending = this.deps.reader.pods().filter((pod) => isProvisionable(pod) && !this.isReserved(pod));
    this.deps.metrics.pendingPods.set(pending.length);
    if (pending.length === 0) return;
    const log = this.deps.logger.child({ round: randomBytes(4).toString("hex") });
    this.deps.metrics.batchSize.observe(pending.length);
    const catalog = await this.deps.catalog();
    const snapshot = buildSnapshot({
      reader: this.deps.reader,
      pendingPods: pending,
      catalog,
      unavailableOfferings: this.deps.unavailableOfferings(),
    });
    const started = performance.now();
    const plan = this.deps.plan(snapshot, { ...this.deps.planOptions, namePrefix: "vn" });
    const seconds = (performance.now() - started) / 1000;
    this.deps.metrics.planDuration.observe(seconds);
    this.deps.metrics.planHourlyCost.set(plan.hourlyCost);
    if (plan.efficiency !== undefined && Number.isFinite(plan.efficiency))
      this.deps.metrics.planEfficiency.set(plan.efficiency);
    this.deps.metrics.unschedulablePods.set(plan.unschedulable.length);
    log.info(
      {
        pods: pending.length,
        placements: plan.placements.length,
        newNodes: plan.newNodes.length,
        unschedulable: plan.unschedulable.length,
        hourlyCost: plan.hourlyCost,
        ms: Math.round(seconds * 1000),
      },
      "planned",
    );
    const byKey = new Map(pending.map((pod) => [podKey(pod), pod]));
    this.reservePlacements(plan, byKey, snapshot);
    this.reportUnschedulable(plan, byKey);
    await Promise.all(plan.newNodes.map((node) => this.createVirtualNode(node, byKey, log)));
  }

  private reservePlacements(plan: Plan, byKey: ReadonlyMap<string, V1Pod>, snapshot: PlanningSnapshot): void {
    const inFlightNames = new Set(snapshot.inFlight.map((node) => node.name));
    // In-flight capacity is named by its future Node name once launched, by the VirtualNode's before.
    const virtualNodeOf = new Map<string, string>();
    for (const vn of this.deps.reader.virtualNodes()) {
      const name = vn.metadata.name ?? "";
      virtualNodeOf.set(vn.status?.nodeName ?? name, name);
    }
    const joining = new Map<string, V1Pod[]>();
    const placing = new Map<string, V1Pod[]>();
    for (const placement of plan.placements) {
      const pod = byKey.get(placement.pod);
      if (!pod) continue;
      this.waiting.delete(placement.pod);
      this.reserve(pod, placement.node);
      const virtualNode = inFlightNames.has(placement.node) ? virtualNodeOf.get(placement.node) : undefined;
      if (virtualNode === undefined) {
        append(placing, placement.node, pod);
        continue;
      }
      append(joining, virtualNode, pod);
      this.deps.events.record(
        podTarget(pod),
        "Normal",
        "Nominated",
        `Reserved on launching capacity ${virtualNode}`,
      );
    }
    for (const [virtualNode, pods] of joining) this.deps.join(virtualNode, pods);
    for (const [nodeName, pods] of placing) this.deps.bindToNode(nodeName, pods);
  }

  /** Placements on existing nodes that kube-scheduler has not acted on in time are planned again. */
  private releaseStalePlacements(): void {
    const ttl = this.deps.placementTtlMs ?? 120_000;
    const now = this.deps.clock.now();
    const nodes = new Set(this.deps.reader.nodes().map((node) => node.metadata?.name ?? ""));
    const launcherBound = new Set<string>();
    for (const vn of this.deps.reader.virtualNodes())
      for (const ref of vn.spec.pods) if (ref.uid) launcherBound.add(ref.uid);
    for (const pod of this.deps.reader.pods()) {
      if (!isProvisionable(pod)) continue;
      const uid = pod.metadata?.uid ?? "";
      const reservation = this.deps.ledger.get(uid);
      if (
        reservation?.state !== "reserved" ||
        now - reservation.since < ttl ||
        !nodes.has(reservation.nodeName)
      )
        continue;
      if (launcherBound.has(uid)) continue; // a VirtualNode's own pods are bound by the launcher
      this.deps.ledger.release(uid);
      this.deps.logger.info(
        { pod: podKey(pod), node: reservation.nodeName },
        "placement expired; planning again",
      );
    }
  }

  private reportUnschedulable(plan: Plan, byKey: ReadonlyMap<string, V1Pod>): void {
    for (const { pod: key, reason } of plan.unschedulable) {
      const pod = byKey.get(key);
      if (!pod) continue;
      if (this.waiting.get(key) !== reason)
        this.deps.events.record(
          podTarget(pod),
          "Warning",
          "FailedProvisioning",
          `rafter cannot launch capacity for this pod: ${reason}`,
        );
      this.waiting.set(key, reason);
    }
    if (this.waiting.size > 0) this.scheduleRetry(this.deps.unschedulableRetryMs ?? 60_000);
  }

  private async createVirtualNode(
    node: NewNode,
    byKey: ReadonlyMap<string, V1Pod>,
    log: Logger,
  ): Promise<void> {
    const pods = node.pods.flatMap((key) => {
      const pod = byKey.get(key);
      return pod ? [pod] : [];
    });
    const created = await recordVirtualNode(this.deps, node, pods, `Planned for ${pods.length} pending pods`);
    if (!created.ok) {
      // Nothing was launched; the pods stay pending and are planned again in the next round.
      log.error({ error: created.error.message }, "could not record VirtualNode");
      for (const pod of pods) this.batcher.add(podKey(pod));
      return;
    }
    const name = created.value.metadata.name ?? "";
    for (const pod of pods) {
      this.reserve(pod, name);
      this.deps.events.record(
        podTarget(pod),
        "Normal",
        "Nominated",
        `Planned onto new capacity ${name} (${node.instanceTypes[0] ?? "?"} or ${node.instanceTypes.length - 1} other types, $${node.hourlyPrice.toFixed(4)}/h)`,
      );
    }
    log.info(
      {
        virtualNode: name,
        pods: pods.length,
        cheapest: node.instanceTypes[0],
        options: node.instanceTypes.length,
        hourlyPrice: node.hourlyPrice,
      },
      "virtual node planned",
    );
    // Ties each pod to the round and the VirtualNode (then the launch and binding logs, which carry
    // the VirtualNode): pending → plan → launch → bind, per pod.
    log.debug({ virtualNode: name, pods: pods.map(podKey) }, "pods nominated");
    this.deps.launch(created.value);
  }

  private reserve(pod: V1Pod, nodeName: string): void {
    this.deps.ledger.reserve({
      podUID: pod.metadata?.uid ?? "",
      nodeName,
      requests: podRequests(pod),
      namespace: pod.metadata?.namespace ?? "default",
      name: pod.metadata?.name ?? "",
    });
  }

  private isReserved(pod: V1Pod): boolean {
    return this.deps.ledger.get(pod.metadata?.uid ?? "") !== undefined;
  }

  private scheduleRetry(delayMs: number): void {
    if (this.retryTimer || this.stopped) return;
    this.retryTimer = this.deps.timers.setTimeout(() => {
      this.retryTimer = undefined;
      this.capacityChanged();
    }, delayMs);
  }
}

function append<T>(map: Map<string, T[]>, key: string, value: T): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
