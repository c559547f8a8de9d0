// Capacity and allocatable of an instance type, in canonical units (cpu millicores, bytes, counts).
//
// capacity    = what the kubelet would report: vCPUs, memory minus the hypervisor's share (EC2
//               reports the nominal size; a node sees ~7.5% less, the figure Karpenter measured),
//               max pods, the root volume as ephemeral storage, accelerators as extended resources.
// allocatable = capacity − kube-reserved − system-reserved − eviction thresholds, from the
//               kubelet settings of kubelet-settings.ts: the very object the node's user data
//               hands its kubelet, so the real kubelet reports what rafter planned with.
import type { KubeletConfiguration } from "../api/ec2nodeclass.js";
import { parseResourceQuantity } from "../domain/quantity.js";
import { kubeletSettingsOf, kubeReservedCpuMillis, kubeReservedMemoryMiB } from "./kubelet-settings.js";
import type { Resources } from "../domain/resources.js";
import type { Ec2InstanceTypeInfo } from "./ec2-info.js";

const MiB = 2 ** 20;
const GiB = 2 ** 30;

const vmMemoryOverheadFraction = 0.075;
const defaultRootVolumeBytes = 20 * GiB;
export interface AllocatableOptions {
  kubelet?: KubeletConfiguration | undefined;
  /** Size of the root volume, from the EC2NodeClass's block device mappings. */
  rootVolumeBytes?: number | undefined;
}

/**
 * Pods the VPC CNI can address: interfaces × (IPv4 addresses per interface − 1) + 2 (the primary
 * address of each ENI is the node's; two host-network pods need none). Only the default network
 * card's interfaces count — the extra cards of p4d/p5-class types carry EFA traffic, not pods —
 * which is what gives p4d.24xlarge EKS's 737 rather than 2942.
 */
export function eniLimitedMaxPods(info: Ec2InstanceTypeInfo): number {
  const network = info.NetworkInfo;
  const defaultCard = network?.NetworkCards?.find(
    (card) => card.NetworkCardIndex === (network.DefaultNetworkCardIndex ?? 0),
  );
  const interfaces = defaultCard?.MaximumNetworkInterfaces ?? network?.MaximumNetworkInterfaces ?? 0;
  const perInterface = info.NetworkInfo?.Ipv4AddressesPerInterface ?? 0;
  if (interfaces <= 0 || perInterface <= 0) return 110; // kubelet's own default when EC2 says nothing
  return interfaces * (perInterface - 1) + 2;
}

export { kubeReservedCpuMillis };

/** EKS kube-reserved memory in bytes for a pod density. */
export function kubeReservedMemoryBytes(maxPods: number): number {
  return kubeReservedMemoryMiB(maxPods) * MiB;
}

/** GPUs the device plugin advertises: a fractional GPU (Count 0, LogicalGpuCount 1) is one device. */
export function gpuDevices(gpu: {
  Count?: number | undefined;
  LogicalGpuCount?: number | undefined;
}): number {
  return gpu.LogicalGpuCount ?? gpu.Count ?? 0;
}

/** Accelerators as the extended resources their device plugins advertise. */
function acceleratorResources(info: Ec2InstanceTypeInfo): Record<string, number> {
  const out: Record<string, number> = {};
  for (const gpu of info.GpuInfo?.Gpus ?? []) {
    const manufacturer = (gpu.Manufacturer ?? "").toLowerCase();
    const name =
      manufacturer === "nvidia" ? "nvidia.com/gpu" : manufacturer === "amd" ? "amd.com/gpu" : undefined;
    const resource = name ?? (manufacturer === "habana" ? "habana.ai/gaudi" : "rafter.dev/gpu");
    out[resource] = (out[resource] ?? 0) + gpuDevices(gpu);
  }
  for (const device of info.NeuronInfo?.NeuronDevices ?? []) {
    out["aws.amazon.com/neuron"] = (out["aws.amazon.com/neuron"] ?? 0) + (device.Count ?? 0);
    out["aws.amazon.com/neuroncore"] =
      (out["aws.amazon.com/neuroncore"] ?? 0) + (device.Count ?? 0) * (device.CoreInfo?.Count ?? 0);
  }
  return out;
}

export function computeCapacity(info: Ec2InstanceTypeInfo, options: AllocatableOptions = {}): Resources {
  const vcpus = info.VCpuInfo?.DefaultVCpus ?? 0;
  const memoryMiB = info.MemoryInfo?.SizeInMiB ?? 0;
  const maxPods = options.kubelet?.maxPods ?? eniLimitedMaxPods(info);
  return {
    cpu: vcpus * 1000,
    memory: (memoryMiB - Math.ceil(memoryMiB * vmMemoryOverheadFraction)) * MiB,
    pods: maxPods,
    "ephemeral-storage": options.rootVolumeBytes ?? defaultRootVolumeBytes,
    ...acceleratorResources(info),
  };
}

/**
 * A threshold is a quantity ("100Mi") or a percentage of the capacity it guards ("10%"). A percentage
 * is computed as the kubelet computes it: parsed into a float32 fraction, multiplied in float64 and
 * truncated — "10%" of 270553174016 bytes is 27055317804, 403 bytes more than a tenth (measured
 * against a real kubelet, e2e scenario 41).
 */
export function evictionThreshold(raw: string | undefined, total: number, resource: string): number {
  if (raw === undefined) return 0;
  if (raw.endsWith("%")) return Math.trunc(total * Math.fround(Math.fround(Number(raw.slice(0, -1))) / 100));
  return parseResourceQuantity(resource, raw);
}

function reserved(list: Readonly<Record<string, string>>, resource: string): number {
  const raw = list[resource];
  return raw === undefined ? 0 : parseResourceQuantity(resource, raw);
}

export function computeAllocatable(
  _info: Ec2InstanceTypeInfo,
  capacity: Resources,
  options: AllocatableOptions = {},
): Resources {
  const settings = kubeletSettingsOf(options.kubelet, capacity);
  const memory = capacity.memory ?? 0;
  const storage = capacity["ephemeral-storage"] ?? 0;
  const reservedOf = (resource: string): number =>
    reserved(settings.kubeReserved, resource) + reserved(settings.systemReserved, resource);
  const out: Record<string, number> = { ...capacity };
  out.cpu = Math.max(0, (capacity.cpu ?? 0) - reservedOf("cpu"));
  out.memory = Math.max(
    0,
    memory -
      reservedOf("memory") -
      evictionThreshold(settings.evictionHard["memory.available"], memory, "memory"),
  );
  out["ephemeral-storage"] = Math.max(
    0,
    storage -
      reservedOf("ephemeral-storage") -
      evictionThreshold(settings.evictionHard["nodefs.available"], storage, "ephemeral-storage"),
  );
  return out;
}
