// Spot interruptions and instance state changes: events from the interruption source drain the
// affected node ahead of the cloud's termination (deleting its VirtualNode starts termination, which
// taints, evicts and terminates). A spot interruption also marks the offering unavailable for a while,
// so the replacement does not land on the same capacity pool. Rebalance recommendations are only
// recorded. Every message is acknowledged once handled, including ones that match no node.
import type { V1Node } from "@kubernetes/client-node";
import { parseProviderId } from "../../cloud/provider.js";
import type { InterruptionEvent, InterruptionKind } from "../../cloud/interruptions.js";
import type { LifecycleDeps } from "./deps.js";
import { allManaged } from "./managed-nodes.js";
import type { LifecycleMetrics } from "./metrics.js";
import { nodeTarget } from "./targets.js";

const stoppingStates = new Set(["stopping", "stopped", "shutting-down", "terminated"]);

export class InterruptionHandler {
  constructor(
    private readonly deps: LifecycleDeps,
    private readonly metrics: LifecycleMetrics,
  ) {}

  async handle(event: InterruptionEvent): Promise<void> {
    this.metrics.interruptions.inc({ kind: event.kind });
    const actionable =
      event.kind === "spot-interruption" ||
      event.kind === "scheduled-change" ||
      (event.kind === "state-change" && stoppingStates.has(event.state ?? ""));
    for (const instanceId of event.instanceIds) {
      const unit = allManaged(this.deps.reader).find(
        (u) =>
          u.virtualNode?.status?.instanceID === instanceId ||
          parseProviderId(u.node?.spec?.providerID ?? "")?.instanceId === instanceId,
      );
      if (!unit) continue;
      const log = this.deps.logger.child({ instanceId, key: unit.key, event: event.kind });
      if (unit.node) this.record(unit.node, event);
      if (!actionable) {
        log.info("interruption event recorded");
        continue;
      }
      const status = unit.virtualNode?.status;
      if (event.kind === "spot-interruption" && status?.instanceType && status.zone && status.capacityType)
        this.deps.unavailableOfferings.mark(
          status.instanceType,
          status.zone,
          status.capacityType,
          "SpotInterruption",
        );
      log.warn("draining ahead of instance interruption");
      const result = unit.virtualNode
        ? await this.deps.virtualNodes.delete(unit.key)
        : await this.deps.nodes.delete(unit.node?.metadata?.name ?? "");
      if (!result.ok && result.error.kind !== "not-found")
        throw new Error(`deleting ${unit.key}: ${result.error.message}`);
    }
  }

  private record(node: V1Node, event: InterruptionEvent): void {
    const text: Record<InterruptionKind, string> = {
      "spot-interruption": "Spot interruption warning: draining before the instance is reclaimed",
      rebalance: "Spot rebalance recommendation received",
      "state-change": `Instance state changed to ${event.state ?? "?"}`,
      "scheduled-change": "Scheduled maintenance event for the instance",
      unknown: "Unknown interruption event",
    };
    this.deps.events.record(
      nodeTarget(node),
      event.kind === "rebalance" ? "Normal" : "Warning",
      "Interruption",
      text[event.kind],
    );
  }
}
