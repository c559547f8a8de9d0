// Connects the informers to the in-memory scheduling state (what the extender reads) and to the
// provisioner's triggers. Kept apart from the controllers so each of them stays testable with plain
// method calls.
import type { V1Node, V1Pod } from "@kubernetes/client-node";
import type { VirtualNode } from "../api/virtualnode.js";
import type { ClusterCache } from "../kube/cluster-cache.js";
import type { SchedulingState } from "../state/scheduling-state.js";
import type { Provisioner } from "./provisioner.js";

export interface WiringTargets {
  readonly scheduling: SchedulingState;
  /** Set once this replica leads; before that only the scheduling state is fed. */
  readonly provisioner: () => Provisioner | undefined;
  readonly onVirtualNode?: (virtualNode: VirtualNode) => void;
  readonly onNode?: (node: V1Node) => void;
  /** A pod was added, changed or deleted. */
  readonly onPod?: (pod: V1Pod) => void;
  /** A NodePool or EC2NodeClass was added, changed or deleted. */
  readonly onPoolChange?: () => void;
}

export function wireInformers(cache: ClusterCache, targets: WiringTargets): void {
  const { state, ledger } = targets.scheduling;
  cache.pods.addHandlers({
    onUpsert: (pod: V1Pod) => {
      state.upsertPod(pod);
      targets.provisioner()?.podChanged(pod);
      targets.onPod?.(pod);
    },
    onDelete: (pod: V1Pod) => {
      state.deletePod(pod.metadata?.uid ?? "");
      targets.onPod?.(pod);
    },
  });
  cache.nodes.addHandlers({
    onUpsert: (node) => {
      state.upsertNode(node);
      targets.onNode?.(node);
    },
    onDelete: (node) => {
      state.deleteNode(node.metadata?.name ?? "");
      targets.provisioner()?.capacityChanged();
    },
  });
  cache.virtualNodes.addHandlers({
    onUpsert: (virtualNode) => {
      state.upsertVirtualNode(virtualNode);
      if (virtualNode.status?.phase === "Failed") releaseVirtualNode(virtualNode);
      targets.onVirtualNode?.(virtualNode);
    },
    onDelete: (virtualNode) => {
      state.deleteVirtualNode(virtualNode.metadata.name ?? "");
      releaseVirtualNode(virtualNode);
      targets.provisioner()?.capacityChanged();
    },
  });
  const capacityChanged = () => {
    targets.provisioner()?.capacityChanged();
    targets.onPoolChange?.();
  };
  cache.nodePools.addHandlers({ onUpsert: capacityChanged, onDelete: capacityChanged });
  cache.nodeClasses.addHandlers({ onUpsert: capacityChanged, onDelete: capacityChanged });

  function releaseVirtualNode(virtualNode: VirtualNode): void {
    ledger.releaseNode(virtualNode.metadata.name ?? "");
    if (virtualNode.status?.nodeName && virtualNode.status.phase === "Failed")
      ledger.releaseNode(virtualNode.status.nodeName);
  }
}
