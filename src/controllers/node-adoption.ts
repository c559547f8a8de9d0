// The Node of a launched instance, whoever made it first. rafter normally creates it before the
// kubelet registers; when the kubelet was first (rafter crashed between launch and Node creation, or
// the instance booted fast), its Node lacks rafter's labels, annotation and finalizer, and they are
// patched in. The kubelet may also register under another name than predicted (a custom hostname, a
// resource-name hostname): the instance's Node is then found by providerID.
import type { V1Node } from "@kubernetes/client-node";
import type { NodeAdoptionPatch, NodeWriter } from "../kube/nodes.js";
import { terminationFinalizer } from "../kube/virtual-nodes.js";
import { virtualNodeAnnotation } from "./node-object.js";

/** A Node of this instance, by providerID (whatever its name). */
export function nodeByProviderId(nodes: readonly V1Node[], providerId: string): V1Node | undefined {
  return nodes.find((node) => node.spec?.providerID === providerId);
}

/**
 * What a Node the kubelet registered lacks of the Node rafter would have made: labels it does not
 * carry (the kubelet's own values win: it knows its machine), rafter's annotation, the finalizer.
 * Undefined when nothing is missing.
 */
export function adoptionPatch(existing: V1Node, desired: V1Node): NodeAdoptionPatch | undefined {
  const have = existing.metadata?.labels ?? {};
  const labels = Object.fromEntries(
    Object.entries(desired.metadata?.labels ?? {}).filter(([key]) => have[key] === undefined),
  );
  const annotationValue = desired.metadata?.annotations?.[virtualNodeAnnotation];
  const annotations: Record<string, string> =
    annotationValue !== undefined &&
    existing.metadata?.annotations?.[virtualNodeAnnotation] !== annotationValue
      ? { [virtualNodeAnnotation]: annotationValue }
      : {};
  const finalizers = existing.metadata?.finalizers ?? [];
  const addFinalizer = !finalizers.includes(terminationFinalizer);
  if (Object.keys(labels).length === 0 && Object.keys(annotations).length === 0 && !addFinalizer)
    return undefined;
  return {
    ...(existing.metadata?.resourceVersion ? { resourceVersion: existing.metadata.resourceVersion } : {}),
    ...(Object.keys(labels).length > 0 ? { labels } : {}),
    ...(Object.keys(annotations).length > 0 ? { annotations } : {}),
    ...(addFinalizer ? { finalizers: [...finalizers, terminationFinalizer] } : {}),
  };
}

export type EnsuredNode =
  | { readonly kind: "created" | "adopted" | "unchanged"; readonly nodeName: string }
  | { readonly kind: "failed"; readonly message: string };

/**
 * Makes sure the instance's Node exists and is rafter's: `known` is the informer's view (a Node found
 * there by providerID is used under its own name), `desired` what rafter would create.
 */
export async function ensureInstanceNode(
  writer: NodeWriter,
  known: readonly V1Node[],
  desired: V1Node,
): Promise<EnsuredNode> {
  let existing = nodeByProviderId(known, desired.spec?.providerID ?? "");
  if (!existing) {
    const created = await writer.create(desired);
    if (created.ok) return { kind: "created", nodeName: desired.metadata?.name ?? "" };
    if (created.error.kind !== "already-exists") return { kind: "failed", message: created.error.message };
    const read = await writer.get(desired.metadata?.name ?? "");
    if (!read.ok) return { kind: "failed", message: read.error.message };
    existing = read.value;
    const other = existing.spec?.providerID;
    // Same name, another instance (a reused private IP whose old Node is still being removed).
    if (other && other !== desired.spec?.providerID)
      return { kind: "failed", message: `Node ${desired.metadata?.name ?? ""} belongs to ${other}` };
  }
  const nodeName = existing.metadata?.name ?? "";
  const patch = adoptionPatch(existing, desired);
  if (!patch) return { kind: "unchanged", nodeName };
  const adopted = await writer.adopt(nodeName, patch);
  // A conflict means the Node changed under us (the kubelet's status): the launch step is retried.
  if (!adopted.ok) return { kind: "failed", message: adopted.error.message };
  return { kind: "adopted", nodeName };
}
