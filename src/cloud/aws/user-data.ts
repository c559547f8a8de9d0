// User data for AL2023-style images (nodeadm NodeConfig in a MIME multipart document): the
// NodePool's labels and taints reach the kubelet as flags/config, so the Node the kubelet
// registers (and adopts — rafter creates the Node object first) carries them from the start.
// The EC2NodeClass's own user data is appended as a further part, untouched.
import type { Taint } from "../../api/common.js";

export interface UserDataInput {
  readonly clusterName: string;
  readonly clusterEndpoint?: string | undefined;
  readonly clusterCaBundle?: string | undefined;
  readonly labels: Readonly<Record<string, string>>;
  readonly taints: readonly Taint[];
  readonly maxPods?: number | undefined;
  readonly custom?: string | undefined;
}

const boundary = "//rafter-boundary";

function quoteYaml(value: string): string {
  return JSON.stringify(value); // JSON strings are valid YAML double-quoted scalars
}

export function renderUserData(input: UserDataInput): string {
  const labels = Object.entries(input.labels)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([key, value]) => `${key}=${value}`)
    .join(",");
  const lines = [
    "apiVersion: node.eks.aws/v1alpha1",
    "kind: NodeConfig",
    "spec:",
    "  cluster:",
    `    name: ${quoteYaml(input.clusterName)}`,
    ...(input.clusterEndpoint ? [`    apiServerEndpoint: ${quoteYaml(input.clusterEndpoint)}`] : []),
    ...(input.clusterCaBundle ? [`    certificateAuthority: ${quoteYaml(input.clusterCaBundle)}`] : []),
    "  kubelet:",
    "    config:",
    ...(input.maxPods !== undefined ? [`      maxPods: ${input.maxPods}`] : []),
    "      registerWithTaints:",
    ...(input.taints.length === 0 ? ["        []"] : []),
    ...input.taints.flatMap((taint) => [
      `        - key: ${quoteYaml(taint.key)}`,
      ...(taint.value !== undefined ? [`          value: ${quoteYaml(taint.value)}`] : []),
      `          effect: ${quoteYaml(taint.effect)}`,
    ]),
    "    flags:",
    `      - ${quoteYaml(`--node-labels=${labels}`)}`,
  ];
  const parts = [
    `--${boundary}`,
    "Content-Type: application/node.eks.aws",
    "",
    ...lines,
    "",
    ...(input.custom
      ? [`--${boundary}`, 'Content-Type: text/x-shellscript; charset="us-ascii"', "", input.custom, ""]
      : []),
    `--${boundary}--`,
    "",
  ];
  return ["MIME-Version: 1.0", `Content-Type: multipart/mixed; boundary="${boundary}"`, "", ...parts].join(
    "\n",
  );
}
