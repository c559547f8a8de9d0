// Before an instance is terminated, the volumes its pods used should be detached: otherwise the
// cloud still holds an EBS volume on a dying instance and the StatefulSet pod that moved elsewhere
// waits minutes for the attach/detach controller's force-detach. Once the pods are gone,
// kube-controller-manager detaches their volumes and deletes the VolumeAttachments; termination waits
// for that (bounded by the NodePool's terminationGracePeriod). Attachments of volumes that pods still
// on the node use (pods the drain leaves: they tolerate the disruption taint) would never go; they are
// not waited for.
import type { V1PersistentVolume, V1Pod, V1VolumeAttachment } from "@kubernetes/client-node";

/** The node's VolumeAttachments termination should wait for. */
export function pendingDetachments(
  nodeName: string,
  attachments: readonly V1VolumeAttachment[],
  volumes: readonly V1PersistentVolume[],
  podsLeft: readonly V1Pod[],
): V1VolumeAttachment[] {
  const claimsInUse = new Set(
    podsLeft.flatMap((pod) =>
      (pod.spec?.volumes ?? []).flatMap((v) =>
        v.persistentVolumeClaim
          ? [`${pod.metadata?.namespace ?? ""}/${v.persistentVolumeClaim.claimName}`]
          : [],
      ),
    ),
  );
  const claimOf = new Map(
    volumes.map((pv) => [
      pv.metadata?.name ?? "",
      pv.spec?.claimRef ? `${pv.spec.claimRef.namespace ?? ""}/${pv.spec.claimRef.name ?? ""}` : undefined,
    ]),
  );
  return attachments.filter((attachment) => {
    if (attachment.spec.nodeName !== nodeName) return false;
    const volume = attachment.spec.source.persistentVolumeName;
    const claim = volume === undefined ? undefined : claimOf.get(volume);
    return claim === undefined || !claimsInUse.has(claim);
  });
}
