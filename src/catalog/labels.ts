// Labels a node of an instance type carries: the well-known Kubernetes ones plus rafter.dev/instance-*
// for every attribute a NodePool requirement or a pod's node affinity may select on. Values are
// label-safe strings (numbers as decimal integers, names lower-cased with spaces as dashes).
import { labelKeys } from "../api/labels.js";
import { gpuDevices } from "./allocatable.js";
import type { Ec2InstanceTypeInfo } from "./ec2-info.js";

/** "m7i-flex.2xlarge" → family m7i-flex, category m, generation 7, size 2xlarge. */
export function parseInstanceTypeName(name: string): {
  family: string;
  size: string;
  category?: string;
  generation?: string;
} {
  const dot = name.indexOf(".");
  const family = dot < 0 ? name : name.slice(0, dot);
  const size = dot < 0 ? "" : name.slice(dot + 1);
  // Most families are <category><generation><attributes>; the high-memory ones ("u-6tb1",
  // "u7i-12tb") put the memory size after a dash, so the generation is the digit run before it,
  // or the family's trailing digit for the older "u-Ntb1" naming.
  const plain = /^([a-z]+)(\d+)/.exec(family);
  if (plain) return { family, size, category: plain[1] ?? "", generation: plain[2] ?? "" };
  const dashed = /^([a-z]+)-.*?(\d+)$/.exec(family);
  if (dashed) return { family, size, category: dashed[1] ?? "", generation: dashed[2] ?? "" };
  const letters = /^([a-z]+)/.exec(family);
  return letters ? { family, size, category: letters[1] ?? "" } : { family, size };
}

/** EC2 architecture names → Kubernetes' GOARCH names; undefined for what cannot run a kubelet. */
export function kubernetesArch(info: Ec2InstanceTypeInfo): "amd64" | "arm64" | undefined {
  const architectures = info.ProcessorInfo?.SupportedArchitectures ?? [];
  if (architectures.includes("x86_64")) return "amd64";
  if (architectures.includes("arm64")) return "arm64";
  return undefined; // i386-only and the Mac families (x86_64_mac, arm64_mac)
}

export function labelValue(raw: string): string {
  const cleaned = raw
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, "-")
    .replace(/^[^a-z0-9]+|[^a-z0-9]+$/g, "");
  return cleaned.slice(0, 63);
}

export function instanceTypeLabels(info: Ec2InstanceTypeInfo): Record<string, string> {
  const name = info.InstanceType ?? "";
  const parsed = parseInstanceTypeName(name);
  const labels: Record<string, string> = {
    [labelKeys.os]: "linux",
    [labelKeys.instanceType]: name,
    [labelKeys.family]: parsed.family,
    [labelKeys.size]: parsed.size,
    [labelKeys.cpu]: String(info.VCpuInfo?.DefaultVCpus ?? 0),
    [labelKeys.memory]: String(info.MemoryInfo?.SizeInMiB ?? 0),
    // Xen-era and bare-metal types report no hypervisor; the empty value is still selectable.
    [labelKeys.hypervisor]: labelValue(info.Hypervisor ?? ""),
    [labelKeys.encryptionInTransit]: String(info.NetworkInfo?.EncryptionInTransitSupported ?? false),
    [labelKeys.efa]: String(info.NetworkInfo?.EfaSupported ?? false),
  };
  const arch = kubernetesArch(info);
  if (arch) labels[labelKeys.arch] = arch;
  if (parsed.category !== undefined) labels[labelKeys.category] = parsed.category;
  if (parsed.generation !== undefined) labels[labelKeys.generation] = parsed.generation;
  const manufacturer = info.ProcessorInfo?.Manufacturer;
  if (manufacturer) labels[labelKeys.cpuManufacturer] = labelValue(manufacturer);
  const clock = info.ProcessorInfo?.SustainedClockSpeedInGhz;
  if (clock) labels[labelKeys.cpuClockMhz] = String(Math.round(clock * 1000));
  const bandwidthGbps = (info.NetworkInfo?.NetworkCards ?? []).reduce(
    (sum, card) => sum + (card.BaselineBandwidthInGbps ?? 0),
    0,
  );
  if (bandwidthGbps > 0) labels[labelKeys.networkBandwidth] = String(Math.round(bandwidthGbps * 1000)); // Mbps
  const ebs = info.EbsInfo?.EbsOptimizedInfo?.MaximumBandwidthInMbps;
  if (ebs) labels[labelKeys.ebsBandwidth] = String(ebs);
  const nvme = info.InstanceStorageInfo?.TotalSizeInGB;
  if (nvme && info.InstanceStorageInfo?.NvmeSupport !== "unsupported")
    labels[labelKeys.localNvme] = String(nvme); // GB
  const gpus = info.GpuInfo?.Gpus ?? [];
  const firstGpu = gpus[0];
  if (firstGpu) {
    labels[labelKeys.gpuCount] = String(gpus.reduce((sum, gpu) => sum + gpuDevices(gpu), 0));
    labels[labelKeys.gpuName] = labelValue(firstGpu.Name ?? "");
    labels[labelKeys.gpuManufacturer] = labelValue(firstGpu.Manufacturer ?? "");
    labels[labelKeys.gpuMemory] = String(firstGpu.MemoryInfo?.SizeInMiB ?? 0); // MiB per GPU
  }
  const neuron = info.NeuronInfo?.NeuronDevices ?? [];
  const firstNeuron = neuron[0];
  if (firstNeuron) {
    labels[labelKeys.acceleratorCount] = String(neuron.reduce((sum, device) => sum + (device.Count ?? 0), 0));
    labels[labelKeys.acceleratorName] = labelValue(firstNeuron.Name ?? "");
    labels[labelKeys.acceleratorManufacturer] = "aws";
  }
  return labels;
}
