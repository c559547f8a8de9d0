// An EC2NodeClass, NodePool and cluster for the user data tests.
import type { Taint } from "../../../src/api/common.js";
import type { EC2NodeClass, KubeletConfiguration } from "../../../src/api/ec2nodeclass.js";
import type { NodePool } from "../../../src/api/nodepool.js";
import { loadEmbeddedCatalogWith } from "../../../src/catalog/embedded.js";
import type { InstanceType } from "../../../src/catalog/types.js";
import type { ClusterBootstrap } from "../../../src/cloud/cluster-bootstrap.js";

export const caPem = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";

export const bootstrap: ClusterBootstrap = {
  clusterName: "prod",
  apiServerEndpoint: "https://ABCDEF.gr7.us-east-1.eks.amazonaws.com",
  certificateAuthority: Buffer.from(caPem).toString("base64"),
  serviceCidr: "10.100.0.0/16",
  kubernetesVersion: "1.36",
};

export function nodeClass(spec: { userData?: string; kubelet?: KubeletConfiguration } = {}): EC2NodeClass {
  return {
    apiVersion: "rafter.dev/v1",
    kind: "EC2NodeClass",
    metadata: { name: "default" },
    spec: {
      subnetSelectorTerms: [{ tags: { "rafter.dev/discovery": "prod" } }],
      securityGroupSelectorTerms: [{ tags: { "rafter.dev/discovery": "prod" } }],
      amiSelectorTerms: [{ alias: "al2023@latest" }],
      role: "rafter-node",
      ...spec,
    },
  };
}

export function nodePool(
  labels: Record<string, string> = {},
  taints: Taint[] = [],
  startupTaints: Taint[] = [],
): NodePool {
  return {
    apiVersion: "rafter.dev/v1",
    kind: "NodePool",
    metadata: { name: "general" },
    spec: {
      template: {
        metadata: { labels },
        spec: {
          nodeClassRef: { group: "rafter.dev", kind: "EC2NodeClass", name: "default" },
          taints,
          startupTaints,
        },
      },
    },
  };
}

/** A catalogue instance type built with the node class's kubelet settings. */
export function instanceType(name: string, kubelet?: KubeletConfiguration): InstanceType {
  const found = loadEmbeddedCatalogWith({ kubelet }).instanceTypes.find((t) => t.name === name);
  if (!found) throw new Error(`${name} is not in the embedded catalogue`);
  return found;
}
