// Which pods the provisioner plans for: pods kube-scheduler gave up on (PodScheduled=False,
// Unschedulable) that are not bound, not owned by a DaemonSet (those follow their nodes), not being
// deleted and not waiting for preemption victims to leave a nominated node.
import type { V1Pod } from "@kubernetes/client-node";

export function isProvisionable(pod: V1Pod): boolean {
  if (pod.spec?.nodeName) return false;
  if (pod.metadata?.deletionTimestamp) return false;
  if (pod.status?.nominatedNodeName) return false;
  if (pod.status?.phase === "Succeeded" || pod.status?.phase === "Failed") return false;
  if (pod.metadata?.ownerReferences?.some((owner) => owner.kind === "DaemonSet" && owner.controller === true))
    return false;
  return (
    pod.status?.conditions?.some(
      (condition) =>
        condition.type === "PodScheduled" &&
        condition.status === "False" &&
        condition.reason === "Unschedulable",
    ) ?? false
  );
}
