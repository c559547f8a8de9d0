// The unit the lifecycle controller works on: a VirtualNode and the Node of its instance, linked by
// the Node's rafter.dev/virtualnode annotation (or the VirtualNode's status.nodeName). A Node rafter
// created whose VirtualNode is gone is still managed, keyed "node/<name>".
import type { V1Node, V1Pod } from "@kubernetes/client-node";
import type { NodePool } from "../../api/nodepool.js";
import type { VirtualNode } from "../../api/virtualnode.js";
import { terminationFinalizer } from "../../kube/virtual-nodes.js";
import { labelKeys } from "../../api/labels.js";
import type { ClusterReader } from "../cluster-reader.js";
import { virtualNodeAnnotation } from "../node-object.js";

export interface ManagedNode {
  readonly key: string;
  readonly virtualNode?: VirtualNode;
  readonly node?: V1Node;
  readonly nodePool?: NodePool;
}

const nodeKeyPrefix = "node/";

function keyForNodeName(name: string): string {
  return `${nodeKeyPrefix}${name}`;
}

export function isManagedNode(node: V1Node): boolean {
  return (
    node.metadata?.annotations?.[virtualNodeAnnotation] !== undefined ||
    (node.metadata?.finalizers?.includes(terminationFinalizer) ?? false)
  );
}

/** The key of the unit a Node belongs to (its VirtualNode's name when it has one). */
export function keyOfNode(node: V1Node, reader: ClusterReader): string {
  const annotated = node.metadata?.annotations?.[virtualNodeAnnotation];
  if (annotated && reader.virtualNodes().some((vn) => vn.metadata.name === annotated)) return annotated;
  const name = node.metadata?.name ?? "";
  const owner = reader.virtualNodes().find((vn) => vn.status?.nodeName === name);
  return owner?.metadata.name ?? keyForNodeName(name);
}

export function lookup(reader: ClusterReader, key: string): ManagedNode {
  let virtualNode: VirtualNode | undefined;
  let node: V1Node | undefined;
  if (key.startsWith(nodeKeyPrefix)) {
    const name = key.slice(nodeKeyPrefix.length);
    node = reader.nodes().find((n) => n.metadata?.name === name);
  } else {
    virtualNode = reader.virtualNodes().find((vn) => vn.metadata.name === key);
    const nodeName = virtualNode?.status?.nodeName;
    const providerId = virtualNode?.status?.providerID;
    // By name or annotation; else by providerID (a kubelet that registered under another name).
    node =
      reader
        .nodes()
        .find(
          (n) =>
            (nodeName !== undefined && n.metadata?.name === nodeName) ||
            n.metadata?.annotations?.[virtualNodeAnnotation] === key,
        ) ?? (providerId ? reader.nodes().find((n) => n.spec?.providerID === providerId) : undefined);
  }
  const poolName = virtualNode?.spec.nodePool ?? node?.metadata?.labels?.[labelKeys.nodePool];
  const nodePool = reader.nodePools().find((pool) => pool.metadata.name === poolName);
  return {
    key,
    ...(virtualNode ? { virtualNode } : {}),
    ...(node ? { node } : {}),
    ...(nodePool ? { nodePool } : {}),
  };
}

/** Every managed unit: each VirtualNode (with its Node when it has one) and each orphaned managed Node. */
export function allManaged(reader: ClusterReader): ManagedNode[] {
  const pools = new Map(reader.nodePools().map((pool) => [pool.metadata.name ?? "", pool]));
  const nodes = reader.nodes();
  const byName = new Map(nodes.map((n) => [n.metadata?.name ?? "", n]));
  const byAnnotation = new Map<string, V1Node>();
  const byProviderId = new Map<string, V1Node>();
  for (const node of nodes) {
    const annotated = node.metadata?.annotations?.[virtualNodeAnnotation];
    if (annotated) byAnnotation.set(annotated, node);
    if (node.spec?.providerID) byProviderId.set(node.spec.providerID, node);
  }
  const claimed = new Set<string>();
  const out: ManagedNode[] = [];
  for (const virtualNode of reader.virtualNodes()) {
    const name = virtualNode.metadata.name ?? "";
    const nodeName = virtualNode.status?.nodeName;
    const providerId = virtualNode.status?.providerID;
    const node =
      (nodeName !== undefined ? byName.get(nodeName) : undefined) ??
      byAnnotation.get(name) ??
      (providerId !== undefined ? byProviderId.get(providerId) : undefined);
    if (node) claimed.add(node.metadata?.name ?? "");
    const nodePool = pools.get(virtualNode.spec.nodePool);
    out.push({ key: name, virtualNode, ...(node ? { node } : {}), ...(nodePool ? { nodePool } : {}) });
  }
  for (const node of nodes) {
    const name = node.metadata?.name ?? "";
    if (claimed.has(name) || !isManagedNode(node)) continue;
    const nodePool = pools.get(node.metadata?.labels?.[labelKeys.nodePool] ?? "");
    out.push({ key: keyForNodeName(name), node, ...(nodePool ? { nodePool } : {}) });
  }
  return out;
}

export function isDeleting(unit: ManagedNode): boolean {
  return Boolean(unit.virtualNode?.metadata.deletionTimestamp ?? unit.node?.metadata?.deletionTimestamp);
}

export function podsOn(pods: readonly V1Pod[], nodeName: string | undefined): V1Pod[] {
  if (!nodeName) return [];
  return pods.filter((pod) => pod.spec?.nodeName === nodeName);
}
