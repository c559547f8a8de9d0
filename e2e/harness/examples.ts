// The shipped examples (manifests/examples) as objects, adapted for the local cluster: NodePools get
// the kwok annotation in their node template so that kwok plays the kubelet of every Node rafter
// creates for them (rafter copies template annotations onto its Nodes).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseAllDocuments } from "yaml";
import { KWOK_NODE_ANNOTATION } from "../cluster/kwok.js";
import type { KubeObject } from "../cluster/kubectl.js";

export function loadExample(repoRoot: string, file: string): KubeObject[] {
  const text = readFileSync(join(repoRoot, "manifests", "examples", file), "utf8");
  return parseAllDocuments(text)
    .map((doc) => doc.toJS() as KubeObject | null)
    .filter((o): o is KubeObject => o !== null);
}

interface NodePoolShape {
  spec?: { template?: { metadata?: { annotations?: Record<string, string> } } };
}

/** Adds kwok.x-k8s.io/node=fake to a NodePool's node template (other kinds pass unchanged). */
export function kwokManaged(object: KubeObject): KubeObject {
  if (object.kind !== "NodePool") return object;
  const copy = structuredClone(object) as KubeObject & NodePoolShape;
  copy.spec ??= {};
  copy.spec.template ??= {};
  copy.spec.template.metadata ??= {};
  copy.spec.template.metadata.annotations = {
    ...copy.spec.template.metadata.annotations,
    [KWOK_NODE_ANNOTATION.key]: KWOK_NODE_ANNOTATION.value,
  };
  return copy;
}
