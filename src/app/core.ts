// What every replica runs, leading or not: the Kubernetes clients, the informers and the scheduling
// state they feed (what the extender answers from), the cloud, metrics and events. Built once; the
// other factories in this folder take the parts they need from it.
import { Gauge } from "prom-client";
import { priceSources } from "../catalog/on-demand-prices.js";
import type { Clock, Timers } from "../clock.js";
import type { ClusterBootstrap } from "../cloud/cluster-bootstrap.js";
import { createCloudProvider } from "../cloud/factory.js";
import type { CloudProvider } from "../cloud/provider.js";
import { UnavailableOfferings } from "../cloud/unavailable-offerings.js";
import type { Config } from "../config.js";
import { CatalogSource } from "../controllers/catalog-source.js";
import { readerFor, type ClusterReader } from "../controllers/cluster-reader.js";
import { recordVirtualNodePhases } from "../controllers/virtual-node-metrics.js";
import { feedSchedulingState } from "../controllers/wiring.js";
import { ApiBinder, type Binder } from "../kube/binder.js";
import type { KubeConfig } from "@kubernetes/client-node";
import { createKubeClients, type KubeClients } from "../kube/clients.js";
import { ClusterCache } from "../kube/cluster-cache.js";
import { ApiEventRecorder, type EventRecorder } from "../kube/events.js";
import { VirtualNodeClient } from "../kube/virtual-nodes.js";
import type { Logger } from "../logging.js";
import { provisioningMetrics, type ProvisioningMetrics } from "../metrics/provisioning.js";
import { createMetricsRegistry } from "../metrics/registry.js";
import type { Registry } from "prom-client";
import { createSchedulingState, isBoundTo, type SchedulingState } from "../state/scheduling-state.js";

export interface CoreDeps {
  /** Loaded (and so checked) by the caller before anything starts. */
  readonly kubeConfig: KubeConfig;
  /** What nodes need to join the cluster (discovered at start on AWS). */
  readonly bootstrap?: ClusterBootstrap;
  readonly clock: Clock;
  readonly timers: Timers;
  readonly logger: Logger;
  readonly env: Readonly<Record<string, string | undefined>>;
}

export interface Core {
  readonly clients: KubeClients;
  readonly cache: ClusterCache;
  readonly reader: ClusterReader;
  readonly scheduling: SchedulingState;
  readonly registry: Registry;
  readonly metrics: ProvisioningMetrics;
  readonly events: EventRecorder;
  readonly unavailableOfferings: UnavailableOfferings;
  readonly cloud: CloudProvider;
  readonly catalog: CatalogSource;
  readonly binder: Binder;
  /** The one VirtualNode client: the provisioner, the launcher and the lifecycle controllers share it. */
  readonly virtualNodes: VirtualNodeClient;
}

export function createCore(config: Config, deps: CoreDeps): Core {
  const { clock, logger } = deps;
  const clients = createKubeClients(deps.kubeConfig);
  const registry = createMetricsRegistry({ defaultMetrics: true });
  const metrics = provisioningMetrics(registry);
  const cache = new ClusterCache(clients, logger.child({ component: "informers" }));
  const reader = readerFor(cache);
  const scheduling = createSchedulingState({ clock });
  const unavailableOfferings = new UnavailableOfferings({ clock });
  const priceSource = new Gauge({
    name: "rafter_price_source",
    help: "on-demand price source in use (1): pricing-api, embedded, or us-east-1-estimate",
    labelNames: ["source"],
    registers: [registry],
  });
  const cloud = createCloudProvider(config, {
    env: deps.env,
    clock,
    logger: logger.child({ component: "cloud" }),
    unavailableOfferings,
    ...(deps.bootstrap ? { bootstrap: deps.bootstrap } : {}),
    timers: deps.timers,
    onPriceSource: (source) => {
      for (const each of priceSources) priceSource.set({ source: each }, each === source ? 1 : 0);
    },
  });
  feedSchedulingState(cache, scheduling, {
    onVirtualNode: () => {
      recordVirtualNodePhases(reader, metrics);
    },
  });
  return {
    clients,
    cache,
    reader,
    scheduling,
    registry,
    metrics,
    events: new ApiEventRecorder(clients.core, clock, logger),
    unavailableOfferings,
    cloud,
    catalog: new CatalogSource(reader, cloud, config.region, logger.child({ component: "catalog" })),
    binder: new ApiBinder(clients.core, {
      alreadyBound: (podUID, nodeName) => isBoundTo(scheduling, podUID, nodeName),
    }),
    virtualNodes: new VirtualNodeClient(clients.custom),
  };
}
