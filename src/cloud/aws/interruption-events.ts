// EventBridge events about EC2 instances, as delivered to SQS (the event JSON is the message body),
// read into the cloud port's typed interruption events. Anything unrecognised, malformed JSON
// included, is an "unknown" event for no instance.
import type { InterruptionEvent } from "../interruptions.js";

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
