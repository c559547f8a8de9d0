// Karpenter's well-known node labels, as aliases of rafter's. Pods written for Karpenter select
// `karpenter.sh/capacity-type` or `karpenter.k8s.aws/instance-family`; rafter's planner reads such
// keys as the rafter.dev/ key they alias (canonicalLabelKey), and the Node objects rafter creates carry
// both spellings (withKarpenterAliases), so kube-scheduler and the kubelet's admission agree with the
// plan. Values are the same in both spellings (same units: MiB, Mbps, GB, MHz; names lower-cased).
// Kept in its own file so the label-key module can import it without owning it.

const karpenterAws = "karpenter.k8s.aws";

/** Instance attributes both projects label, by the suffix after `<domain>/instance-`. */
const sharedInstanceAttributes = [
  "category",
  "family",
  "generation",
  "size",
  "cpu",
  "cpu-manufacturer",
  "cpu-sustained-clock-speed-mhz",
  "memory",
  "hypervisor",
  "network-bandwidth",
  "ebs-bandwidth",
  "encryption-in-transit-supported",
  "local-nvme",
  "gpu-count",
  "gpu-name",
  "gpu-manufacturer",
  "gpu-memory",
  "accelerator-count",
  "accelerator-name",
  "accelerator-manufacturer",
] as const;

/** Karpenter key → the rafter.dev key with the same meaning and values. */
export const karpenterLabelAliases: Readonly<Record<string, string>> = Object.freeze({
  "karpenter.sh/capacity-type": "rafter.dev/capacity-type",
  ...Object.fromEntries(
    sharedInstanceAttributes.map((a) => [`${karpenterAws}/instance-${a}`, `rafter.dev/instance-${a}`]),
  ),
});

const rafterToKarpenter: ReadonlyMap<string, string> = new Map(
  Object.entries(karpenterLabelAliases).map(([karpenter, rafter]) => [rafter, karpenter]),
);

/**
 * Karpenter keys rafter never puts on its nodes while Karpenter may run in the same cluster: they are
 * how Karpenter recognises a node as its own (its node controllers select on the EC2NodeClass label;
 * disruption, metrics and scheduling state group nodes by `karpenter.sh/nodepool`) or record its own
 * lifecycle on the node. A rafter node carrying one would be adopted, disrupted or finalised by
 * Karpenter. They are also what a pod selects to stay on Karpenter's capacity during a migration.
 */
export const karpenterOwnedNodeLabels: readonly string[] = Object.freeze([
  "karpenter.sh/nodepool",
  "karpenter.sh/registered",
  "karpenter.sh/initialized",
  "karpenter.sh/do-not-sync-taints",
  `${karpenterAws}/ec2nodeclass`,
]);

/** Annotations, taints and the finalizer Karpenter writes on its own nodes; rafter writes none of them. */
export const karpenterOwnedNodeMarks = Object.freeze({
  annotations: [
    "karpenter.sh/nodepool-hash",
    "karpenter.sh/nodepool-hash-version",
    `${karpenterAws}/ec2nodeclass-hash`,
  ],
  taints: ["karpenter.sh/disrupted", "karpenter.sh/unregistered"],
  finalizer: "karpenter.sh/termination",
});

/** Karpenter's do-not-disrupt annotation, honoured on pods and nodes like rafter.dev/do-not-disrupt. */
export const karpenterDoNotDisruptAnnotation = "karpenter.sh/do-not-disrupt";

/** The rafter key a Karpenter well-known key aliases; any other key unchanged. */
export function canonicalLabelKey(key: string): string {
  return karpenterLabelAliases[key] ?? key;
}

/** The Karpenter spelling of a rafter key, if Karpenter has one. */
export function karpenterAliasOf(rafterKey: string): string | undefined {
  return rafterToKarpenter.get(rafterKey);
}

/**
 * Labels of a node rafter creates: each rafter key with a Karpenter alias is repeated under it, and
 * the keys Karpenter owns are dropped (even if a NodePool template asked for them).
 */
export function withKarpenterAliases(labels: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(labels)) {
    if (karpenterOwnedNodeLabels.includes(key)) continue;
    out[key] = value;
    const alias = rafterToKarpenter.get(key);
    if (alias !== undefined) out[alias] = value;
  }
  return out;
}

/**
 * Labels of any node as the planner reads them: a node that carries only the Karpenter spelling
 * (one Karpenter launched) also answers for the rafter key, so a pod selecting either spelling
 * matches it. Returns the same object when nothing is added.
 */
export function withRafterAliases(
  labels: Readonly<Record<string, string>>,
): Readonly<Record<string, string>> {
  let out: Record<string, string> | undefined;
  for (const [key, value] of Object.entries(labels)) {
    const rafterKey = karpenterLabelAliases[key];
    if (rafterKey === undefined || labels[rafterKey] !== undefined) continue;
    out ??= { ...labels };
    out[rafterKey] = value;
  }
  return out ?? labels;
}
