// The ports the lifecycle controller needs, in one place: the composition root (src/app/lifecycle.ts)
// builds one LifecycleDeps and calls startLifecycle with it.
import type { Registry } from "prom-client";
import type { Clock, Timers } from "../../clock.js";
import type { Catalog } from "../../catalog/types.js";
import type { InterruptionSource } from "../../cloud/interruptions.js";
import type { CloudProvider } from "../../cloud/provider.js";
import type { UnavailableOfferings } from "../../cloud/unavailable-offerings.js";
import type { PodEvictor } from "../../kube/eviction.js";
import type { EventRecorder } from "../../kube/events.js";
import type { NodeClient } from "../../kube/node-client.js";
import type { VirtualNodeClient } from "../../kube/virtual-nodes.js";
import type { Logger } from "../../logging.js";
import type { NewNode, Plan, PlanOptions, PlanningSnapshot } from "../../planner/types.js";
import type { ClusterReader } from "../cluster-reader.js";
import type { RegistrationOutcomes } from "../registration-health.js";
import type { Result } from "../../domain/result.js";

/** The replacement VirtualNode's name, or why it could not be recorded. */
export type ProvisionResult = Result<string, string>;

/**
 * Launches replacement capacity the way the provisioner launches any new node: a VirtualNode is
 * created for `node` and handed to the launcher. `node.pods` are pods that run today on the nodes
 * being replaced: they are informational (they will move there once evicted), not reservations.
 */
export type ProvisionReplacement = (node: NewNode, reason: string) => Promise<ProvisionResult>;

export interface LifecycleConfig {
  /** A launch that has not produced an instance by then is abandoned (config.launchTimeout). */
  readonly launchTimeoutMs: number;
  /** A launched instance whose kubelet has not registered by then is terminated (config.registrationTimeout). */
  readonly registrationTimeoutMs: number;
  /** Untracked instances and instance-less Nodes older than this are removed (config.gcGracePeriod). */
  readonly gcGracePeriodMs: number;
  /** How often emptiness, expiry, drift and consolidation are evaluated. Default 10 s. */
  readonly disruptionIntervalMs?: number;
  /** Delay before a consolidation move is re-validated and executed. Default 15 s. */
  readonly validationDelayMs?: number;
  /** How long a Failed VirtualNode stays visible before it goes. Default 5 min. */
  readonly failedRetentionMs?: number;
  /** Garbage collection period. Default 2 min. */
  readonly gcIntervalMs?: number;
  /** A node Ready=False/Unknown this long is replaced (config.nodeRepairAfter); Infinity turns repair off. Default 30 min. */
  readonly nodeRepairAfterMs?: number;
  /** Replacements that do not become Ready by then abort their command. Default launch+registration timeouts. */
  readonly replacementTimeoutMs?: number;
}

export interface LifecycleDeps {
  readonly reader: ClusterReader;
  readonly nodes: NodeClient;
  readonly virtualNodes: Pick<VirtualNodeClient, "patchStatus" | "patchMetadata" | "delete">;
  readonly evictor: PodEvictor;
  readonly cloud: CloudProvider;
  readonly unavailableOfferings: UnavailableOfferings;
  /** The catalogue the provisioner plans with (CatalogSource.current). */
  readonly catalog: () => Promise<Catalog>;
  readonly plan: (snapshot: PlanningSnapshot, options?: PlanOptions) => Plan;
  readonly provision: ProvisionReplacement;
  /** Pods whose capacity failed before they were bound: plan them again (Provisioner.podsReleased). */
  readonly releasePods?: (podKeys: string[]) => void;
  /** Told each launch that joins the cluster or fails to (NodeRegistrationHealthy). */
  readonly registrationOutcomes?: RegistrationOutcomes;
  readonly events: EventRecorder;
  readonly registry: Registry;
  readonly clock: Clock;
  readonly timers: Timers;
  readonly logger: Logger;
  readonly config: LifecycleConfig;
  /** Spot interruption / state-change events (SQS on AWS); absent when no queue is configured. */
  readonly interruptionQueue?: InterruptionSource;
}
