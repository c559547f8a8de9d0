// What a node's user data is made of, whatever the image family: the cluster's facts, the kubelet
// settings (the same object the catalogue's allocatable comes from), the labels and taints the
// NodePool gives its nodes, and the EC2NodeClass's own user data to merge with.
import type { Taint } from "../../api/common.js";
import type { EC2NodeClass } from "../../api/ec2nodeclass.js";
import type { NodePool } from "../../api/nodepool.js";
import { kubeletSettingsOf, type KubeletSettings } from "../../catalog/kubelet-settings.js";
import { labelKeys } from "../../api/labels.js";
import type { InstanceType } from "../../catalog/types.js";
import type { ClusterBootstrap } from "../cluster-bootstrap.js";

export interface NodeUserDataInput {
  readonly bootstrap: ClusterBootstrap;
  readonly kubelet: KubeletSettings;
  /** Every label the Node should carry; the renderers pass the kubelet only those it may set. */
  readonly labels: Readonly<Record<string, string>>;
  /** Taints and startup taints, registered with the Node. */
  readonly taints: readonly Taint[];
  /** The EC2NodeClass's userData, merged as its family expects. */
  readonly custom?: string | undefined;
}

/** The user data input of a node of `instanceType` launched for `nodePool` with `nodeClass`. */
export function nodeUserDataInput(
  bootstrap: ClusterBootstrap,
  nodeClass: EC2NodeClass,
  nodePool: NodePool,
  instanceType: Pick<InstanceType, "capacity">,
): NodeUserDataInput {
  const template = nodePool.spec.template;
  return {
    bootstrap,
    kubelet: kubeletSettingsOf(nodeClass.spec.kubelet, instanceType.capacity),
    labels: { ...template.metadata?.labels, [labelKeys.nodePool]: nodePool.metadata.name ?? "" },
    taints: [...(template.spec.taints ?? []), ...(template.spec.startupTaints ?? [])],
    custom: nodeClass.spec.userData,
  };
}
