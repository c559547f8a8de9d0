// Starts a kubelet as nodeadm would on the instance (config.json + config.json.d/40-nodeadm.conf +
// flags, from nodeadm-kubelet.ts), on this machine instead of an EC2 instance. What this host needs
// differently from an EKS AMI is one more drop-in, 90-e2e-host.conf, which the kubelet merges last —
// so rafter's rendered settings stay exactly as they were, and each host difference is named below.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { stringify } from "yaml";
import { freePort, waitFor } from "../cluster/net.js";
import type { CertPair } from "../cluster/pki.js";
import type { ManagedProcess, Supervisor } from "../cluster/process.js";
import type { KubeletLaunch } from "./nodeadm-kubelet.js";

export interface HostSettings {
  readonly rootDir: string;
  readonly runtimeEndpoint: string;
  readonly clientCaFile: string;
  readonly port: number;
  readonly healthzPort: number;
}

/** The host's drop-in: only what this machine needs, each with its reason. */
export function hostDropIn(host: HostSettings): Record<string, unknown> {
  return {
    apiVersion: "kubelet.config.k8s.io/v1beta1",
    kind: "KubeletConfiguration",
    // no systemd on this machine, and cgroup v1 (hybrid) rather than the AMI's v2
    cgroupDriver: "cgroupfs",
    failCgroupV1: false,
    // several kubelets share this machine: per-QoS cgroups (/kubepods) would be shared, and each kubelet
    // prunes pod cgroups it does not know — so no QoS hierarchy, and nothing to enforce allocatable on
    cgroupsPerQOS: false,
    enforceNodeAllocatable: [],
    kubeReservedCgroup: "",
    systemReservedCgroup: "",
    // this machine's sysctls are not the AMI's; no swap policy; no logind for graceful shutdown
    protectKernelDefaults: false,
    failSwapOn: false,
    shutdownGracePeriod: "0s",
    shutdownGracePeriodCriticalPods: "0s",
    // EKS approves kubelet-serving CSRs; nothing does here, so the kubelet serves a self-signed certificate
    serverTLSBootstrap: false,
    resolvConf: "",
    containerRuntimeEndpoint: host.runtimeEndpoint,
    authentication: { x509: { clientCAFile: host.clientCaFile } },
    port: host.port,
    healthzPort: host.healthzPort,
    healthzBindAddress: "127.0.0.1",
    podLogsDir: join(host.rootDir, "pod-logs"),
    volumePluginDir: join(host.rootDir, "volume-plugins"),
  };
}

/** nodeadm's flags minus --runtime-cgroups (no containerd.service here), plus the host's paths. */
export function kubeletArgs(launch: KubeletLaunch, files: KubeletFiles, rootDir: string): string[] {
  return [
    `--config=${files.config}`,
    `--config-dir=${files.configDir}`,
    `--kubeconfig=${files.kubeconfig}`,
    `--root-dir=${rootDir}`,
    `--cert-dir=${join(rootDir, "pki")}`,
    ...launch.flags.filter((flag) => !flag.startsWith("--runtime-cgroups=")),
  ];
}

export interface KubeletFiles {
  readonly config: string;
  readonly configDir: string;
  readonly kubeconfig: string;
}

export function writeKubeletFiles(
  dir: string,
  launch: KubeletLaunch,
  host: HostSettings,
  api: { readonly server: string; readonly caFile: string; readonly credentials: CertPair },
): KubeletFiles {
  const configDir = join(dir, "config.json.d");
  mkdirSync(configDir, { recursive: true });
  const files = { config: join(dir, "config.json"), configDir, kubeconfig: join(dir, "kubeconfig") };
  writeFileSync(files.config, JSON.stringify(launch.baseConfig, null, 2));
  if (launch.dropIn)
    writeFileSync(join(configDir, "40-nodeadm.conf"), JSON.stringify(launch.dropIn, null, 2));
  writeFileSync(join(configDir, "90-e2e-host.conf"), JSON.stringify(hostDropIn(host), null, 2));
  writeFileSync(
    files.kubeconfig,
    // the user is named "kubelet": a YAML 1.1 reader takes a bare `n` for false
    stringify({
      apiVersion: "v1",
      kind: "Config",
      clusters: [{ name: "cluster", cluster: { server: api.server, "certificate-authority": api.caFile } }],
      users: [
        {
          name: "kubelet",
          user: { "client-certificate": api.credentials.cert, "client-key": api.credentials.key },
        },
      ],
      contexts: [{ name: "kubelet", context: { cluster: "cluster", user: "kubelet" } }],
      "current-context": "kubelet",
    }),
    { mode: 0o600 },
  );
  return files;
}

export interface StartedKubelet {
  readonly process: ManagedProcess;
  readonly port: number;
  readonly startedAt: number;
}

export async function startKubelet(
  supervisor: Supervisor,
  options: {
    readonly name: string;
    readonly binary: string;
    readonly dir: string;
    readonly logFile: string;
    readonly launch: KubeletLaunch;
    readonly runtimeEndpoint: string;
    readonly api: { readonly server: string; readonly caFile: string; readonly credentials: CertPair };
  },
): Promise<StartedKubelet> {
  const rootDir = join(options.dir, "kubelet");
  mkdirSync(rootDir, { recursive: true });
  const host: HostSettings = {
    rootDir,
    runtimeEndpoint: options.runtimeEndpoint,
    clientCaFile: options.api.caFile,
    port: await freePort(),
    healthzPort: await freePort(),
  };
  const files = writeKubeletFiles(options.dir, options.launch, host, options.api);
  const startedAt = Date.now();
  const process = supervisor.start({
    name: options.name,
    command: options.binary,
    args: kubeletArgs(options.launch, files, rootDir),
    logFile: options.logFile,
  });
  await waitFor(
    `${options.name} /healthz`,
    async () => (await fetch(`http://127.0.0.1:${host.healthzPort}/healthz`)).ok,
    { timeoutMs: 60_000, intervalMs: 250, process },
  );
  return { process, port: host.port, startedAt };
}
