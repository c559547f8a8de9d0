// Every informer rafter runs, in one place: pods, nodes, VirtualNodes, NodePools, EC2NodeClasses,
// DaemonSets, PVCs, PVs, StorageClasses, namespaces, PDBs and VolumeAttachments. Controllers read these caches and
// subscribe to changes; nothing else lists the API server in a loop.
import type {
  KubernetesListObject,
  KubernetesObject,
  V1DaemonSet,
  V1Namespace,
  V1Node,
  V1PersistentVolume,
  V1PersistentVolumeClaim,
  V1Pod,
  V1PodDisruptionBudget,
  V1VolumeAttachment,
  V1StorageClass,
} from "@kubernetes/client-node";
import { apiGroup } from "../api/common.js";
import type { EC2NodeClass } from "../api/ec2nodeclass.js";
import type { NodePool } from "../api/nodepool.js";
import type { VirtualNode } from "../api/virtualnode.js";
import type { Logger } from "../logging.js";
import type { KubeClients } from "./clients.js";
import { ResilientInformer } from "./informer.js";

type Custom<T> = T & KubernetesObject;

function customList<T>(clients: KubeClients, plural: string): () => Promise<KubernetesListObject<Custom<T>>> {
  return async () =>
    (await clients.custom.listClusterCustomObject({
      group: apiGroup,
      version: "v1",
      plural,
    })) as KubernetesListObject<Custom<T>>;
}

export class ClusterCache {
  readonly pods: ResilientInformer<V1Pod>;
  readonly nodes: ResilientInformer<V1Node>;
  readonly virtualNodes: ResilientInformer<Custom<VirtualNode>>;
  readonly nodePools: ResilientInformer<Custom<NodePool>>;
  readonly nodeClasses: ResilientInformer<Custom<EC2NodeClass>>;
  readonly daemonSets: ResilientInformer<V1DaemonSet>;
  readonly persistentVolumeClaims: ResilientInformer<V1PersistentVolumeClaim>;
  readonly persistentVolumes: ResilientInformer<V1PersistentVolume>;
  readonly storageClasses: ResilientInformer<V1StorageClass>;
  readonly namespaces: ResilientInformer<V1Namespace>;
  readonly podDisruptionBudgets: ResilientInformer<V1PodDisruptionBudget>;
  readonly volumeAttachments: ResilientInformer<V1VolumeAttachment>;
  private readonly all: ResilientInformer<KubernetesObject>[];

  constructor(clients: KubeClients, logger: Logger) {
    const make = <T extends KubernetesObject>(
      name: string,
      path: string,
      list: () => Promise<KubernetesListObject<T>>,
    ) => new ResilientInformer<T>({ name, kubeConfig: clients.kubeConfig, path, list, logger });
    this.pods = make("pods", "/api/v1/pods", () => clients.core.listPodForAllNamespaces());
    this.nodes = make("nodes", "/api/v1/nodes", () => clients.core.listNode());
    this.virtualNodes = make(
      "virtualnodes",
      `/apis/${apiGroup}/v1/virtualnodes`,
      customList<VirtualNode>(clients, "virtualnodes"),
    );
    this.nodePools = make(
      "nodepools",
      `/apis/${apiGroup}/v1/nodepools`,
      customList<NodePool>(clients, "nodepools"),
    );
    this.nodeClasses = make(
      "ec2nodeclasses",
      `/apis/${apiGroup}/v1/ec2nodeclasses`,
      customList<EC2NodeClass>(clients, "ec2nodeclasses"),
    );
    this.daemonSets = make("daemonsets", "/apis/apps/v1/daemonsets", () =>
      clients.apps.listDaemonSetForAllNamespaces(),
    );
    this.persistentVolumeClaims = make("persistentvolumeclaims", "/api/v1/persistentvolumeclaims", () =>
      clients.core.listPersistentVolumeClaimForAllNamespaces(),
    );
    this.persistentVolumes = make("persistentvolumes", "/api/v1/persistentvolumes", () =>
      clients.core.listPersistentVolume(),
    );
    this.storageClasses = make("storageclasses", "/apis/storage.k8s.io/v1/storageclasses", () =>
      clients.storage.listStorageClass(),
    );
    this.namespaces = make("namespaces", "/api/v1/namespaces", () => clients.core.listNamespace());
    this.podDisruptionBudgets = make("poddisruptionbudgets", "/apis/policy/v1/poddisruptionbudgets", () =>
      clients.policy.listPodDisruptionBudgetForAllNamespaces(),
    );
    this.volumeAttachments = make("volumeattachments", "/apis/storage.k8s.io/v1/volumeattachments", () =>
      clients.storage.listVolumeAttachment(),
    );
    this.all = [
      this.pods,
      this.nodes,
      this.virtualNodes,
      this.nodePools,
      this.nodeClasses,
      this.daemonSets,
      this.persistentVolumeClaims,
      this.persistentVolumes,
      this.storageClasses,
      this.namespaces,
      this.podDisruptionBudgets,
      this.volumeAttachments,
    ];
  }

  /** Starts every informer; resolves once all of them have delivered their first list. */
  async start(): Promise<void> {
    for (const informer of this.all) void informer.start();
    await Promise.all(this.all.map((informer) => informer.synced));
  }

  async stop(): Promise<void> {
    await Promise.all(this.all.map((informer) => informer.stop()));
  }
}
