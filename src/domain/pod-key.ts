// The one key of a pod (or any namespaced object) in maps, sets and VirtualNode pod references:
// "namespace/name". Objects from the API server always carry their namespace; objects without one
// are those read from files (`rafter plan -f`), which the API server would put in "default" — so
// that is what an absent namespace means here, everywhere, and a key made from an object always
// matches the key made from a reference to it (VirtualNode.spec.pods records the same default).
import type { V1ObjectMeta } from "@kubernetes/client-node";

/** The namespace the API server gives a namespaced object created without one. */
const defaultNamespace = "default";

export function namespacedName(namespace: string | undefined, name: string | undefined): string {
  // An empty namespace is absent too (metadata.namespace: "" is how some tools write "unset").
  const effective = namespace === undefined || namespace === "" ? defaultNamespace : namespace;
  return `${effective}/${name ?? ""}`;
}

export function podKey(pod: { readonly metadata?: Pick<V1ObjectMeta, "namespace" | "name"> }): string {
  return namespacedName(pod.metadata?.namespace, pod.metadata?.name);
}
