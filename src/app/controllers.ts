// The leader's controllers: the provisioning path, the lifecycle controllers and NodePool status,
// started once this replica leads and stopped when `signal` aborts (shutdown or lost leadership).
import type { Clock, Timers } from "../clock.js";
import type { Config } from "../config.js";
import { Debounced } from "../controllers/debounced.js";
import { reconcileStatuses } from "../controllers/nodepool-status.js";
import { RegistrationHealth, withRegistrationHealth } from "../controllers/registration-health.js";
import { resumeInFlight } from "../controllers/resume.js";
import { wireControllers } from "../controllers/wiring.js";
import type { Failpoint } from "../failpoint.js";
import { ApiStatusWriter } from "../kube/custom-status.js";
import { ApiNodeWriter } from "../kube/nodes.js";
import type { Logger } from "../logging.js";
import type { Core } from "./core.js";
import { createLifecycle } from "./lifecycle.js";
import { createProvisioning } from "./provisioning.js";

export interface ControllersDeps {
  readonly core: Core;
  readonly clock: Clock;
  readonly timers: Timers;
  readonly logger: Logger;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Crash-test hook (src/failpoint.ts); absent in normal runs. */
  readonly failpoint?: Failpoint;
  /** The controllers stop when it aborts. */
  readonly signal: AbortSignal;
}

export function startControllers(config: Config, deps: ControllersDeps): void {
  if (deps.signal.aborted) return; // leadership came as the process was stopping
  const { core, clock, timers, logger } = deps;
  const { reader, cloud } = core;
  // NodePool status (node counts, resources, NodeRegistrationHealthy) follows capacity as it comes
  // and goes, and a registration outcome is published at once.
  const statuses = new Debounced(
    "status",
    2_000,
    () =>
      reconcileStatuses({
        reader,
        cloud,
        writer: new ApiStatusWriter(core.clients.custom),
        clock,
        logger: logger.child({ component: "status" }),
        registrationHealth,
      }),
    timers,
    logger,
  );
  const registrationHealth = new RegistrationHealth({
    clock,
    nodePools: () => reader.nodePools(),
    onChange: () => {
      statuses.request(0);
    },
  });
  // Planning sees a pool's failed registrations at once, not after the status write round-trips.
  const planningReader = withRegistrationHealth(reader, registrationHealth);
  const provisioning = createProvisioning({
    reader,
    planningReader,
    ledger: core.scheduling.ledger,
    cloud,
    catalog: core.catalog,
    unavailableOfferings: core.unavailableOfferings,
    virtualNodes: core.virtualNodes,
    nodes: new ApiNodeWriter(core.clients.core),
    binder: core.binder,
    events: core.events,
    metrics: core.metrics,
    clock,
    timers,
    logger,
    region: config.region,
    batchIdleMs: config.batchIdle,
    batchMaxMs: config.batchMax,
    ...(deps.failpoint ? { failpoint: deps.failpoint } : {}),
  });
  statuses.request(0);
  resumeInFlight(reader, provisioning.launcher, core.scheduling.ledger);
  const lifecycle = createLifecycle(config, {
    core,
    provisioning,
    planningReader,
    registrationOutcomes: registrationHealth,
    clock,
    timers,
    logger,
    env: deps.env,
  });
  const { provisioner } = provisioning;
  wireControllers(core.cache, {
    podChanged: (pod) => {
      provisioner.podChanged(pod);
    },
    capacityChanged: () => {
      provisioner.capacityChanged();
    },
    onPod: (pod) => {
      lifecycle.onPod(pod);
    },
    onNode: (node) => {
      statuses.request();
      lifecycle.onNode(node);
      provisioning.launcher.nodeUpdated(node);
    },
    onNodeDeleted: (node) => {
      provisioning.launcher.nodeDeleted(node.metadata?.name ?? "");
    },
    onVirtualNode: (virtualNode) => {
      statuses.request();
      lifecycle.onVirtualNode(virtualNode);
    },
    onPoolChange: () => {
      statuses.request();
    },
  });
  for (const pod of reader.pods()) provisioner.podChanged(pod);
  deps.signal.addEventListener(
    "abort",
    () => {
      provisioning.stop();
      lifecycle.stop();
      statuses.stop();
    },
    { once: true },
  );
  logger.info("controllers started");
}
