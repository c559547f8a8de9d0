// How the lifecycle controller classifies the pods on a node: which ones drain, in what order,
// which ones block voluntary disruption, and which ones it leaves alone (static and mirror pods are
// the kubelet's, terminal pods hold nothing).
import type { V1Pod } from "@kubernetes/client-node";

const doNotDisruptAnnotation = "rafter.dev/do-not-disrupt";
const mirrorAnnotation = "kubernetes.io/config.mirror";
const criticalPriorityClasses = new Set(["system-cluster-critical", "system-node-critical"]);
/** Pods at or above this priority are critical (the system-* classes are 2e9 and above). */
const criticalPriority = 2_000_000_000;

function isTerminal(pod: V1Pod): boolean {
  return pod.status?.phase === "Succeeded" || pod.status?.phase === "Failed";
}

function isDaemonSetPod(pod: V1Pod): boolean {
  return pod.metadata?.ownerReferences?.some((o) => o.kind === "DaemonSet" && o.controller === true) ?? false;
}

/** Static pods (and the mirror pods that show them in the API) belong to the kubelet. */
function isStaticPod(pod: V1Pod): boolean {
  if (pod.metadata?.annotations?.[mirrorAnnotation] !== undefined) return true;
  return pod.metadata?.ownerReferences?.some((o) => o.kind === "Node") ?? false;
}

function isCritical(pod: V1Pod): boolean {
  const className = pod.spec?.priorityClassName;
  if (className && criticalPriorityClasses.has(className)) return true;
  return (pod.spec?.priority ?? 0) >= criticalPriority;
}

export function hasDoNotDisrupt(object: { metadata?: { annotations?: Record<string, string> } }): boolean {
  return object.metadata?.annotations?.[doNotDisruptAnnotation] === "true";
}

/** Pods the drain must remove: not terminal, not static/mirror. */
export function isDrainable(pod: V1Pod): boolean {
  return !isTerminal(pod) && !isStaticPod(pod);
}

/** Pods that make a node "not empty": what emptiness and consolidation must move. */
export function isReschedulable(pod: V1Pod): boolean {
  return isDrainable(pod) && !isDaemonSetPod(pod) && !pod.metadata?.deletionTimestamp;
}

/**
 * Drain waves, in order: non-critical workloads, critical workloads, non-critical DaemonSet pods,
 * critical DaemonSet pods. A wave starts only when the previous one is gone, so that critical
 * services (DNS, CNI agents) outlive what depends on them.
 */
export function drainWave(pod: V1Pod): number {
  return (isDaemonSetPod(pod) ? 2 : 0) + (isCritical(pod) ? 1 : 0);
}

/** Pods on a node, indexed once per call site. */
export function podsByNode(pods: readonly V1Pod[]): Map<string, V1Pod[]> {
  const out = new Map<string, V1Pod[]>();
  for (const pod of pods) {
    const nodeName = pod.spec?.nodeName;
    if (!nodeName) continue;
    let list = out.get(nodeName);
    if (!list) out.set(nodeName, (list = []));
    list.push(pod);
  }
  return out;
}
