// The subset of EC2's DescribeInstanceTypes answer the catalogue is built from. Field names are
// EC2's own (PascalCase), so the AWS SDK's InstanceTypeInfo, moto's instance_types.json and the
// embedded snapshot all fit this shape without translation, and one builder serves all three.
// Every field is optional because EC2 omits what does not apply (no GpuInfo on a CPU type).

export interface Ec2InstanceTypeInfo {
  InstanceType?: string | undefined;
  CurrentGeneration?: boolean | undefined;
  BareMetal?: boolean | undefined;
  BurstablePerformanceSupported?: boolean | undefined;
  Hypervisor?: string | undefined;
  SupportedUsageClasses?: string[] | undefined;
  ProcessorInfo?:
    | {
        SupportedArchitectures?: string[] | undefined;
        Manufacturer?: string | undefined;
        SustainedClockSpeedInGhz?: number | undefined;
      }
    | undefined;
  VCpuInfo?: { DefaultVCpus?: number | undefined } | undefined;
  MemoryInfo?: { SizeInMiB?: number | undefined } | undefined;
  NetworkInfo?:
    | {
        MaximumNetworkInterfaces?: number | undefined;
        Ipv4AddressesPerInterface?: number | undefined;
        EfaSupported?: boolean | undefined;
        EncryptionInTransitSupported?: boolean | undefined;
        DefaultNetworkCardIndex?: number | undefined;
        NetworkCards?:
          | {
              NetworkCardIndex?: number | undefined;
              MaximumNetworkInterfaces?: number | undefined;
              BaselineBandwidthInGbps?: number | undefined;
            }[]
          | undefined;
      }
    | undefined;
  EbsInfo?: { EbsOptimizedInfo?: { MaximumBandwidthInMbps?: number | undefined } | undefined } | undefined;
  GpuInfo?:
    | {
        Gpus?:
          | {
              Name?: string | undefined;
              Manufacturer?: string | undefined;
              Count?: number | undefined;
              /** Devices the guest sees; 1 for a fractional GPU (g6f), whose Count is 0. */
              LogicalGpuCount?: number | undefined;
              MemoryInfo?: { SizeInMiB?: number | undefined } | undefined;
            }[]
          | undefined;
      }
    | undefined;
  NeuronInfo?:
    | {
        NeuronDevices?:
          | {
              Name?: string | undefined;
              Count?: number | undefined;
              CoreInfo?: { Count?: number | undefined } | undefined;
              MemoryInfo?: { SizeInMiB?: number | undefined } | undefined;
            }[]
          | undefined;
      }
    | undefined;
  InstanceStorageInfo?: { TotalSizeInGB?: number | undefined; NvmeSupport?: string | undefined } | undefined;
}

/** Reduces a full DescribeInstanceTypes entry to the fields above (what the embedded snapshot stores). */
export function reduceInstanceTypeInfo(info: Ec2InstanceTypeInfo): Ec2InstanceTypeInfo {
  const out: Ec2InstanceTypeInfo = {
    InstanceType: info.InstanceType,
    CurrentGeneration: info.CurrentGeneration,
    BareMetal: info.BareMetal,
    BurstablePerformanceSupported: info.BurstablePerformanceSupported,
    Hypervisor: info.Hypervisor,
    SupportedUsageClasses: info.SupportedUsageClasses,
    ProcessorInfo: {
      SupportedArchitectures: info.ProcessorInfo?.SupportedArchitectures,
      Manufacturer: info.ProcessorInfo?.Manufacturer,
      SustainedClockSpeedInGhz: info.ProcessorInfo?.SustainedClockSpeedInGhz,
    },
    VCpuInfo: { DefaultVCpus: info.VCpuInfo?.DefaultVCpus },
    MemoryInfo: { SizeInMiB: info.MemoryInfo?.SizeInMiB },
    NetworkInfo: {
      MaximumNetworkInterfaces: info.NetworkInfo?.MaximumNetworkInterfaces,
      Ipv4AddressesPerInterface: info.NetworkInfo?.Ipv4AddressesPerInterface,
      EfaSupported: info.NetworkInfo?.EfaSupported,
      EncryptionInTransitSupported: info.NetworkInfo?.EncryptionInTransitSupported,
      DefaultNetworkCardIndex: info.NetworkInfo?.DefaultNetworkCardIndex,
      NetworkCards: info.NetworkInfo?.NetworkCards?.map((card) => ({
        NetworkCardIndex: card.NetworkCardIndex,
        MaximumNetworkInterfaces: card.MaximumNetworkInterfaces,
        BaselineBandwidthInGbps: card.BaselineBandwidthInGbps,
      })),
    },
    EbsInfo: {
      EbsOptimizedInfo: { MaximumBandwidthInMbps: info.EbsInfo?.EbsOptimizedInfo?.MaximumBandwidthInMbps },
    },
  };
  if (info.GpuInfo?.Gpus?.length) {
    out.GpuInfo = {
      Gpus: info.GpuInfo.Gpus.map((gpu) => ({
        Name: gpu.Name,
        Manufacturer: gpu.Manufacturer,
        Count: gpu.Count,
        LogicalGpuCount: gpu.LogicalGpuCount,
        MemoryInfo: { SizeInMiB: gpu.MemoryInfo?.SizeInMiB },
      })),
    };
  }
  if (info.NeuronInfo?.NeuronDevices?.length) {
    out.NeuronInfo = {
      NeuronDevices: info.NeuronInfo.NeuronDevices.map((device) => ({
        Name: device.Name,
        Count: device.Count,
        CoreInfo: { Count: device.CoreInfo?.Count },
        MemoryInfo: { SizeInMiB: device.MemoryInfo?.SizeInMiB },
      })),
    };
  }
  if (info.InstanceStorageInfo?.TotalSizeInGB) {
    out.InstanceStorageInfo = {
      TotalSizeInGB: info.InstanceStorageInfo.TotalSizeInGB,
      NvmeSupport: info.InstanceStorageInfo.NvmeSupport,
    };
  }
  return stripUndefined(out);
}

/** JSON.stringify drops undefined anyway; stripping it keeps deep-equality comparisons honest. */
function stripUndefined<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}
