// Garbage collection after crashes and manual interventions: instances tagged for this cluster that
// no VirtualNode tracks are terminated, and managed Nodes whose instance is gone (or whose VirtualNode
// is gone) are deleted — each only when older than the grace period, so a launch that is being
// recorded right now is never mistaken for an orphan.
import { parseProviderId } from "../../cloud/provider.js";
import type { LifecycleDeps } from "./deps.js";
import { allManaged, isDeleting } from "./managed-nodes.js";
import type { LifecycleMetrics } from "./metrics.js";
import { millis } from "../../domain/timestamps.js";

export class GarbageCollector {
  constructor(
    private readonly deps: LifecycleDeps,
    private readonly metrics: LifecycleMetrics,
  ) {}

  async round(): Promise<number> {
    const interval = this.deps.config.gcIntervalMs ?? 120_000;
    const grace = this.deps.config.gcGracePeriodMs;
    const now = this.deps.clock.now();
    const listed = await this.deps.cloud.list();
    if (!listed.ok) {
      this.deps.logger.warn({ error: listed.error.message }, "gc: listing instances failed");
      return listed.error.kind === "Throttled" ? listed.error.retryAfterMs : interval;
    }
    const virtualNodes = this.deps.reader.virtualNodes();
    const trackedIds = new Set(
      virtualNodes.flatMap((vn) => (vn.status?.instanceID ? [vn.status.instanceID] : [])),
    );
    const vnNames = new Set(virtualNodes.map((vn) => vn.metadata.name ?? ""));
    for (const instance of listed.value) {
      if (instance.state === "shutting-down" || instance.state === "terminated") continue;
      if (trackedIds.has(instance.instanceId)) continue;
      // A VirtualNode that is still launching names its instance only in the tag.
      if (instance.virtualNode !== undefined && vnNames.has(instance.virtualNode)) continue;
      if (now - instance.launchedAt < grace) continue;
      this.deps.logger.warn(
        { instance: instance.instanceId, virtualNode: instance.virtualNode },
        "gc: terminating untracked instance",
      );
      const result = await this.deps.cloud.delete(instance.providerId);
      if (result.ok || result.error.kind === "NotFound")
        this.metrics.garbageCollected.inc({ kind: "instance" });
    }

    const live = new Set(listed.value.map((i) => i.instanceId));
    for (const unit of allManaged(this.deps.reader)) {
      const node = unit.node;
      if (!node || isDeleting(unit)) continue;
      const age = now - (millis(node.metadata?.creationTimestamp) ?? now);
      if (age < grace) continue;
      const providerId = node.spec?.providerID ?? "";
      const instanceId = parseProviderId(providerId)?.instanceId;
      let orphan = unit.virtualNode === undefined ? "its VirtualNode is gone" : undefined;
      if (!orphan && instanceId && !live.has(instanceId)) {
        // Confirm with a direct look-up: the list may be eventually consistent.
        const found = await this.deps.cloud.get(providerId);
        if (!found.ok && found.error.kind === "NotFound") orphan = "its instance is gone";
      }
      if (!orphan) continue;
      this.deps.logger.warn({ node: node.metadata?.name, reason: orphan }, "gc: deleting node");
      const result = await this.deps.nodes.delete(node.metadata?.name ?? "");
      if (result.ok) this.metrics.garbageCollected.inc({ kind: "node" });
    }
    return interval;
  }
}
