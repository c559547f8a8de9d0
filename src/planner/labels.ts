// Well-known label keys the planner reasons about.
export const zoneLabel = "topology.kubernetes.io/zone";
export const regionLabel = "topology.kubernetes.io/region";
export const hostnameLabel = "kubernetes.io/hostname";
export const instanceTypeLabel = "node.kubernetes.io/instance-type";
export const capacityTypeLabel = "rafter.dev/capacity-type";
export const nodePoolLabel = "rafter.dev/nodepool";
export const unschedulableTaint = { key: "node.kubernetes.io/unschedulable", effect: "NoSchedule" } as const;
export const disruptedTaintKey = "rafter.dev/disrupted";
