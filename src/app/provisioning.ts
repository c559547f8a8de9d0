// The provisioning path: the provisioner (batches pending pods, plans, records VirtualNodes) and the
// launcher (cloud launch → Node → admission-time binding), connected both ways. The composition root
// and the provisioning tests build it with this one function.
import type { UnavailableOfferings } from "../cloud/unavailable-offerings.js";
import type { CatalogSource } from "../controllers/catalog-source.js";
import type { ClusterReader } from "../controllers/cluster-reader.js";
import { Launcher, type LauncherDeps } from "../controllers/launcher.js";
import { Provisioner } from "../controllers/provisioner.js";
import type { VirtualNodeClient } from "../kube/virtual-nodes.js";
import { plan } from "../planner/index.js";

export interface ProvisioningDeps extends Pick<
  LauncherDeps,
  | "cloud"
  | "nodes"
  | "binder"
  | "ledger"
  | "events"
  | "metrics"
  | "clock"
  | "timers"
  | "logger"
  | "region"
  | "failpoint"
> {
  /** The cluster as the informers show it (what the launcher binds against). */
  readonly reader: ClusterReader;
  /** What the provisioner plans from; default `reader` (the root adds registration health to it). */
  readonly planningReader?: ClusterReader;
  readonly catalog: Pick<CatalogSource, "current" | "instanceType">;
  readonly unavailableOfferings: Pick<UnavailableOfferings, "keys">;
  readonly virtualNodes: Pick<VirtualNodeClient, "create" | "patchStatus">;
  readonly batchIdleMs: number;
  readonly batchMaxMs: number;
}

export interface Provisioning {
  readonly provisioner: Provisioner;
  readonly launcher: Launcher;
  stop(): void;
}

export function createProvisioning(deps: ProvisioningDeps): Provisioning {
  const { catalog, clock, timers, logger } = deps;
  const launcher = new Launcher({
    reader: deps.reader,
    cloud: deps.cloud,
    virtualNodes: deps.virtualNodes,
    nodes: deps.nodes,
    binder: deps.binder,
    ledger: deps.ledger,
    events: deps.events,
    metrics: deps.metrics,
    clock,
    timers,
    logger: logger.child({ component: "launcher" }),
    region: deps.region,
    instanceType: (name) => catalog.instanceType(name),
    ...(deps.failpoint ? { failpoint: deps.failpoint } : {}),
    // A launch that gave up hands its pods back to be planned again. The provisioner is built on
    // the next statement; a launch (and so a release) can only start after that.
    onPodsReleased: (keys, urgency) => {
      provisioner.podsReleased(keys, urgency);
    },
  });
  const provisioner = new Provisioner({
    reader: deps.planningReader ?? deps.reader,
    ledger: deps.ledger,
    catalog: () => catalog.current(),
    unavailableOfferings: () => deps.unavailableOfferings.keys(),
    plan,
    virtualNodes: deps.virtualNodes,
    launch: (virtualNode) => {
      launcher.launch(virtualNode);
    },
    join: (virtualNode, pods) => {
      launcher.join(virtualNode, pods);
    },
    bindToNode: (nodeName, pods) => {
      launcher.bindToNode(nodeName, pods);
    },
    events: deps.events,
    metrics: deps.metrics,
    clock,
    timers,
    logger: logger.child({ component: "provisioner" }),
    batchIdleMs: deps.batchIdleMs,
    batchMaxMs: deps.batchMaxMs,
  });
  return {
    provisioner,
    launcher,
    stop: () => {
      provisioner.stop();
    },
  };
}
