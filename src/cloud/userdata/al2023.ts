// AL2023 user data: a MIME multipart document whose last part is rafter's nodeadm NodeConfig
// (node.eks.aws/v1alpha1). nodeadm reads every application/node.eks.aws part in order and merges
// them, later values winning (kubelet flags appended), so the user's own parts come first and the
// cluster facts, kubelet settings, taints and labels rafter launched for win.
//
// The kubelet config keys are KubeletConfiguration's JSON names (kubelet.config.k8s.io/v1beta1):
// nodeadm merges them into the kubelet's config file as they are.
import { parse as parseYaml, stringify } from "yaml";
import { kubeletSettableLabels } from "./kubelet-labels.js";
import type { NodeUserDataInput } from "./input.js";
import { readMultipart, writeMultipart, type MimePart } from "./mime.js";

export const nodeConfigContentType = "application/node.eks.aws";
const nodeConfigApiVersion = "node.eks.aws/v1alpha1";

/** The NodeConfig document rafter gives every AL2023 node. */
export function nodeConfig(input: NodeUserDataInput): Record<string, unknown> {
  const labels = kubeletSettableLabels(input.labels);
  const nodeLabels = Object.entries(labels)
    .map(([key, value]) => `${key}=${value}`)
    .join(",");
  return {
    apiVersion: nodeConfigApiVersion,
    kind: "NodeConfig",
    spec: {
      cluster: {
        name: input.bootstrap.clusterName,
        apiServerEndpoint: input.bootstrap.apiServerEndpoint,
        certificateAuthority: input.bootstrap.certificateAuthority,
        cidr: input.bootstrap.serviceCidr,
      },
      kubelet: {
        config: {
          maxPods: input.kubelet.maxPods,
          systemReserved: { ...input.kubelet.systemReserved },
          kubeReserved: { ...input.kubelet.kubeReserved },
          evictionHard: { ...input.kubelet.evictionHard },
          registerWithTaints: input.taints.map((taint) => ({
            key: taint.key,
            ...(taint.value !== undefined ? { value: taint.value } : {}),
            effect: taint.effect,
          })),
        },
        ...(nodeLabels !== "" ? { flags: [`--node-labels=${nodeLabels}`] } : {}),
      },
    },
  };
}

function isNodeConfig(text: string): boolean {
  try {
    const doc: unknown = parseYaml(text);
    if (typeof doc !== "object" || doc === null) return false;
    const { apiVersion, kind } = doc as { apiVersion?: unknown; kind?: unknown };
    return kind === "NodeConfig" && typeof apiVersion === "string" && apiVersion.startsWith("node.eks.aws/");
  } catch {
    return false;
  }
}

/**
 * The user's own user data as MIME parts: a multipart document's parts as they are, a bare
 * NodeConfig as a NodeConfig part, cloud-config as cloud-config, anything else as a shell script.
 */
export function customParts(custom: string | undefined): MimePart[] {
  if (custom === undefined || custom.trim() === "") return [];
  const parts = readMultipart(custom);
  if (parts) return parts;
  if (isNodeConfig(custom)) return [{ contentType: nodeConfigContentType, body: custom }];
  if (custom.startsWith("#cloud-config"))
    return [{ contentType: 'text/cloud-config; charset="us-ascii"', body: custom }];
  return [{ contentType: 'text/x-shellscript; charset="us-ascii"', body: custom }];
}

export function renderAl2023UserData(input: NodeUserDataInput): string {
  return writeMultipart([
    ...customParts(input.custom),
    { contentType: nodeConfigContentType, body: stringify(nodeConfig(input)) },
  ]);
}
