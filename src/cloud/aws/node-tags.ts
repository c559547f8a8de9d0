// The tags on what rafter creates in EC2 for a node: the node class's own tags first (rafter's win
// over them), then the Kubernetes cluster tags and rafter's ownership tags, by which rafter finds
// its instances again (after a crash, by the VirtualNode UID) and lists them per cluster.
import type { Tag } from "@aws-sdk/client-ec2";
import type { EC2NodeClass } from "../../api/ec2nodeclass.js";
import type { NodePool } from "../../api/nodepool.js";
import type { VirtualNode } from "../../api/virtualnode.js";
import { kubernetesClusterTags, tagKeys } from "../provider.js";

function nodeClassTagValues(clusterName: string, nodeClass: EC2NodeClass): Record<string, string> {
  return {
    ...nodeClass.spec.tags,
    ...kubernetesClusterTags(clusterName),
    [tagKeys.cluster]: clusterName,
    [tagKeys.nodeClass]: nodeClass.metadata.name ?? "",
  };
}

const asTags = (tags: Record<string, string>): Tag[] =>
  Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));

/**
 * Tags common to every launch of a node class: those of the network interfaces, which the launch
 * template tags because instant fleets do not take "network-interface" TagSpecifications (a launch
 * template is shared, so the per-VirtualNode tags stay off it).
 */
export function nodeClassTags(clusterName: string, nodeClass: EC2NodeClass): Tag[] {
  return asTags(nodeClassTagValues(clusterName, nodeClass));
}

/** The tags of what one launch creates (instance, volumes, fleet): the node class's, and the node's own. */
export function launchTags(
  clusterName: string,
  virtualNode: VirtualNode,
  nodePool: NodePool,
  nodeClass: EC2NodeClass,
): Tag[] {
  return asTags({
    ...nodeClassTagValues(clusterName, nodeClass),
    [tagKeys.nodePool]: nodePool.metadata.name ?? "",
    [tagKeys.virtualNode]: virtualNode.metadata.name ?? "",
    [tagKeys.virtualNodeUid]: virtualNode.metadata.uid ?? virtualNode.metadata.name ?? "",
    [tagKeys.name]: `${clusterName}/${virtualNode.metadata.name ?? ""}`,
  });
}
