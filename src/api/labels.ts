// Well-known label and taint keys, defined once: the Kubernetes ones rafter reads and sets, and
// rafter's own. The planner reasons about them, the catalogue labels instance types with them, the
// controllers put them on Nodes and the validator keeps NodePools from setting the reserved ones.
// A key that means the same as one of these (another project's name for it) belongs here too, beside
// the key it stands for, so that every reader finds both in one table.

export const labelKeys = {
  // Kubernetes' well-known labels.
  arch: "kubernetes.io/arch",
  os: "kubernetes.io/os",
  hostname: "kubernetes.io/hostname",
  instanceType: "node.kubernetes.io/instance-type",
  zone: "topology.kubernetes.io/zone",
  region: "topology.kubernetes.io/region",
  // rafter's labels on a Node: how it is bought, its NodePool, and that it finished registering.
  capacityType: "rafter.dev/capacity-type",
  nodePool: "rafter.dev/nodepool",
  initialized: "rafter.dev/initialized",
  // The instance type's attributes a NodePool requirement or a pod's node affinity may select on.
  family: "rafter.dev/instance-family",
  category: "rafter.dev/instance-category",
  generation: "rafter.dev/instance-generation",
  size: "rafter.dev/instance-size",
  cpu: "rafter.dev/instance-cpu",
  cpuManufacturer: "rafter.dev/instance-cpu-manufacturer",
  cpuClockMhz: "rafter.dev/instance-cpu-sustained-clock-speed-mhz",
  memory: "rafter.dev/instance-memory",
  hypervisor: "rafter.dev/instance-hypervisor",
  networkBandwidth: "rafter.dev/instance-network-bandwidth",
  ebsBandwidth: "rafter.dev/instance-ebs-bandwidth",
  encryptionInTransit: "rafter.dev/instance-encryption-in-transit-supported",
  efa: "rafter.dev/instance-efa-supported",
  localNvme: "rafter.dev/instance-local-nvme",
  gpuCount: "rafter.dev/instance-gpu-count",
  gpuName: "rafter.dev/instance-gpu-name",
  gpuManufacturer: "rafter.dev/instance-gpu-manufacturer",
  gpuMemory: "rafter.dev/instance-gpu-memory",
  acceleratorCount: "rafter.dev/instance-accelerator-count",
  acceleratorName: "rafter.dev/instance-accelerator-name",
  acceleratorManufacturer: "rafter.dev/instance-accelerator-manufacturer",
} as const;

/** The taint the node lifecycle controller puts on a cordoned Node. */
export const unschedulableTaint = { key: "node.kubernetes.io/unschedulable", effect: "NoSchedule" } as const;
/** rafter's NoSchedule taint on a Node it is draining (termination, disruption). */
export const disruptedTaintKey = "rafter.dev/disrupted";

// Karpenter's names for the keys above, and the keys rafter leaves to Karpenter: one file of their own.
export {
  karpenterLabelAliases,
  karpenterOwnedNodeLabels,
  karpenterDoNotDisruptAnnotation,
} from "./karpenter-labels.js";
