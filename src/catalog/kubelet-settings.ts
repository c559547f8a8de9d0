// The kubelet settings a node of an instance type runs with: ONE object from which both the
// catalogue's allocatable (allocatable.ts) and the kubelet configuration in the node's user data
// (cloud/userdata) are derived, so what rafter plans is what the kubelet reports.
//
// Defaults follow the EKS AMIs (nodeadm's withDefaultReservedResources and its default kubelet
// config): kube-reserved cpu by core bands, memory 11 MiB per pod + 255 MiB, ephemeral-storage
// 1Gi; system-reserved 100m/100Mi; eviction memory.available 100Mi, nodefs.available 10%. The
// EC2NodeClass's kubelet block overrides them (kubeReserved key by key, the others as a whole).
import type { KubeletConfiguration } from "../api/ec2nodeclass.js";

export interface KubeletSettings {
  readonly maxPods: number;
  readonly systemReserved: Readonly<Record<string, string>>;
  readonly kubeReserved: Readonly<Record<string, string>>;
  readonly evictionHard: Readonly<Record<string, string>>;
}

export const defaultSystemReserved: Readonly<Record<string, string>> = { cpu: "100m", memory: "100Mi" };
export const defaultEvictionHard: Readonly<Record<string, string>> = {
  "memory.available": "100Mi",
  "nodefs.available": "10%",
};
export const defaultKubeReservedStorage = "1Gi";

/** EKS kube-reserved cpu in millicores for a number of vCPUs. */
export function kubeReservedCpuMillis(vcpus: number): number {
  const bands: readonly [from: number, to: number, fraction: number][] = [
    [0, 1, 0.06],
    [1, 2, 0.01],
    [2, 4, 0.005],
    [4, Infinity, 0.0025],
  ];
  let reserved = 0;
  for (const [from, to, fraction] of bands) {
    const cores = Math.max(0, Math.min(vcpus, to) - from);
    reserved += cores * 1000 * fraction;
  }
  return Math.round(reserved);
}

/** EKS kube-reserved memory in MiB for a pod density. */
export function kubeReservedMemoryMiB(maxPods: number): number {
  return 11 * maxPods + 255;
}

/** What the node is: its vCPUs and the pods it holds (the kubelet block's maxPods, else the ENI limit). */
export interface KubeletNode {
  readonly vcpus: number;
  readonly maxPods: number;
}

export function kubeletSettings(
  kubelet: KubeletConfiguration | undefined,
  node: KubeletNode,
): KubeletSettings {
  return {
    maxPods: node.maxPods,
    systemReserved: { ...(kubelet?.systemReserved ?? defaultSystemReserved) },
    kubeReserved: {
      cpu: `${kubeReservedCpuMillis(node.vcpus)}m`,
      memory: `${kubeReservedMemoryMiB(node.maxPods)}Mi`,
      "ephemeral-storage": defaultKubeReservedStorage,
      ...kubelet?.kubeReserved,
    },
    evictionHard: { ...(kubelet?.evictionHard ?? defaultEvictionHard) },
  };
}

/** The settings of a catalogue instance type: vCPUs and pods as its capacity states them. */
export function kubeletSettingsOf(
  kubelet: KubeletConfiguration | undefined,
  capacity: { readonly cpu?: number; readonly pods?: number },
): KubeletSettings {
  return kubeletSettings(kubelet, { vcpus: (capacity.cpu ?? 0) / 1000, maxPods: capacity.pods ?? 0 });
}
