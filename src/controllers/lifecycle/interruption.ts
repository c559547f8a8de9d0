// Spot interruptions and instance state changes: messages from the interruption queue drain the
// affected node ahead of the cloud's termination (deleting its VirtualNode starts termination, which
// taints, evicts and terminates). A spot interruption also marks the offering unavailable for a while,
// so the replacement does not land on the same capacity pool. Rebalance recommendations are only
// recorded. Every message is deleted once handled, including ones that match no node.
import type { V1Node } from "@kubernetes/client-node";
import { parseProviderId } from "../../cloud/provider.js";
import type { LifecycleDeps } from "./deps.js";
import type { QueueMessage } from "./interruption-queue.js";
import { allManaged } from "./managed-nodes.js";
import type { LifecycleMetrics } from "./metrics.js";
import { nodeTarget } from "./targets.js";

export type InterruptionKind =
  "spot-interruption" | "rebalance" | "state-change" | "scheduled-change" | "unknown";

export interface InterruptionEvent {
  readonly kind: InterruptionKind;
  readonly instanceIds: readonly string[];
  readonly state?: string;
}

const stoppingStates = new Set(["stopping", "stopped", "shutting-down", "terminated"]);

/** Parses an EventBridge event as delivered to SQS (the event JSON is the message body). */
export function parseInterruption(body: string): InterruptionEvent {
  let event: {
    "detail-type"?: string;
    source?: string;
    detail?: Record<string, unknown>;
    resources?: string[];
  };
  try {
    event = JSON.parse(body) as typeof event;
  } catch {
    return { kind: "unknown", instanceIds: [] };
  }
  const detail = event.detail ?? {};
  const instanceId = typeof detail["instance-id"] === "string" ? detail["instance-id"] : undefined;
  switch (event["detail-type"]) {
    case "EC2 Spot Instance Interruption Warning":
      return { kind: "spot-interruption", instanceIds: instanceId ? [instanceId] : [] };
    case "EC2 Instance Rebalance Recommendation":
      return { kind: "rebalance", instanceIds: instanceId ? [instanceId] : [] };
    case "EC2 Instance State-change Notification":
      return {
        kind: "state-change",
        instanceIds: instanceId ? [instanceId] : [],
        ...(typeof detail.state === "string" ? { state: detail.state } : {}),
      };
    case "AWS Health Event": {
      const entities = Array.isArray(detail.affectedEntities)
        ? (detail.affectedEntities as { entityValue?: unknown }[])
        : [];
      const ids = entities.flatMap((e) => (typeof e.entityValue === "string" ? [e.entityValue] : []));
      return { kind: "scheduled-change", instanceIds: ids };
    }
    default:
      return { kind: "unknown", instanceIds: [] };
  }
}

export class InterruptionHandler {
  constructor(
    private readonly deps: LifecycleDeps,
    private readonly metrics: LifecycleMetrics,
  ) {}

  async handle(message: QueueMessage): Promise<void> {
    const event = parseInterruption(message.body);
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
      if (result.kind !== "ok" && result.kind !== "not-found")
        throw new Error(`deleting ${unit.key}: ${result.message}`);
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
