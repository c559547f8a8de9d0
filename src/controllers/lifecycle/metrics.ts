// Lifecycle metrics (rafter_ prefix), get-or-create on the process registry.
import type { Registry } from "prom-client";
import { counter, gauge, histogram } from "../../metrics/registry.js";

export function lifecycleMetrics(registry: Registry) {
  return {
    evictions: counter(registry, "rafter_evictions_total", "Pod eviction attempts by result", ["result"]),
    terminations: counter(registry, "rafter_nodes_terminated_total", "Nodes terminated", ["nodepool"]),
    drainSeconds: histogram(
      registry,
      "rafter_node_termination_duration_seconds",
      "Time from deletion request to finalizer release",
      [],
      [5, 15, 30, 60, 120, 300, 600, 1800, 3600],
    ),
    disruptions: counter(registry, "rafter_disruption_decisions_total", "Voluntary disruption decisions", [
      "reason",
      "action",
    ]),
    registrationFailures: counter(
      registry,
      "rafter_registration_failures_total",
      "Launches or registrations that timed out",
      ["nodepool", "reason"],
    ),
    consolidationSeconds: histogram(
      registry,
      "rafter_consolidation_duration_seconds",
      "Time to compute a consolidation decision",
      [],
      [0.01, 0.05, 0.1, 0.5, 1, 2, 5, 10, 30],
    ),
    garbageCollected: counter(registry, "rafter_garbage_collected_total", "Orphans removed", ["kind"]),
    interruptions: counter(registry, "rafter_interruption_messages_total", "Interruption queue messages", [
      "kind",
    ]),
    allowedDisruptions: gauge(registry, "rafter_nodepool_allowed_disruptions", "Budget headroom", [
      "nodepool",
      "reason",
    ]),
  };
}

export type LifecycleMetrics = ReturnType<typeof lifecycleMetrics>;
