// What nodeadm (awslabs/amazon-eks-ami, nodeadm/internal/kubelet/config.go) does with a NodeConfig on an
// EC2 instance, written down as one pure function so the e2e "instance" boots the kubelet rafter's user
// data asks for. nodeadm itself cannot run here (it needs IMDS, systemd and root paths), so this
// mirrors its behaviour, field by field (each one unit-tested in test/e2e-node/nodeadm-kubelet.test.ts):
//
// - a base KubeletConfiguration (config.json) of nodeadm's defaults plus what it derives from the
//   instance: clusterDNS from the service CIDR (.10), providerID aws:///<zone>/<id>, maxPods from the
//   instance type's ENIs, kube-reserved from the host's CPUs and that ENI max-pods figure, the
//   version-dependent feature gates and graceful-shutdown periods;
// - the NodeConfig's spec.kubelet.config as a drop-in (config.json.d/40-nodeadm.conf) that the kubelet
//   merges over the base — so a user maxPods changes maxPods but not the kube-reserved memory nodeadm
//   already computed from the ENI figure;
// - flags: --hostname-override (the private DNS name), --cloud-provider=external, --node-ip (the
//   instance's private IP), --runtime-cgroups, then spec.kubelet.flags in order.
import type { NodeConfig } from "./user-data.js";

export interface InstanceFacts {
  readonly instanceId: string;
  readonly zone: string;
  readonly privateDnsName: string;
  readonly privateIp: string;
  /** The instance type's ENI-limited pod count: default-card interfaces × (IPv4 per interface − 1) + 2. */
  readonly eniMaxPods: number;
  /** The host's CPUs in millicores (nodeadm reads the machine it runs on). */
  readonly hostCpuMillis: number;
  /** The kubelet's version, e.g. "v1.36.3" (nodeadm toggles features by it). */
  readonly kubeletVersion: string;
}

export interface KubeletLaunch {
  readonly nodeName: string;
  readonly providerId: string;
  /** config.json: nodeadm's generated configuration. */
  readonly baseConfig: Readonly<Record<string, unknown>>;
  /** config.json.d/40-nodeadm.conf: the NodeConfig's own kubelet config, or undefined when it has none. */
  readonly dropIn: Readonly<Record<string, unknown>> | undefined;
  readonly flags: readonly string[];
}

const TYPE_META = { apiVersion: "kubelet.config.k8s.io/v1beta1", kind: "KubeletConfiguration" } as const;

/** nodeadm's getCPUMillicoresToReserve: 6% / 1% / 0.5% / 0.25% bands, integer math per band. */
export function nodeadmCpuReserveMillis(totalMillis: number): number {
  const bounds = [0, 1000, 2000, 4000, totalMillis];
  const basisPoints = [600, 100, 50, 25];
  let reserve = 0;
  for (const [i, points] of basisPoints.entries()) {
    const start = bounds[i] ?? 0;
    const end = bounds[i + 1] ?? 0;
    if (totalMillis <= start) continue;
    reserve += Math.trunc(((Math.min(totalMillis, end) - start) * points) / 10000);
  }
  return reserve;
}

/** nodeadm's getMemoryMebibytesToReserve. */
export function nodeadmMemoryReserveMiB(maxPods: number): number {
  return 11 * maxPods + 255;
}

/** The cluster DNS address nodeadm derives from the service CIDR: its base address with .10 last. */
export function clusterDnsFor(cidr: string | undefined): string | undefined {
  const base = cidr?.split("/")[0];
  const octets = base?.split(".");
  if (octets?.length !== 4) return undefined;
  return [...octets.slice(0, 3), "10"].join(".");
}

function versionAtLeast(version: string, minor: number): boolean {
  const match = /^v?1\.(\d+)/.exec(version);
  return match !== null && Number(match[1]) >= minor;
}

export function nodeadmKubeletLaunch(nodeConfig: NodeConfig, instance: InstanceFacts): KubeletLaunch {
  const providerId = `aws:///${instance.zone}/${instance.instanceId}`;
  const clusterDns = clusterDnsFor(nodeConfig.spec.cluster?.cidr);
  const recent = versionAtLeast(instance.kubeletVersion, 34);
  const baseConfig: Record<string, unknown> = {
    ...TYPE_META,
    address: "0.0.0.0",
    authentication: {
      anonymous: { enabled: false },
      webhook: { enabled: true, cacheTTL: "2m0s" },
      x509: { clientCAFile: "/etc/kubernetes/pki/ca.crt" },
    },
    authorization: {
      mode: "Webhook",
      webhook: { cacheAuthorizedTTL: "5m0s", cacheUnauthorizedTTL: "30s" },
    },
    cgroupDriver: "systemd",
    cgroupRoot: "/",
    ...(clusterDns !== undefined ? { clusterDNS: [clusterDns] } : {}),
    clusterDomain: "cluster.local",
    containerRuntimeEndpoint: "unix:///run/containerd/containerd.sock",
    evictionHard: { "memory.available": "100Mi", "nodefs.available": "10%", "nodefs.inodesFree": "5%" },
    featureGates: {
      RotateKubeletServerCertificate: true,
      ...(versionAtLeast(instance.kubeletVersion, 33) ? { DynamicResourceAllocation: true } : {}),
      ...(recent ? { MutableCSINodeAllocatableCount: true } : {}),
    },
    hairpinMode: "hairpin-veth",
    kubeReserved: {
      cpu: `${nodeadmCpuReserveMillis(instance.hostCpuMillis)}m`,
      "ephemeral-storage": "1Gi",
      memory: `${nodeadmMemoryReserveMiB(instance.eniMaxPods)}Mi`,
    },
    kubeReservedCgroup: "/runtime",
    logging: { verbosity: 2 },
    maxPods: instance.eniMaxPods,
    protectKernelDefaults: true,
    providerID: providerId,
    readOnlyPort: 0,
    serializeImagePulls: false,
    serverTLSBootstrap: true,
    ...(recent ? { shutdownGracePeriod: "2m30s", shutdownGracePeriodCriticalPods: "30s" } : {}),
    systemReservedCgroup: "/system",
  };
  const userConfig = nodeConfig.spec.kubelet?.config;
  const dropIn =
    userConfig !== undefined && Object.keys(userConfig).length > 0
      ? { ...TYPE_META, ...userConfig }
      : undefined;
  const flags = [
    `--hostname-override=${instance.privateDnsName}`,
    "--cloud-provider=external",
    `--node-ip=${instance.privateIp}`,
    "--runtime-cgroups=/runtime.slice/containerd.service",
    ...(nodeConfig.spec.kubelet?.flags ?? []),
  ];
  return { nodeName: instance.privateDnsName, providerId, baseConfig, dropIn, flags };
}
