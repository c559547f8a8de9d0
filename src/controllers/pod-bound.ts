// What rafter reports when it binds a pod, whichever path made the binding (admission-time binding
// in the launcher, or kube-scheduler's bind verb through the extender): a Normal "Bound" event on the
// pod and the pod's time from creation to binding. One place, so the two paths cannot drift apart.
import type { EventRecorder, EventTarget } from "../kube/events.js";
import type { ProvisioningMetrics } from "../metrics/provisioning.js";

export interface PodBinding {
  readonly pod: EventTarget;
  readonly nodeName: string;
  /** How the binding came about, completing "Bound to <node> …" (e.g. "through rafter's extender"). */
  readonly origin: string;
  /** Clock time (ms) of the binding. */
  readonly boundAt: number;
  /** The pod's creation time (ms), when known. */
  readonly podCreatedAt: number | undefined;
}

export interface PodBoundDeps {
  readonly events: EventRecorder;
  readonly metrics: Pick<ProvisioningMetrics, "podPendingToBound">;
}

export function reportPodBound(deps: PodBoundDeps, binding: PodBinding): void {
  if (binding.podCreatedAt !== undefined)
    deps.metrics.podPendingToBound.observe((binding.boundAt - binding.podCreatedAt) / 1000);
  deps.events.record(binding.pod, "Normal", "Bound", `Bound to ${binding.nodeName} ${binding.origin}`);
}
