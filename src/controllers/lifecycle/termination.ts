// Termination: the finalizer rafter.dev/termination sits on both the Node and its VirtualNode, and
// deleting either one terminates both. Steps, each idempotent so a restart resumes mid-way: propagate
// the deletion, taint the Node rafter.dev/disrupted:NoSchedule, drain it (drain.ts), wait for its
// volumes to detach (volume-detachment.ts), terminate the
// instance and wait until the cloud says it is gone, then release the Node's finalizer and the
// VirtualNode's. A Failed VirtualNode keeps its finalizer for a while so operators can see why.
import type { V1Node } from "@kubernetes/client-node";
import type { VirtualNode, VirtualNodePhase } from "../../api/virtualnode.js";
import { parseDurationOrNever } from "../../domain/duration.js";
import { terminationFinalizer } from "../../kube/virtual-nodes.js";
import type { LifecycleDeps } from "./deps.js";
import { drainStep } from "./drain.js";
import { isDeleting, lookup, type ManagedNode } from "./managed-nodes.js";
import type { LifecycleMetrics } from "./metrics.js";
import { podsOn } from "./managed-nodes.js";
import { hasDisruptedTaint, withDisruptedTaint } from "./taint.js";
import { millis } from "../../domain/timestamps.js";
import { nodeTarget } from "./targets.js";
import { pendingDetachments } from "./volume-detachment.js";
import { virtualNodeTarget } from "../virtual-node-status.js";

const instancePollMs = 5_000;
const detachPollMs = 2_000;
const defaultFailedRetentionMs = 5 * 60_000;

export class Termination {
  private readonly blockedAttempts = new Map<string, number>();
  private readonly detachWaits = new Set<string>();

  constructor(
    private readonly deps: LifecycleDeps,
    private readonly metrics: LifecycleMetrics,
  ) {}

  async reconcile(key: string): Promise<number | undefined> {
    const unit = lookup(this.deps.reader, key);
    if (!isDeleting(unit)) return undefined;
    const { virtualNode, node } = unit;
    const log = this.deps.logger.child({ key, node: node?.metadata?.name });

    // Deleting either object terminates both.
    if (virtualNode && !virtualNode.metadata.deletionTimestamp) {
      const result = await this.deps.virtualNodes.delete(key);
      if (!result.ok && result.error.kind !== "not-found")
        throw new Error(`deleting VirtualNode: ${result.error.message}`);
    }
    if (node && !node.metadata?.deletionTimestamp) {
      const result = await this.deps.nodes.delete(node.metadata?.name ?? "");
      if (!result.ok && result.error.kind !== "not-found")
        throw new Error(`deleting Node: ${result.error.message}`);
    }

    // A launch still in flight finishes first, so that its instance is known and terminated here.
    if (virtualNode && !virtualNode.status?.providerID && virtualNode.status?.phase === "Launching") {
      const created = millis(virtualNode.metadata.creationTimestamp) ?? 0;
      if (this.deps.clock.now() - created < this.deps.config.launchTimeoutMs) return instancePollMs;
    }

    // Once the instance is being terminated the drain is over (and must not flip the phase back).
    const instanceGoing = virtualNode?.status?.phase === "Terminating";
    if (!instanceGoing && node?.metadata?.finalizers?.includes(terminationFinalizer)) {
      const drained = await this.drain(unit, node);
      if (drained !== undefined) return drained;
    }

    if (!instanceGoing && node) {
      const waiting = this.awaitDetachment(unit, node);
      if (waiting !== undefined) return waiting;
    }

    const providerId = virtualNode?.status?.providerID ?? node?.spec?.providerID;
    if (providerId) {
      const result = await this.deps.cloud.delete(providerId);
      if (result.ok) {
        await this.setPhase(virtualNode, "Terminating");
        return instancePollMs;
      }
      const error = result.error;
      if (error.kind === "Throttled") return error.retryAfterMs;
      if (error.kind === "Failed") {
        log.warn({ error: error.message }, "instance termination failed; retrying");
        return 10_000;
      }
      // NotFound: the instance is gone.
    }

    if (node?.metadata?.finalizers?.includes(terminationFinalizer)) {
      const result = await this.deps.nodes.removeFinalizer(node, terminationFinalizer);
      if (!result.ok && result.error.kind === "conflict") return 500;
      if (!result.ok && result.error.kind !== "not-found")
        throw new Error(`releasing Node: ${result.error.message}`);
      log.info("node terminated");
      this.metrics.terminations.inc({ nodepool: unit.nodePool?.metadata.name ?? "" });
      const started = millis(node.metadata.deletionTimestamp);
      if (started !== undefined) this.metrics.drainSeconds.observe((this.deps.clock.now() - started) / 1000);
    }

    if (virtualNode?.metadata.finalizers?.includes(terminationFinalizer)) {
      const retainUntil = this.failedRetainedUntil(virtualNode);
      if (retainUntil > this.deps.clock.now()) return retainUntil - this.deps.clock.now();
      const finalizers = virtualNode.metadata.finalizers.filter((f) => f !== terminationFinalizer);
      const result = await this.deps.virtualNodes.patchMetadata(key, { finalizers });
      if (!result.ok && result.error.kind !== "not-found")
        throw new Error(`releasing VirtualNode: ${result.error.message}`);
    }
    this.blockedAttempts.delete(key);
    this.detachWaits.delete(key);
    return undefined;
  }

  /** Returns a requeue delay while the node still drains, undefined once it is drained. */
  private async drain(unit: ManagedNode, node: V1Node): Promise<number | undefined> {
    const nodeName = node.metadata?.name ?? "";
    if (!hasDisruptedTaint(node)) {
      const tainted = await this.deps.nodes.setTaints(node, withDisruptedTaint(node));
      if (!tainted.ok && tainted.error.kind === "conflict") return 500;
      if (!tainted.ok && tainted.error.kind !== "not-found")
        throw new Error(`tainting Node: ${tainted.error.message}`);
      this.deps.events.record(
        nodeTarget(node),
        "Normal",
        "Draining",
        "Draining the node before its instance is terminated",
      );
    }
    await this.setPhase(unit.virtualNode, "Draining");
    const now = this.deps.clock.now();
    const outcome = await drainStep(
      { evictor: this.deps.evictor, metrics: this.metrics, logger: this.deps.logger },
      {
        node,
        pods: podsOn(this.deps.reader.pods(), nodeName),
        now,
        deadline: this.deadline(unit),
        unregistered: !isRegistered(node),
        blockedAttempts: this.blockedAttempts.get(unit.key) ?? 0,
      },
    );
    if (outcome.kind === "drained") return undefined;
    if (outcome.blocked > 0) {
      const attempts = (this.blockedAttempts.get(unit.key) ?? 0) + 1;
      this.blockedAttempts.set(unit.key, attempts);
      if (attempts === 1 || attempts % 10 === 0)
        this.deps.events.record(
          nodeTarget(node),
          "Warning",
          "DrainBlocked",
          `${outcome.blocked} pod(s) cannot be evicted yet (PodDisruptionBudget); retrying`,
        );
    }
    return outcome.requeueMs;
  }

  /** A requeue delay while the node's volumes are still attached (and the grace period lasts). */
  private awaitDetachment(unit: ManagedNode, node: V1Node): number | undefined {
    const nodeName = node.metadata?.name ?? "";
    const pending = pendingDetachments(
      nodeName,
      this.deps.reader.volumeAttachments(),
      this.deps.reader.persistentVolumes(),
      podsOn(this.deps.reader.pods(), nodeName),
    );
    if (pending.length === 0 || this.deps.clock.now() >= this.deadline(unit)) return undefined;
    if (!this.detachWaits.has(unit.key)) {
      this.detachWaits.add(unit.key);
      this.deps.events.record(
        nodeTarget(node),
        "Normal",
        "AwaitingVolumeDetachment",
        `Waiting for ${pending.length} volume(s) to detach before the instance is terminated: ${pending
          .map((a) => a.spec.source.persistentVolumeName ?? a.metadata?.name ?? "")
          .join(", ")}`,
      );
    }
    return detachPollMs;
  }

  /** Deletion time + the NodePool's terminationGracePeriod (Infinity without one). */
  private deadline(unit: ManagedNode): number {
    const grace = unit.nodePool?.spec.template.spec.terminationGracePeriod;
    if (!grace) return Infinity;
    const started = Math.min(
      millis(unit.node?.metadata?.deletionTimestamp) ?? Infinity,
      millis(unit.virtualNode?.metadata.deletionTimestamp) ?? Infinity,
    );
    if (!Number.isFinite(started)) return Infinity;
    return started + parseDurationOrNever(grace, "Never");
  }

  private failedRetainedUntil(virtualNode: VirtualNode): number {
    if (virtualNode.status?.phase !== "Failed") return 0;
    const failedAt = millis(virtualNode.metadata.deletionTimestamp) ?? this.deps.clock.now();
    return failedAt + (this.deps.config.failedRetentionMs ?? defaultFailedRetentionMs);
  }

  private async setPhase(virtualNode: VirtualNode | undefined, phase: VirtualNodePhase): Promise<void> {
    // A Failed VirtualNode keeps its phase (and reason) while its resources go.
    if (!virtualNode || virtualNode.status?.phase === phase || virtualNode.status?.phase === "Failed") return;
    const name = virtualNode.metadata.name ?? "";
    const result = await this.deps.virtualNodes.patchStatus(name, { phase });
    if (!result.ok && result.error.kind !== "not-found")
      throw new Error(`updating VirtualNode: ${result.error.message}`);
    if (phase === "Terminating")
      this.deps.events.record(
        virtualNodeTarget(virtualNode),
        "Normal",
        "Terminating",
        "Terminating the instance",
      );
  }
}

/**
 * The kubelet has posted status. rafter's own Node object carries no conditions; kube-controller-
 * manager gives a node that never posted one Ready=Unknown with reason NodeStatusNeverUpdated, which
 * is not a registration.
 */
export function isRegistered(node: V1Node): boolean {
  return (
    node.status?.conditions?.some((c) => c.type === "Ready" && c.reason !== "NodeStatusNeverUpdated") ?? false
  );
}
