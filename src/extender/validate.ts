// Hand-written shape checks for the extender's request bodies: a few typeof tests per field, cheap
// enough for the filter hot path (500 names), and precise messages for the 400 replies. Unknown fields
// are ignored, as Go's encoding/json does.
import type { V1Pod } from "@kubernetes/client-node";
import type {
  ExtenderArgs,
  ExtenderBindingArgs,
  ExtenderPreemptionArgs,
  MetaVictims,
  Victims,
  WireNodeList,
} from "./wire.js";
import { fail as failed, type Result } from "../domain/result.js";

/** A checked body, or the message of the 400 reply. */
export type Checked<T> = Result<T, string>;

type Json = Record<string, unknown>;

export function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function fail<T>(message: string): Checked<T> {
  return failed(message);
}

/** A pod as kube-scheduler sends it: metadata with a UID and a name, and a spec. */
export function checkPod(value: unknown, field: string): Checked<V1Pod> {
  if (!isObject(value)) return fail(`${field} must be a Pod object`);
  const metadata = value.metadata;
  if (!isObject(metadata)) return fail(`${field}.metadata must be an object`);
  if (typeof metadata.uid !== "string" || metadata.uid === "")
    return fail(`${field}.metadata.uid must be a non-empty string`);
  if (typeof metadata.name !== "string") return fail(`${field}.metadata.name must be a string`);
  if (metadata.namespace !== undefined && typeof metadata.namespace !== "string") {
    return fail(`${field}.metadata.namespace must be a string`);
  }
  const spec = value.spec;
  if (spec !== undefined && spec !== null) {
    if (!isObject(spec)) return fail(`${field}.spec must be an object`);
    if (spec.containers !== undefined && !Array.isArray(spec.containers))
      return fail(`${field}.spec.containers must be an array`);
    if (spec.initContainers != null && !Array.isArray(spec.initContainers)) {
      return fail(`${field}.spec.initContainers must be an array`);
    }
  }
  // Past this point the object is used as the Kubernetes type; quantity errors are reported later.
  return { ok: true, value: value as unknown as V1Pod };
}

function checkNodeList(value: unknown): Checked<WireNodeList> {
  if (!isObject(value)) return fail("Nodes must be a NodeList object");
  const items = value.items ?? [];
  if (!Array.isArray(items)) return fail("Nodes.items must be an array");
  for (let i = 0; i < items.length; i++) {
    const item: unknown = items[i];
    if (!isObject(item) || !isObject(item.metadata) || typeof item.metadata.name !== "string") {
      return fail(`Nodes.items[${i}].metadata.name must be a string`);
    }
  }
  return {
    ok: true,
    value: {
      metadata: isObject(value.metadata) ? value.metadata : null,
      items: items as WireNodeList["items"],
    },
  };
}

function checkNames(value: unknown): Checked<string[]> {
  if (!Array.isArray(value)) return fail("NodeNames must be an array of strings");
  for (let i = 0; i < value.length; i++) {
    if (typeof value[i] !== "string") return fail(`NodeNames[${i}] must be a string`);
  }
  return { ok: true, value: value as string[] };
}

/** ExtenderArgs for filter and prioritize: a Pod and either NodeNames or Nodes. */
export function checkExtenderArgs(body: unknown): Checked<ExtenderArgs> {
  if (!isObject(body)) return fail("body must be an ExtenderArgs object");
  const pod = checkPod(body.Pod, "Pod");
  if (!pod.ok) return pod;
  const args: ExtenderArgs = { Pod: pod.value, Nodes: null, NodeNames: null };
  if (body.NodeNames !== undefined && body.NodeNames !== null) {
    const names = checkNames(body.NodeNames);
    if (!names.ok) return names;
    args.NodeNames = names.value;
  } else if (body.Nodes !== undefined && body.Nodes !== null) {
    const nodes = checkNodeList(body.Nodes);
    if (!nodes.ok) return nodes;
    args.Nodes = nodes.value;
  } else {
    return fail("ExtenderArgs needs NodeNames (nodeCacheCapable) or Nodes");
  }
  return { ok: true, value: args };
}

export function checkBindingArgs(body: unknown): Checked<ExtenderBindingArgs> {
  if (!isObject(body)) return fail("body must be an ExtenderBindingArgs object");
  for (const field of ["PodName", "PodNamespace", "PodUID", "Node"] as const) {
    if (typeof body[field] !== "string" || body[field] === "")
      return fail(`${field} must be a non-empty string`);
  }
  return { ok: true, value: body as unknown as ExtenderBindingArgs };
}

function checkMetaVictims(node: string, value: unknown): Checked<MetaVictims> {
  if (!isObject(value)) return fail(`NodeNameToMetaVictims[${node}] must be a MetaVictims object`);
  const pods = value.Pods ?? [];
  if (!Array.isArray(pods)) return fail(`NodeNameToMetaVictims[${node}].Pods must be an array`);
  for (const pod of pods) {
    if (!isObject(pod) || typeof pod.UID !== "string")
      return fail(`NodeNameToMetaVictims[${node}].Pods[].UID must be a string`);
  }
  const violations = value.NumPDBViolations ?? 0;
  if (typeof violations !== "number")
    return fail(`NodeNameToMetaVictims[${node}].NumPDBViolations must be a number`);
  return { ok: true, value: { Pods: pods as MetaVictims["Pods"], NumPDBViolations: violations } };
}

function checkVictims(node: string, value: unknown): Checked<Victims> {
  if (!isObject(value)) return fail(`NodeNameToVictims[${node}] must be a Victims object`);
  const pods = value.Pods ?? [];
  if (!Array.isArray(pods)) return fail(`NodeNameToVictims[${node}].Pods must be an array`);
  for (const pod of pods) {
    const checked = checkPod(pod, `NodeNameToVictims[${node}].Pods[]`);
    if (!checked.ok) return checked;
  }
  const violations = value.NumPDBViolations ?? 0;
  if (typeof violations !== "number")
    return fail(`NodeNameToVictims[${node}].NumPDBViolations must be a number`);
  return { ok: true, value: { Pods: pods as Victims["Pods"], NumPDBViolations: violations } };
}

export function checkPreemptionArgs(body: unknown): Checked<ExtenderPreemptionArgs> {
  if (!isObject(body)) return fail("body must be an ExtenderPreemptionArgs object");
  const pod = checkPod(body.Pod, "Pod");
  if (!pod.ok) return pod;
  const args: ExtenderPreemptionArgs = {
    Pod: pod.value,
    NodeNameToVictims: null,
    NodeNameToMetaVictims: null,
  };
  if (body.NodeNameToMetaVictims != null) {
    if (!isObject(body.NodeNameToMetaVictims)) return fail("NodeNameToMetaVictims must be an object");
    const out: Record<string, MetaVictims> = {};
    for (const [node, value] of Object.entries(body.NodeNameToMetaVictims)) {
      const checked = checkMetaVictims(node, value);
      if (!checked.ok) return checked;
      out[node] = checked.value;
    }
    args.NodeNameToMetaVictims = out;
  }
  if (body.NodeNameToVictims != null) {
    if (!isObject(body.NodeNameToVictims)) return fail("NodeNameToVictims must be an object");
    const out: Record<string, Victims> = {};
    for (const [node, value] of Object.entries(body.NodeNameToVictims)) {
      const checked = checkVictims(node, value);
      if (!checked.ok) return checked;
      out[node] = checked.value;
    }
    args.NodeNameToVictims = out;
  }
  return { ok: true, value: args };
}
