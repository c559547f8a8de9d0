// The provisioning path's metrics: how many pods wait, how batches and plans look, how long launches
// take, and how long a pod waits from pending to bound.
import type { Counter, Gauge, Histogram, Registry } from "prom-client";
import { counter, gauge, histogram } from "./registry.js";

export interface ProvisioningMetrics {
  readonly pendingPods: Gauge;
  readonly batchSize: Histogram;
  readonly planDuration: Histogram;
  readonly launchDuration: Histogram<"result">;
  readonly podPendingToBound: Histogram;
  readonly virtualNodes: Gauge<"phase">;
  readonly planHourlyCost: Gauge;
  readonly planEfficiency: Gauge;
  readonly unschedulablePods: Gauge;
  readonly launches: Counter<"result" | "nodepool">;
  readonly bindings: Counter<"result">;
}

const secondsBuckets = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300];

export function provisioningMetrics(registry: Registry): ProvisioningMetrics {
  return {
    pendingPods: gauge(registry, "rafter_pending_pods", "Provisionable pods waiting for capacity.", []),
    batchSize: histogram(
      registry,
      "rafter_provisioner_batch_size",
      "Pods per provisioning batch.",
      [],
      [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 5000],
    ),
    planDuration: histogram(
      registry,
      "rafter_plan_duration_seconds",
      "Time the planner took per batch.",
      [],
      [0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5],
    ),
    launchDuration: histogram(
      registry,
      "rafter_launch_duration_seconds",
      "Time from launch request to instance known, by result.",
      ["result"],
      secondsBuckets,
    ),
    podPendingToBound: histogram(
      registry,
      "rafter_pod_pending_to_bound_seconds",
      "Time from pod creation to its binding by rafter (admission-time, or kube-scheduler's through the extender's bind verb).",
      [],
      secondsBuckets,
    ),
    virtualNodes: gauge(registry, "rafter_virtualnodes", "VirtualNodes by phase.", ["phase"]),
    planHourlyCost: gauge(
      registry,
      "rafter_plan_hourly_cost_dollars",
      "Hourly price of the new capacity in the last plan.",
      [],
    ),
    planEfficiency: gauge(
      registry,
      "rafter_plan_efficiency_ratio",
      "Last plan's cost divided by its LP lower bound (1 is optimal).",
      [],
    ),
    unschedulablePods: gauge(
      registry,
      "rafter_unschedulable_pods",
      "Pods the last plan could not place.",
      [],
    ),
    launches: counter(registry, "rafter_launches_total", "Instance launches by result and NodePool.", [
      "result",
      "nodepool",
    ]),
    bindings: counter(registry, "rafter_provisioner_bindings_total", "Admission-time bindings by result.", [
      "result",
    ]),
  };
}
