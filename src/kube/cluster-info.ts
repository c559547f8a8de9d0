// Facts about the cluster rafter runs in that nodes need too: the CA its kubeconfig trusts and the
// API server's version (GET /version).
import { readFileSync } from "node:fs";
import { VersionApi, type KubeConfig } from "@kubernetes/client-node";

/** The current cluster's CA as base64 PEM (inline caData, or the caFile the in-cluster config names). */
export function kubeconfigCaBundle(kubeConfig: KubeConfig): string | undefined {
  const cluster = kubeConfig.getCurrentCluster();
  if (cluster?.caData) return cluster.caData;
  if (cluster?.caFile) {
    try {
      return readFileSync(cluster.caFile).toString("base64");
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/** The API server's gitVersion, e.g. "v1.36.3". */
export async function serverGitVersion(kubeConfig: KubeConfig): Promise<string> {
  const info = await kubeConfig.makeApiClient(VersionApi).getCode();
  return info.gitVersion;
}
