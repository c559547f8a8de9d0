// kube-controller-manager: Deployments/ReplicaSets, garbage collection, PDB status, service-account
// tokens, node lifecycle. Runs as system:kube-controller-manager with per-controller service-account
// credentials, like a kubeadm control plane. No cloud provider, so its cloud controllers stay off.
import type { Layout } from "./layout.js";
import { freePort, waitForHttpOk } from "./net.js";
import type { Pki } from "./pki.js";
import type { ManagedProcess, Supervisor } from "./process.js";

export async function startControllerManager(
  supervisor: Supervisor,
  binary: string,
  layout: Layout,
  pki: Pki,
  kubeconfig: string,
): Promise<ManagedProcess> {
  const port = await freePort();
  const process = supervisor.start({
    name: "kube-controller-manager",
    command: binary,
    args: [
      `--kubeconfig=${kubeconfig}`,
      `--authentication-kubeconfig=${kubeconfig}`,
      `--authorization-kubeconfig=${kubeconfig}`,
      "--bind-address=127.0.0.1",
      `--secure-port=${port}`,
      `--cert-dir=${layout.data}/kube-controller-manager`,
      "--leader-elect=false",
      "--use-service-account-credentials=true",
      `--root-ca-file=${pki.ca.cert}`,
      `--service-account-private-key-file=${pki.serviceAccount.privateKey}`,
      `--cluster-signing-cert-file=${pki.ca.cert}`,
      `--cluster-signing-key-file=${pki.ca.key}`,
      "--controllers=*,-nodeipam",
      "--profiling=false",
      // The default client rate (20 qps) makes a 1 000-replica Deployment take ~50 s just to create its
      // pods; production control planes raise it too. The time-to-bound figure should measure rafter.
      "--kube-api-qps=200",
      "--kube-api-burst=400",
      "--concurrent-replicaset-syncs=10",
    ],
    logFile: layout.log("kube-controller-manager"),
  });
  await waitForHttpOk(
    "kube-controller-manager /healthz",
    `https://127.0.0.1:${port}/healthz`,
    { insecure: true },
    { timeoutMs: 60_000, process },
  );
  return process;
}
