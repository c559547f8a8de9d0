// NodePool (nodepools.rafter.dev): what may be launched, its limits and how it may be disrupted.
import type { Condition, KubeObject, NodeSelectorRequirementWithMinValues, Taint } from "./common.js";

export type ConsolidationPolicy = "WhenEmpty" | "WhenEmptyOrUnderutilized";
export type DisruptionReason = "Empty" | "Underutilized" | "Drifted";

export interface NodeClassReference {
  group: string;
  kind: string;
  name: string;
}

export interface DisruptionBudget {
  /** A count ("3") or a percentage of the NodePool's nodes ("10%"). */
  nodes: string;
  /** Cron schedule at which the budget becomes active; requires `duration`. */
  schedule?: string;
  /** How long the budget stays active after each `schedule` tick, e.g. "1h30m". */
  duration?: string;
  /** Reasons the budget applies to; all reasons when absent. */
  reasons?: DisruptionReason[];
}

export interface NodePoolSpec {
  template: {
    metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> };
    spec: {
      requirements?: NodeSelectorRequirementWithMinValues[];
      taints?: Taint[];
      startupTaints?: Taint[];
      nodeClassRef: NodeClassReference;
      /** Duration ("720h") or "Never". */
      expireAfter?: string;
      terminationGracePeriod?: string;
    };
  };
  disruption?: {
    consolidationPolicy?: ConsolidationPolicy;
    /** Duration or "Never". */
    consolidateAfter?: string;
    /**
     * How much cheaper than the nodes it replaces a consolidation replacement must be, as a percentage
     * of their price (default "15%"); deletions always qualify. Anti-churn: a move that saves a cent an
     * hour is not worth a node's pods being restarted. The default is measured (`npm run bench:churn`,
     * README "Disruption and consolidation"): it skips the ~12% same-size family swaps that a
     * fluctuating workload undoes before they pay for their launch-and-drain overlap.
     */
    replacementSavings?: string;
    budgets?: DisruptionBudget[];
  };
  /** Resource limits over all the NodePool's nodes; `nodes` limits the node count. */
  limits?: Record<string, string | number>;
  weight?: number;
}

export interface NodePoolStatus {
  resources?: Record<string, string>;
  nodes?: number;
  conditions?: Condition[];
}

/**
 * NodePool condition: False while the pool's latest launch failed to register (or to launch); the
 * planner then tries the pool after every healthy one.
 */
export const nodeRegistrationHealthy = "NodeRegistrationHealthy";

export type NodePool = KubeObject<NodePoolSpec, NodePoolStatus> & { kind: "NodePool" };

export const nodePoolDefaults = {
  expireAfter: "720h",
  consolidationPolicy: "WhenEmptyOrUnderutilized" as ConsolidationPolicy,
  consolidateAfter: "0s",
  replacementSavings: "15%",
  budgets: [{ nodes: "10%" }] as DisruptionBudget[],
  weight: 0,
} as const;
