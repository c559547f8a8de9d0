// The extender's metrics. The e2e suite asserts that rafter_extender_requests_total{verb="filter"}
// and {verb="bind"} increase when kube-scheduler calls rafter: keep these names and labels stable.
import type { Counter, Histogram, Registry } from "prom-client";
import { counter, histogram } from "./registry.js";

export type ExtenderVerb = "filter" | "prioritize" | "bind" | "preempt";

export interface ExtenderMetrics {
  /** Labels: verb, code (the HTTP status code). */
  readonly requests: Counter<"verb" | "code">;
  readonly duration: Histogram<"verb">;
  /** Nodes removed by filter, by reason. */
  readonly filteredNodes: Counter<"reason">;
  /** Outcome of bind calls: ok, conflict, not-found, error. */
  readonly bindResults: Counter<"result">;
}

// Sub-millisecond buckets: the filter's budget is 2 ms at p99 and kube-scheduler waits on every call.
const latencyBuckets = [0.0001, 0.00025, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1];

export function extenderMetrics(registry: Registry): ExtenderMetrics {
  return {
    requests: counter(
      registry,
      "rafter_extender_requests_total",
      "Extender requests served, by verb and HTTP status code.",
      ["verb", "code"],
    ),
    duration: histogram(
      registry,
      "rafter_extender_request_duration_seconds",
      "Time to answer an extender request, from the first byte of the body to the reply.",
      ["verb"],
      latencyBuckets,
    ),
    filteredNodes: counter(
      registry,
      "rafter_extender_filtered_nodes_total",
      "Candidate nodes removed by the filter verb, by reason.",
      ["reason"],
    ),
    bindResults: counter(registry, "rafter_extender_bind_results_total", "Bind verb outcomes.", ["result"]),
  };
}
