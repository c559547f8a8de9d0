// `npm run demo -- --real-nodes`: the same flow, with real kubelets. The NodePool's instances boot a
// containerd and a kubelet from rafter's user data (e2e/node), so the workload is smaller — the pods
// must fit the one to three real nodes this machine can run — and uses the locally built busybox image.
import type { KubeObject } from "../cluster/kubectl.js";
import { appDeployment, realNodeClass, realNodePool } from "../harness/real-nodes.js";

export function realNodeDemo(
  repoRoot: string,
  namespace: string,
): { pools: KubeObject[]; workload: KubeObject[] } {
  const inNamespace = (object: KubeObject): KubeObject => ({
    ...object,
    metadata: { ...object.metadata, namespace },
  });
  return {
    pools: [realNodeClass(repoRoot), realNodePool("real", { labels: { "workload-class": "real" } })],
    workload: [
      inNamespace(appDeployment("hello", 4, { cpu: "100m", memory: "64Mi" })),
      inNamespace(appDeployment("api", 2, { cpu: "250m", memory: "128Mi" })),
    ],
  };
}
