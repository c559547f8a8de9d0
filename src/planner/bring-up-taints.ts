// Taints a node carries only while it comes up, which the planner looks through on a node rafter is
// still bringing up: the NodePool's startupTaints (removed by whatever initializes the node, a CNI
// agent for example) and the ephemeral taints the kubelet and the node lifecycle controller put on a
// node that is not ready yet. Counting them would make a later batch open new nodes for pods that will
// fit the coming node in a minute; kube-scheduler binds nothing there until they are gone anyway, and
// rafter's own admission-time bindings target nodes it planned. Karpenter's simulation does the same.
// A node counts as coming up until rafter labels it initialized (rafter.dev/initialized=true); nodes rafter does not manage keep
// every taint.
import type { V1Node } from "@kubernetes/client-node";
import type { NodePool } from "../api/nodepool.js";
import type { TaintLike } from "../domain/taints.js";
import { labelKeys } from "../api/labels.js";

export const ephemeralTaintKeys: ReadonlySet<string> = new Set([
  "node.kubernetes.io/not-ready",
  "node.kubernetes.io/unreachable",
  "node.cloudprovider.kubernetes.io/uninitialized",
]);

/** The taints the planner should hold against the node. */
export function effectiveTaints(node: V1Node, pools: readonly NodePool[]): TaintLike[] {
  const taints = node.spec?.taints ?? [];
  const labels = node.metadata?.labels ?? {};
  const poolName = labels[labelKeys.nodePool];
  if (poolName === undefined || labels[labelKeys.initialized] === "true") return [...taints];
  const startup = pools.find((p) => p.metadata.name === poolName)?.spec.template.spec.startupTaints ?? [];
  return taints.filter(
    (taint) =>
      !ephemeralTaintKeys.has(taint.key) &&
      !startup.some(
        (s) => s.key === taint.key && s.effect === taint.effect && (s.value ?? "") === (taint.value ?? ""),
      ),
  );
}
