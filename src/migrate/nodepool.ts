// A Karpenter v1 NodePool (karpenter.sh/v1) as a rafter NodePool: same template, requirements with
// their keys mapped, limits, weight, expiry and disruption policy. The two APIs were shaped alike on
// purpose, so most fields carry one to one; what does not is reported by path.
import { apiVersion } from "../api/common.js";
import { karpenterOwnedNodeLabels } from "../api/karpenter-labels.js";
import type { NodePool } from "../api/nodepool.js";
import { asRecord, asString, asStringMap, FieldReader } from "./fields.js";
import type { FindingSink } from "./findings.js";
import { convertRequirements } from "./requirements.js";

export type ConvertedNodePool =
  | { readonly ok: true; readonly nodePool: NodePool; readonly nodeClassName: string }
  | { readonly ok: false; readonly reason: string };

/** Keys of the template's metadata a rafter node may not carry (Karpenter's own markers). */
function templateLabels(
  labels: Record<string, string> | undefined,
  sink: FindingSink,
): Record<string, string> | undefined {
  if (!labels) return undefined;
  const kept: Record<string, string> = {};
  for (const [key, value] of Object.entries(labels)) {
    if (karpenterOwnedNodeLabels.includes(key) || key === "rafter.dev/nodepool")
      sink.notCarried(
        `spec.template.metadata.labels.${key}`,
        "Karpenter and rafter each set their own node-ownership labels",
      );
    else kept[key] = value;
  }
  return kept;
}

function copy(reader: FieldReader, path: string, into: Record<string, unknown>, name: string): void {
  const value = reader.take(path);
  if (value !== undefined) into[name] = value;
}

export function convertNodePool(object: unknown, sink: FindingSink): ConvertedNodePool {
  const reader = new FieldReader(object);
  reader.take("apiVersion");
  reader.take("kind");
  reader.take("status"); // observed state; rafter computes its own
  const name = asString(reader.take("metadata.name")) ?? "";
  const metadata: Record<string, unknown> = { name };
  copy(reader, "metadata.labels", metadata, "labels");
  copy(reader, "metadata.annotations", metadata, "annotations");
  // Server-set metadata (uid, resourceVersion, managedFields, …) belongs to the old object.
  reader.take("metadata");

  const nodeClassRef = asRecord(reader.take("spec.template.spec.nodeClassRef")) ?? {};
  if (nodeClassRef.group !== "karpenter.k8s.aws" || nodeClassRef.kind !== "EC2NodeClass")
    return {
      ok: false,
      reason: `nodeClassRef has group ${JSON.stringify(nodeClassRef.group)} and kind ${JSON.stringify(nodeClassRef.kind)}; expected group karpenter.k8s.aws, kind EC2NodeClass`,
    };
  const nodeClassName = asString(nodeClassRef.name) ?? "";

  const requirements = convertRequirements(
    reader.take("spec.template.spec.requirements"),
    "spec.template.spec.requirements",
    sink,
  );
  if (requirements.unlaunchable !== undefined) return { ok: false, reason: requirements.unlaunchable };

  const templateSpec: Record<string, unknown> = {
    requirements: requirements.requirements,
    nodeClassRef: { group: "rafter.dev", kind: "EC2NodeClass", name: nodeClassName },
  };
  copy(reader, "spec.template.spec.taints", templateSpec, "taints");
  copy(reader, "spec.template.spec.startupTaints", templateSpec, "startupTaints");
  copy(reader, "spec.template.spec.expireAfter", templateSpec, "expireAfter");
  copy(reader, "spec.template.spec.terminationGracePeriod", templateSpec, "terminationGracePeriod");

  const templateMetadata: Record<string, unknown> = {};
  const labels = templateLabels(asStringMap(reader.take("spec.template.metadata.labels")), sink);
  if (labels && Object.keys(labels).length > 0) templateMetadata.labels = labels;
  copy(reader, "spec.template.metadata.annotations", templateMetadata, "annotations");

  const spec: Record<string, unknown> = {
    template: {
      ...(Object.keys(templateMetadata).length > 0 ? { metadata: templateMetadata } : {}),
      spec: templateSpec,
    },
  };
  const disruption: Record<string, unknown> = {};
  copy(reader, "spec.disruption.consolidationPolicy", disruption, "consolidationPolicy");
  copy(reader, "spec.disruption.consolidateAfter", disruption, "consolidateAfter");
  copy(reader, "spec.disruption.budgets", disruption, "budgets");
  if (Object.keys(disruption).length > 0) spec.disruption = disruption;
  copy(reader, "spec.limits", spec, "limits");
  copy(reader, "spec.weight", spec, "weight");

  if (reader.take("spec.replicas") !== undefined)
    sink.notCarried(
      "spec.replicas",
      "rafter launches for pending pods only; a fixed node count (static capacity) has no equivalent",
    );
  for (const path of reader.unread("spec")) sink.notCarried(path, "rafter's NodePool has no such field");

  return {
    ok: true,
    nodeClassName,
    nodePool: { apiVersion, kind: "NodePool", metadata, spec } as unknown as NodePool,
  };
}
