// The lifecycle controllers (registration, termination, disruption, garbage collection, interruption)
// over the leader's provisioning path: replacements are recorded as VirtualNodes and handed to the
// same launcher, and pods whose capacity failed go back to the same provisioner.
import type { Clock, Timers } from "../clock.js";
import { createInterruptionSource } from "../cloud/factory.js";
import type { Config } from "../config.js";
import { fail, ok } from "../domain/result.js";
import type { ClusterReader } from "../controllers/cluster-reader.js";
import { startLifecycle, type LifecycleHandle } from "../controllers/lifecycle/index.js";
import type { RegistrationOutcomes } from "../controllers/registration-health.js";
import { recordVirtualNode } from "../controllers/virtual-node-factory.js";
import { ApiPodEvictor } from "../kube/eviction.js";
import { ApiNodeClient } from "../kube/node-client.js";
import type { Logger } from "../logging.js";
import { plan } from "../planner/index.js";
import type { Core } from "./core.js";
import type { Provisioning } from "./provisioning.js";

export interface LifecycleWiringDeps {
  readonly core: Pick<
    Core,
    | "clients"
    | "reader"
    | "virtualNodes"
    | "cloud"
    | "unavailableOfferings"
    | "catalog"
    | "events"
    | "registry"
  >;
  readonly provisioning: Provisioning;
  /** The reader the provisioner plans from (with registration health applied). */
  readonly planningReader: ClusterReader;
  readonly registrationOutcomes: RegistrationOutcomes;
  readonly clock: Clock;
  readonly timers: Timers;
  readonly logger: Logger;
  readonly env: Readonly<Record<string, string | undefined>>;
}

export function createLifecycle(config: Config, deps: LifecycleWiringDeps): LifecycleHandle {
  const { core, provisioning } = deps;
  const { reader, virtualNodes, events } = core;
  const interruptions = createInterruptionSource(config, deps.env);
  return startLifecycle({
    reader: deps.planningReader,
    nodes: new ApiNodeClient(core.clients.core),
    virtualNodes,
    evictor: new ApiPodEvictor(core.clients.core),
    cloud: core.cloud,
    unavailableOfferings: core.unavailableOfferings,
    catalog: () => core.catalog.current(),
    plan,
    // Replacements (expiry, drift, consolidation) are launched like any planned capacity, with no pods
    // reserved: the pods move there when their old node drains.
    provision: async (node, reason) => {
      const created = await recordVirtualNode(
        { reader, virtualNodes, events },
        node,
        [],
        `Replacement (${reason})`,
      );
      if (!created.ok) return fail(created.error.message);
      provisioning.launcher.launch(created.value);
      return ok(created.value.metadata.name ?? "");
    },
    releasePods: (keys) => {
      provisioning.provisioner.podsReleased(keys, "now");
    },
    registrationOutcomes: deps.registrationOutcomes,
    events,
    registry: core.registry,
    clock: deps.clock,
    timers: deps.timers,
    logger: deps.logger.child({ component: "lifecycle" }),
    config: {
      launchTimeoutMs: config.launchTimeout,
      registrationTimeoutMs: config.registrationTimeout,
      nodeRepairAfterMs: config.nodeRepairAfter,
      gcGracePeriodMs: config.gcGracePeriod,
      failedRetentionMs: config.failedRetention,
    },
    ...(interruptions ? { interruptionQueue: interruptions } : {}),
  });
}
