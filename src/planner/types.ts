// The planner's contract: an immutable snapshot in, a plan out. The provisioner, the extender's
// reservations and consolidation all call plan() with these shapes, and `rafter plan` builds them
// from YAML. Kubernetes objects are @kubernetes/client-node types used as plain data.
import type {
  V1DaemonSet,
  V1Namespace,
  V1Node,
  V1PersistentVolume,
  V1PersistentVolumeClaim,
  V1Pod,
  V1StorageClass,
} from "@kubernetes/client-node";
import type { NodeSelectorRequirementWithMinValues, CapacityType } from "../api/common.js";
import type { NodePool } from "../api/nodepool.js";
import type { Catalog } from "../catalog/types.js";
import type { Resources } from "../domain/resources.js";

/** A real node with the pods bound to it. */
export interface SnapshotNode {
  readonly node: V1Node;
  readonly pods: readonly V1Pod[];
  /** Being drained or replaced: no new pods go there (consolidation also uses this to simulate removal). */
  readonly markedForDeletion?: boolean;
}

/** Capacity already planned or launching: a VirtualNode and the pods it holds. */
export interface InFlightNode {
  readonly name: string;
  readonly nodePool: string;
  readonly requirements: readonly NodeSelectorRequirementWithMinValues[];
  /** Instance types it may still launch as; a new pod must fit every one of them. */
  readonly instanceTypes: readonly string[];
  readonly pods: readonly V1Pod[];
  /** Set once the offering is chosen (launched). */
  readonly instanceType?: string;
  readonly zone?: string;
  readonly capacityType?: CapacityType;
}

export interface PlanningSnapshot {
  readonly pendingPods: readonly V1Pod[];
  readonly nodes: readonly SnapshotNode[];
  readonly inFlight: readonly InFlightNode[];
  readonly nodePools: readonly NodePool[];
  readonly catalog: Catalog;
  readonly daemonSets: readonly V1DaemonSet[];
  readonly persistentVolumeClaims: readonly V1PersistentVolumeClaim[];
  readonly persistentVolumes: readonly V1PersistentVolume[];
  readonly storageClasses: readonly V1StorageClass[];
  /** For namespaceSelector in affinity terms; missing namespaces only carry their name label. */
  readonly namespaces?: readonly V1Namespace[];
  /** offeringKey() of offerings that recently failed with insufficient capacity. */
  readonly unavailableOfferings: ReadonlySet<string>;
  /**
   * Per NodePool: resources (capacity, canonical units, plus `nodes`) already used, for limits.
   * When absent for a pool it is derived from the snapshot's nodes and in-flight nodes.
   */
  readonly nodePoolUsage?: Readonly<Record<string, Resources>>;
}

/** Solves the lower-bound LP (CPLEX LP format); `highs` satisfies it once loaded. */
export interface LpSolver {
  solve(
    problem: string,
    options?: Record<string, unknown>,
  ): { Status: string; ObjectiveValue: number; Columns: Record<string, { Primal?: number }> };
}

export interface PlanOptions {
  /** Prefix of new node names ("<prefix>-<n>"); callers make it unique per batch. */
  readonly namePrefix?: string;
  /** Max instance types listed per new node (the launch takes at most 60). */
  readonly maxInstanceTypes?: number;
  /** Packing runs with different node-size targets; the cheapest wins. 1 = plain first-fit-decreasing. */
  readonly packingRuns?: number;
  /** Deterministic work budget (node fit checks) for extra runs and improvement passes. */
  readonly workBudget?: number;
  /** Disable improvement passes (merge/downsize); used to measure the baseline. */
  readonly improve?: boolean;
  /** When given, the LP lower bound is computed with it and reported. */
  readonly lpSolver?: LpSolver;
}

export interface Placement {
  readonly pod: string;
  readonly node: string;
}

export interface NewNode {
  readonly name: string;
  readonly nodePool: string;
  /** Every type here hosts all pods plus DaemonSet overhead; cheapest first. */
  readonly instanceTypes: readonly string[];
  readonly zones: readonly string[];
  readonly capacityTypes: readonly CapacityType[];
  readonly requirements: readonly NodeSelectorRequirementWithMinValues[];
  readonly pods: readonly string[];
  /** Cheapest offering among instanceTypes × zones × capacityTypes. */
  readonly hourlyPrice: number;
  /** Pods' requests plus DaemonSet overhead of the cheapest type. */
  readonly requests: Resources;
}

export interface Unschedulable {
  readonly pod: string;
  readonly reason: string;
}

export interface Plan {
  readonly placements: readonly Placement[];
  readonly newNodes: readonly NewNode[];
  readonly unschedulable: readonly Unschedulable[];
  readonly hourlyCost: number;
  /** LP lower bound on the new capacity's cost; undefined unless an LP solver was given. */
  readonly lowerBound?: number;
  /** hourlyCost / lowerBound (1 when both are zero). */
  readonly efficiency?: number;
}
