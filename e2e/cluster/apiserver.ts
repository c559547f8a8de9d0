// kube-apiserver on 127.0.0.1: TLS from the throw-away CA, static bearer tokens, Node+RBAC
// authorization with NodeRestriction, service-account keys, a client certificate for kubelets. Ready
// when /readyz answers 200. It can be stopped and started again (same port, flags, certificates and
// etcd data) to test that every client recovers.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tokenAuthFile, type Identities } from "./kubeconfig.js";
import type { Layout } from "./layout.js";
import { freePort, portInUse, waitFor, waitForHttpOk } from "./net.js";
import type { Pki } from "./pki.js";
import type { ManagedProcess, Supervisor } from "./process.js";

export interface ApiServer {
  /** The current process (a new one after each start). */
  readonly process: ManagedProcess;
  readonly url: string;
  /** SIGTERM (SIGKILL after `graceMs`); resolves once it has exited and its port is free. */
  stop(graceMs?: number): Promise<void>;
  /** Starts it again with the same port and flags; resolves once /readyz answers 200. */
  start(): Promise<void>;
}

export const SERVICE_CLUSTER_IP_RANGE = "10.96.0.0/16";

export async function startApiServer(
  supervisor: Supervisor,
  binary: string,
  layout: Layout,
  pki: Pki,
  identities: Identities,
  etcdUrl: string,
): Promise<ApiServer> {
  const port = await freePort();
  const serving = await pki.serving("kube-apiserver", [
    "IP:10.96.0.1",
    "DNS:kubernetes",
    "DNS:kubernetes.default",
    "DNS:kubernetes.default.svc",
    "DNS:kubernetes.default.svc.cluster.local",
  ]);
  // kube-apiserver's identity towards kubelets (logs, exec, proxy): a system:masters client certificate,
  // which the kubelets' webhook authorizer allows.
  const kubeletClient = await pki.client("kube-apiserver-kubelet-client", "kube-apiserver-kubelet-client", [
    "system:masters",
  ]);
  const tokens = join(layout.config, "tokens.csv");
  writeFileSync(tokens, tokenAuthFile(identities), { mode: 0o600 });
  const url = `https://127.0.0.1:${port}`;
  const spec = {
    name: "kube-apiserver",
    command: binary,
    args: [
      `--etcd-servers=${etcdUrl}`,
      "--bind-address=127.0.0.1",
      "--advertise-address=127.0.0.1",
      `--secure-port=${port}`,
      `--tls-cert-file=${serving.cert}`,
      `--tls-private-key-file=${serving.key}`,
      `--client-ca-file=${pki.ca.cert}`,
      `--token-auth-file=${tokens}`,
      "--authorization-mode=Node,RBAC",
      // kubelets act as system:node:<name>: NodeRestriction keeps each to its own Node and pods
      "--enable-admission-plugins=NodeRestriction",
      `--kubelet-client-certificate=${kubeletClient.cert}`,
      `--kubelet-client-key=${kubeletClient.key}`,
      // the kubelet also reports a Hostname address (the EC2 DNS name), which does not resolve here
      "--kubelet-preferred-address-types=InternalIP,ExternalIP,Hostname",
      "--service-account-issuer=https://kubernetes.default.svc.cluster.local",
      `--service-account-key-file=${pki.serviceAccount.publicKey}`,
      `--service-account-signing-key-file=${pki.serviceAccount.privateKey}`,
      `--service-cluster-ip-range=${SERVICE_CLUSTER_IP_RANGE}`,
      "--allow-privileged=true",
      // a loopback address is not a valid Endpoints address; nothing in-cluster dials the API anyway
      "--endpoint-reconciler-type=none",
      "--profiling=false",
    ],
    logFile: layout.log("kube-apiserver"),
  };
  const ready = (process: ManagedProcess): Promise<unknown> =>
    waitForHttpOk(
      "kube-apiserver /readyz",
      `${url}/readyz`,
      { ca: readFileSync(pki.ca.cert), token: identities.admin.token },
      { timeoutMs: 90_000, process, intervalMs: 300 },
    );
  let current = supervisor.start(spec);
  await ready(current);
  return {
    get process() {
      return current;
    },
    url,
    async stop(graceMs = 10_000) {
      await current.stop(graceMs);
      await waitFor("kube-apiserver's port to be free", async () => !(await portInUse(port)), {
        timeoutMs: 30_000,
        intervalMs: 100,
      });
    },
    async start() {
      if (current.running) throw new Error("kube-apiserver is already running");
      current = supervisor.start(spec);
      await ready(current);
    },
  };
}
