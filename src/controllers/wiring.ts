// Connects the informers to the in-memory scheduling state (what the extender reads), from the start
// on every replica, and to the controllers, once this replica leads. Kept apart from the controllers
// so each of them stays testable with plain method calls.
import type { V1Node, V1Pod } from "@kubernetes/client-node";
import type { VirtualNode } from "../api/virtualnode.js";
import type { ClusterCache } from "../kube/cluster-cache.js";
import type { SchedulingState } from "../state/scheduling-state.js";

export interface StateHooks {
  /** A VirtualNode was added or changed, after the state took it in. */
  readonly onVirtualNode?: (virtualNode: VirtualNode) => void;
}

/** Keeps the scheduling state (cluster state and reservation ledger) in step with the informers. */
export function feedSchedulingState(
  cache: ClusterCache,
  scheduling: SchedulingState,
  hooks: StateHooks = {},
): void {
  const { state, ledger } = scheduling;
  cache.pods.addHandlers({
    onUpsert: (pod) => {
      state.upsertPod(pod);
    },
    onDelete: (pod) => {
      state.deletePod(pod.metadata?.uid ?? "");
    },
  });
  cache.nodes.addHandlers({
    onUpsert: (node) => {
      state.upsertNode(node);
    },
    onDelete: (node) => {
      state.deleteNode(node.metadata?.name ?? "");
    },
  });
  cache.virtualNodes.addHandlers({
    onUpsert: (virtualNode) => {
      state.upsertVirtualNode(virtualNode);
      if (virtualNode.status?.phase === "Failed") releaseVirtualNode(virtualNode);
      hooks.onVirtualNode?.(virtualNode);
    },
    onDelete: (virtualNode) => {
      state.deleteVirtualNode(virtualNode.metadata.name ?? "");
      releaseVirtualNode(virtualNode);
    },
  });

  function releaseVirtualNode(virtualNode: VirtualNode): void {
    ledger.releaseNode(virtualNode.metadata.name ?? "");
    if (virtualNode.status?.nodeName && virtualNode.status.phase === "Failed")
      ledger.releaseNode(virtualNode.status.nodeName);
  }
}

/** What the leader's controllers are told; the informers call these after feeding the state. */
export interface ControllerHooks {
  /** A pod was added or changed. */
  readonly podChanged: (pod: V1Pod) => void;
  /** Capacity went away or a NodePool/EC2NodeClass changed: waiting pods may fit now. */
  readonly capacityChanged: () => void;
  /** A pod was added, changed or deleted. */
  readonly onPod: (pod: V1Pod) => void;
  /** A Node was added or changed. */
  readonly onNode: (node: V1Node) => void;
  /** A Node was deleted. */
  readonly onNodeDeleted: (node: V1Node) => void;
  /** A VirtualNode was added or changed. */
  readonly onVirtualNode: (virtualNode: VirtualNode) => void;
  /** A NodePool or EC2NodeClass was added, changed or deleted. */
  readonly onPoolChange: () => void;
}

/**
 * Feeds the controllers from the informers. Called once this replica leads, after
 * feedSchedulingState: handlers run in the order they were added, so the state is current first.
 */
export function wireControllers(cache: ClusterCache, hooks: ControllerHooks): void {
  cache.pods.addHandlers({
    onUpsert: (pod) => {
      hooks.podChanged(pod);
      hooks.onPod(pod);
    },
    onDelete: (pod) => {
      hooks.onPod(pod);
    },
  });
  cache.nodes.addHandlers({
    onUpsert: (node) => {
      hooks.onNode(node);
    },
    onDelete: (node) => {
      hooks.capacityChanged();
      hooks.onNodeDeleted(node);
    },
  });
  cache.virtualNodes.addHandlers({
    onUpsert: (virtualNode) => {
      hooks.onVirtualNode(virtualNode);
    },
    onDelete: () => {
      hooks.capacityChanged();
    },
  });
  const poolChanged = () => {
    hooks.capacityChanged();
    hooks.onPoolChange();
  };
  cache.nodePools.addHandlers({ onUpsert: poolChanged, onDelete: poolChanged });
  cache.nodeClasses.addHandlers({ onUpsert: poolChanged, onDelete: poolChanged });
}
