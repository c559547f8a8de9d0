// Which pods rafter may bind itself. Binding through the API skips kube-scheduler's VolumeBinding
// step, which is what provisions a WaitForFirstConsumer volume (it records the selected node on the
// claim) and binds pre-provisioned PVs: a pod whose claims are not all Bound yet is left to
// kube-scheduler, which the extender steers to the reserved node.
import type { V1PersistentVolumeClaim, V1Pod } from "@kubernetes/client-node";

export function needsVolumeBinding(pod: V1Pod, claims: readonly V1PersistentVolumeClaim[]): boolean {
  const namespace = pod.metadata?.namespace ?? "default";
  for (const volume of pod.spec?.volumes ?? []) {
    // A generic ephemeral volume's claim is created for the pod and bound when it is scheduled.
    if (volume.ephemeral) return true;
    const claimName = volume.persistentVolumeClaim?.claimName;
    if (claimName === undefined) continue;
    const claim = claims.find((c) => c.metadata?.namespace === namespace && c.metadata.name === claimName);
    if (claim?.status?.phase !== "Bound") return true;
  }
  return false;
}
