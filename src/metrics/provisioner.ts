// The provisioning path's metrics (issue 6, "Provisioner"): defined here so that every rafter metric
// lives in one place under the rafter_ prefix. The provisioner and controllers take this object.
import type { Counter, Gauge, Histogram, Registry } from "prom-client";
import { counter, gauge, histogram } from "./registry.js";

export interface ProvisionerMetrics {
  /** Provisionable pods waiting for capacity right now. */
  readonly pendingPods: Gauge;
  /** Pods per planning batch. */
  readonly batchSize: Histogram;
  /** Wall time of one planner run. */
  readonly planDuration: Histogram;
  /** From the cloud launch call to the instance being recorded, by NodePool. */
  readonly launchDuration: Histogram<"nodepool">;
  /** From pod creation to binding, for pods rafter provisioned for. */
  readonly podPendingToBound: Histogram;
  /** VirtualNodes by phase. */
  readonly virtualNodes: Gauge<"phase">;
  /** Hourly price (USD) of the capacity the last plan launched. */
  readonly planCost: Gauge;
  /** Requested / provided resources of the last plan (0–1), the share of paid capacity pods use. */
  readonly planEfficiency: Gauge;
  /** Launch attempts by outcome: ok, insufficient-capacity, error. */
  readonly launches: Counter<"nodepool" | "result">;
}

const secondsBuckets = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];

export function provisionerMetrics(registry: Registry): ProvisionerMetrics {
  return {
    pendingPods: gauge(registry, "rafter_pending_pods", "Provisionable pods waiting for capacity.", []),
    batchSize: histogram(
      registry,
      "rafter_provisioner_batch_size",
      "Pods per planning batch.",
      [],
      [1, 5, 10, 50, 100, 500, 1000, 5000],
    ),
    planDuration: histogram(
      registry,
      "rafter_provisioner_plan_duration_seconds",
      "Wall time of one planner run.",
      [],
      [0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    ),
    launchDuration: histogram(
      registry,
      "rafter_launch_duration_seconds",
      "From the cloud launch call to the instance being recorded.",
      ["nodepool"],
      secondsBuckets,
    ),
    podPendingToBound: histogram(
      registry,
      "rafter_pod_pending_to_bound_seconds",
      "From pod creation to its binding, for pods rafter provisioned capacity for.",
      [],
      [0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300, 600],
    ),
    virtualNodes: gauge(registry, "rafter_virtual_nodes", "VirtualNodes by phase.", ["phase"]),
    planCost: gauge(
      registry,
      "rafter_plan_cost_usd_per_hour",
      "Hourly price of the capacity the last plan launched.",
      [],
    ),
    planEfficiency: gauge(
      registry,
      "rafter_plan_efficiency_ratio",
      "Requested over provided resources in the last plan (0-1).",
      [],
    ),
    launches: counter(registry, "rafter_launches_total", "Launch attempts by NodePool and outcome.", [
      "nodepool",
      "result",
    ]),
  };
}
