import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  computeAllocatable,
  evictionThreshold,
  computeCapacity,
  eniLimitedMaxPods,
  kubeReservedCpuMillis,
  kubeReservedMemoryBytes,
} from "../../src/catalog/allocatable.js";
import type { Ec2InstanceTypeInfo } from "../../src/catalog/ec2-info.js";

const MiB = 2 ** 20;
const m5large: Ec2InstanceTypeInfo = {
  InstanceType: "m5.large",
  ProcessorInfo: { SupportedArchitectures: ["x86_64"] },
  VCpuInfo: { DefaultVCpus: 2 },
  MemoryInfo: { SizeInMiB: 8192 },
  NetworkInfo: { MaximumNetworkInterfaces: 3, Ipv4AddressesPerInterface: 10 },
};

describe("EKS reserve formulas", () => {
  const cpuCases: [vcpus: number, millis: number][] = [
    [1, 60],
    [2, 70],
    [4, 80],
    [8, 90],
    [96, 310],
  ];
  for (const [vcpus, millis] of cpuCases) {
    it(`kube-reserved cpu for ${vcpus} vCPU is ${millis}m`, () => {
      assert.equal(kubeReservedCpuMillis(vcpus), millis);
    });
  }
  it("kube-reserved memory is 11Mi per pod + 255Mi", () => {
    assert.equal(kubeReservedMemoryBytes(29), (11 * 29 + 255) * MiB);
  });
});

describe("max pods from ENI limits", () => {
  it("m5.large: 3 × (10 − 1) + 2 = 29", () => {
    assert.equal(eniLimitedMaxPods(m5large), 29);
  });
  it("counts only the default network card's interfaces", () => {
    const info: Ec2InstanceTypeInfo = {
      NetworkInfo: {
        MaximumNetworkInterfaces: 60,
        Ipv4AddressesPerInterface: 50,
        DefaultNetworkCardIndex: 0,
        NetworkCards: [0, 1, 2, 3].map((i) => ({ NetworkCardIndex: i, MaximumNetworkInterfaces: 15 })),
      },
    };
    assert.equal(eniLimitedMaxPods(info), 737);
  });
});

describe("capacity and allocatable", () => {
  it("subtracts VM overhead, reserves and eviction threshold", () => {
    const capacity = computeCapacity(m5large);
    assert.equal(capacity.cpu, 2000);
    assert.equal(capacity.memory, (8192 - Math.ceil(8192 * 0.075)) * MiB);
    assert.equal(capacity.pods, 29);
    const allocatable = computeAllocatable(m5large, capacity);
    assert.equal(allocatable.cpu, 2000 - 70 - 100);
    assert.equal(allocatable.memory, capacity.memory - (11 * 29 + 255) * MiB - 100 * MiB - 100 * MiB);
    assert.equal(allocatable.pods, 29);
  });
  it("honours EC2NodeClass kubelet overrides", () => {
    const kubelet = { maxPods: 110, systemReserved: { cpu: "0", memory: "0" }, evictionHard: {} };
    const capacity = computeCapacity(m5large, { kubelet });
    assert.equal(capacity.pods, 110);
    const allocatable = computeAllocatable(m5large, capacity, { kubelet });
    assert.equal(allocatable.cpu, 2000 - 70);
    assert.equal(allocatable.memory, capacity.memory! - (11 * 110 + 255) * MiB);
  });
  it("exposes accelerators as extended resources", () => {
    const capacity = computeCapacity({
      ...m5large,
      GpuInfo: { Gpus: [{ Name: "A100", Manufacturer: "NVIDIA", Count: 8 }] },
      NeuronInfo: { NeuronDevices: [{ Name: "Inferentia2", Count: 2, CoreInfo: { Count: 2 } }] },
    });
    assert.equal(capacity["nvidia.com/gpu"], 8);
    assert.equal(capacity["aws.amazon.com/neuron"], 2);
    assert.equal(capacity["aws.amazon.com/neuroncore"], 4);
  });
});

describe("eviction thresholds", () => {
  it("takes a percentage as the kubelet does: float32 fraction, truncated", () => {
    // the real kubelet's figures for a 264212084Ki filesystem with nodefs.available 10% (e2e scenario 41)
    assert.equal(evictionThreshold("10%", 270553174016, "ephemeral-storage"), 27055317804);
    assert.equal(evictionThreshold("5%", 1000, "ephemeral-storage"), 50);
    assert.equal(evictionThreshold("100Mi", 1e12, "memory"), 100 * MiB);
    assert.equal(evictionThreshold(undefined, 1e12, "memory"), 0);
  });
});
