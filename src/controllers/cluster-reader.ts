// The read side controllers need: the informers' current objects. ClusterCache provides it in
// production; tests pass plain arrays.
import type {
  V1DaemonSet,
  V1Namespace,
  V1Node,
  V1PersistentVolume,
  V1PersistentVolumeClaim,
  V1Pod,
  V1PodDisruptionBudget,
  V1StorageClass,
  V1VolumeAttachment,
} from "@kubernetes/client-node";
import type { EC2NodeClass } from "../api/ec2nodeclass.js";
import type { NodePool } from "../api/nodepool.js";
import type { VirtualNode } from "../api/virtualnode.js";
import type { ClusterCache } from "../kube/cluster-cache.js";

export interface ClusterReader {
  pods(): readonly V1Pod[];
  nodes(): readonly V1Node[];
  virtualNodes(): readonly VirtualNode[];
  nodePools(): readonly NodePool[];
  nodeClasses(): readonly EC2NodeClass[];
  daemonSets(): readonly V1DaemonSet[];
  persistentVolumeClaims(): readonly V1PersistentVolumeClaim[];
  persistentVolumes(): readonly V1PersistentVolume[];
  storageClasses(): readonly V1StorageClass[];
  namespaces(): readonly V1Namespace[];
  podDisruptionBudgets(): readonly V1PodDisruptionBudget[];
  volumeAttachments(): readonly V1VolumeAttachment[];
}

export function readerFor(cache: ClusterCache): ClusterReader {
  return {
    pods: () => cache.pods.list(),
    nodes: () => cache.nodes.list(),
    virtualNodes: () => cache.virtualNodes.list(),
    nodePools: () => cache.nodePools.list(),
    nodeClasses: () => cache.nodeClasses.list(),
    daemonSets: () => cache.daemonSets.list(),
    persistentVolumeClaims: () => cache.persistentVolumeClaims.list(),
    persistentVolumes: () => cache.persistentVolumes.list(),
    storageClasses: () => cache.storageClasses.list(),
    namespaces: () => cache.namespaces.list(),
    podDisruptionBudgets: () => cache.podDisruptionBudgets.list(),
    volumeAttachments: () => cache.volumeAttachments.list(),
  };
}

/** A reader over fixed lists, for tests and offline tools. */
export function staticReader(
  objects: Partial<{ [K in keyof ClusterReader]: ReturnType<ClusterReader[K]> }>,
): ClusterReader {
  return {
    pods: () => objects.pods ?? [],
    nodes: () => objects.nodes ?? [],
    virtualNodes: () => objects.virtualNodes ?? [],
    nodePools: () => objects.nodePools ?? [],
    nodeClasses: () => objects.nodeClasses ?? [],
    daemonSets: () => objects.daemonSets ?? [],
    persistentVolumeClaims: () => objects.persistentVolumeClaims ?? [],
    persistentVolumes: () => objects.persistentVolumes ?? [],
    storageClasses: () => objects.storageClasses ?? [],
    namespaces: () => objects.namespaces ?? [],
    podDisruptionBudgets: () => objects.podDisruptionBudgets ?? [],
    volumeAttachments: () => objects.volumeAttachments ?? [],
  };
}
