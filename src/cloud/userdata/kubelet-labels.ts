// Which labels a kubelet may set on its own Node (--node-labels, Bottlerocket's node-labels).
//
// The kubelet refuses to start when --node-labels holds a label in the kubernetes.io or k8s.io
// domains (a namespace equal to or ending in either) that is not in its allowed set — rules of
// k8s.io/kubelet `pkg/apis/well_known_labels.go` (KubeletLabels, KubeletLabelNamespaces,
// IsKubeletLabel) applied by k8s.io/kubernetes `cmd/kubelet/app/options/options.go`
// (ValidateKubeletFlags, isKubernetesLabel). The NodeRestriction admission plugin uses the same set.
// Labels outside it (e.g. node-role.kubernetes.io/… is fine, karpenter.sh/… is fine,
// kubernetes.io/role or foo.k8s.io/x are not) reach the Node through the object rafter creates.

/** k8s.io/kubelet KubeletLabels(): the exact keys a kubelet may set in the restricted domains. */
export const kubeletLabels: ReadonlySet<string> = new Set([
  "kubernetes.io/hostname",
  "topology.kubernetes.io/zone",
  "topology.kubernetes.io/region",
  "failure-domain.beta.kubernetes.io/zone",
  "failure-domain.beta.kubernetes.io/region",
  "beta.kubernetes.io/instance-type",
  "node.kubernetes.io/instance-type",
  "kubernetes.io/os",
  "kubernetes.io/arch",
  "beta.kubernetes.io/os",
  "beta.kubernetes.io/arch",
]);

/** k8s.io/kubelet KubeletLabelNamespaces(): namespaces (and their subdomains) a kubelet may set. */
export const kubeletLabelNamespaces: readonly string[] = ["kubelet.kubernetes.io", "node.kubernetes.io"];

function labelNamespace(key: string): string {
  const slash = key.indexOf("/");
  return slash < 0 ? "" : key.slice(0, slash);
}

const inDomain = (namespace: string, domain: string): boolean =>
  namespace === domain || namespace.endsWith(`.${domain}`);

/** The kubelet's isKubernetesLabel: a label in the kubernetes.io or k8s.io domains. */
export function isKubernetesLabel(key: string): boolean {
  const namespace = labelNamespace(key);
  return inDomain(namespace, "kubernetes.io") || inDomain(namespace, "k8s.io");
}

/** IsKubeletLabel: the label is in the allowed set or in an allowed namespace. */
export function isKubeletLabel(key: string): boolean {
  if (kubeletLabels.has(key)) return true;
  const namespace = labelNamespace(key);
  return kubeletLabelNamespaces.some((allowed) => inDomain(namespace, allowed));
}

/** Whether the kubelet accepts this label in --node-labels (it exits at start otherwise). */
export function kubeletMaySet(key: string): boolean {
  return !isKubernetesLabel(key) || isKubeletLabel(key);
}

/** The labels the kubelet may register itself with; the rest belong on the Node rafter creates. */
export function kubeletSettableLabels(labels: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(labels)
      .filter(([key]) => kubeletMaySet(key))
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
  );
}
