// Composition root: config → logger → clients → informers → extender and health servers → (when
// leading) provisioner and launcher → orderly shutdown on SIGTERM/SIGINT.
import { hostname } from "node:os";
import { systemClock, systemTimers } from "./clock.js";
import { UnavailableOfferings } from "./cloud/unavailable-offerings.js";
import type { Config } from "./config.js";
import { CatalogSource } from "./controllers/catalog-source.js";
import { Debounced } from "./controllers/debounced.js";
import { reconcileStatuses } from "./controllers/nodepool-status.js";
import { failpointFrom } from "./failpoint.js";
import { RegistrationHealth, withRegistrationHealth } from "./controllers/registration-health.js";
import { readerFor } from "./controllers/cluster-reader.js";
import { startLifecycle, type LifecycleHandle } from "./controllers/lifecycle/index.js";
import { resumeInFlight } from "./controllers/resume.js";
import { recordVirtualNode } from "./controllers/virtual-node-factory.js";
import { recordVirtualNodePhases } from "./controllers/virtual-node-metrics.js";
import { Launcher } from "./controllers/launcher.js";
import { deviceAwareBinder } from "./controllers/binding-policy.js";
import { Provisioner } from "./controllers/provisioner.js";
import { wireInformers } from "./controllers/wiring.js";
import { createExtenderListener } from "./extender/app.js";
import { ApiBinder } from "./kube/binder.js";
import { ApiStatusWriter } from "./kube/custom-status.js";
import { createKubeClients, loadKubeConfig } from "./kube/clients.js";
import { ClusterCache } from "./kube/cluster-cache.js";
import { ApiEventRecorder } from "./kube/events.js";
import { LeaderElector, leaseWatch } from "./kube/leader-election.js";
import { ApiPodEvictor } from "./kube/eviction.js";
import { ApiNodeClient } from "./kube/node-client.js";
import { ApiNodeWriter } from "./kube/nodes.js";
import { VirtualNodeClient } from "./kube/virtual-nodes.js";
import { createLogger } from "./logging.js";
import { provisioningMetrics } from "./metrics/provisioning.js";
import { createMetricsRegistry } from "./metrics/registry.js";
import { plan } from "./planner/index.js";
import { createHealthApp } from "./server/health.js";
import { listen, type RunningServer } from "./server/listen.js";
import { createSchedulingState, isBoundTo } from "./state/scheduling-state.js";
import { createCloudProvider, createInterruptionSource, discoverBootstrap } from "./cloud/factory.js";
import { fail, ok } from "./domain/result.js";
import { priceSources } from "./catalog/on-demand-prices.js";
import { Gauge } from "prom-client";
import { kubeconfigCaBundle, serverGitVersion } from "./kube/cluster-info.js";

export async function runRafter(config: Config): Promise<void> {
  const logger = createLogger({ level: config.logLevel, format: config.logFormat });
  const clock = systemClock;
  const timers = systemTimers();
  const identity = `${hostname()}-${process.pid}`;
  logger.info(
    { clusterName: config.clusterName, region: config.region, cloud: config.cloud, identity },
    "rafter starting",
  );

  const kubeConfig = loadKubeConfig(config.kubeconfig);
  // Before anything listens: a cluster nodes could not join is a startup error, not a slow failure.
  const bootstrap =
    config.cloud === "aws"
      ? await discoverBootstrap(config, process.env, {
          caBundle: () => kubeconfigCaBundle(kubeConfig),
          serverVersion: () => serverGitVersion(kubeConfig),
        })
      : undefined;
  if (bootstrap)
    logger.info(
      {
        endpoint: bootstrap.endpoint,
        serviceCidr: bootstrap.serviceCidr,
        kubernetesVersion: bootstrap.kubernetesVersion,
      },
      "cluster bootstrap",
    );
  const clients = createKubeClients(kubeConfig);
  const registry = createMetricsRegistry({ defaultMetrics: true });
  const metrics = provisioningMetrics(registry);
  const cache = new ClusterCache(clients, logger.child({ component: "informers" }));
  const reader = readerFor(cache);
  const scheduling = createSchedulingState({ clock });
  const events = new ApiEventRecorder(clients.core, clock, logger);
  const unavailable = new UnavailableOfferings({ clock });
  const priceSource = new Gauge({
    name: "rafter_price_source",
    help: "on-demand price source in use (1): pricing-api, embedded, or us-east-1-estimate",
    labelNames: ["source"],
    registers: [registry],
  });
  const cloud = createCloudProvider(config, {
    env: process.env,
    clock,
    logger: logger.child({ component: "cloud" }),
    unavailableOfferings: unavailable,
    bootstrap,
    timers,
    onPriceSource: (source) => {
      for (const each of priceSources) priceSource.set({ source: each }, each === source ? 1 : 0);
    },
  });
  const binder = new ApiBinder(clients.core, {
    alreadyBound: (podUID, nodeName) => isBoundTo(scheduling, podUID, nodeName),
  });

  let leading = !config.leaderElect;
  let provisioner: Provisioner | undefined;
  let launcher: Launcher | undefined;
  let statuses: Debounced | undefined;
  let lifecycle: LifecycleHandle | undefined;
  const catalogCache = new CatalogSource(
    reader,
    cloud,
    config.region,
    logger.child({ component: "catalog" }),
  );

  wireInformers(cache, {
    scheduling,
    provisioner: () => provisioner,
    // NodePool status (node counts, resources) follows capacity as it comes and goes.
    onVirtualNode: (virtualNode) => {
      statuses?.request();
      recordVirtualNodePhases(reader, metrics);
      lifecycle?.onVirtualNode(virtualNode);
    },
    onNode: (node) => {
      statuses?.request();
      lifecycle?.onNode(node);
      launcher?.nodeUpdated(node);
    },
    onPod: (pod) => lifecycle?.onPod(pod),
    onPoolChange: () => statuses?.request(),
  });

  const extender = createExtenderListener({
    state: scheduling.state,
    ledger: scheduling.ledger,
    // Device pods wait for the kubelet's devices (controllers/binding-policy.ts) on this path too.
    binder: deviceAwareBinder(binder, {
      requests: (uid) => scheduling.state.pod(uid)?.requests ?? scheduling.ledger.get(uid)?.requests,
      node: (name) => reader.nodes().find((node) => node.metadata?.name === name),
    }),
    registry,
    logger,
    clock,
    isLeader: () => leading,
    onBound: (event) => {
      if (event.podCreatedAt !== undefined)
        metrics.podPendingToBound.observe((event.boundAt - event.podCreatedAt) / 1000);
      events.record(
        {
          apiVersion: "v1",
          kind: "Pod",
          name: event.name,
          namespace: event.namespace,
          uid: event.uid,
        },
        "Normal",
        "Bound",
        `Bound to ${event.nodeName} through rafter's extender`,
      );
    },
  });
  const tls = config.tlsCertFile
    ? {
        certFile: config.tlsCertFile,
        keyFile: config.tlsKeyFile,
        ...(config.tlsClientCaFile ? { clientCaFile: config.tlsClientCaFile } : {}),
      }
    : undefined;
  const servers: RunningServer[] = [];
  servers.push(
    await listen(extender, {
      port: config.extenderPort,
      host: config.extenderBind,
      ...(tls ? { tls } : {}),
      logger,
      name: "extender",
    }),
  );
  servers.push(
    await listen(
      createHealthApp({
        registry,
        ready: () => {
          if (!scheduling.state.isSynced()) return { ready: false, reason: "caches not synced" };
          if (!leading) return { ready: false, reason: "not the leader" };
          return { ready: true, reason: "ok" };
        },
      }),
      { port: config.metricsPort, host: config.extenderBind, logger, name: "metrics" },
    ),
  );

  // Crash-safety tests only (e2e 29): crash at a named step of the provisioning path.
  const failpoint = failpointFrom(process.env.RAFTER_FAILPOINT, logger);
  const startControllers = () => {
    const registrationHealth = new RegistrationHealth({
      clock,
      nodePools: () => reader.nodePools(),
      onChange: () => statuses?.request(0),
    });
    // Planning sees a pool's failed registrations at once, not after the status write round-trips.
    const planningReader = withRegistrationHealth(reader, registrationHealth);
    launcher = new Launcher({
      reader,
      cloud,
      virtualNodes: new VirtualNodeClient(clients.custom),
      nodes: new ApiNodeWriter(clients.core),
      binder,
      ledger: scheduling.ledger,
      events,
      metrics,
      clock,
      timers,
      logger: logger.child({ component: "launcher" }),
      region: config.region,
      instanceType: (name) => catalogCache.instanceType(name),
      ...(failpoint ? { failpoint } : {}),
      onPodsReleased: (keys, urgency) => {
        provisioner?.podsReleased(keys, urgency);
      },
    });
    const startedLauncher = launcher;
    provisioner = new Provisioner({
      reader: planningReader,
      ledger: scheduling.ledger,
      catalog: () => catalogCache.current(),
      unavailableOfferings: () => unavailable.keys(),
      plan,
      virtualNodes: new VirtualNodeClient(clients.custom),
      launch: (virtualNode) => {
        startedLauncher.launch(virtualNode);
      },
      join: (virtualNode, pods) => {
        startedLauncher.join(virtualNode, pods);
      },
      bindToNode: (nodeName, pods) => {
        startedLauncher.bindToNode(nodeName, pods);
      },
      events,
      metrics,
      clock,
      timers,
      logger: logger.child({ component: "provisioner" }),
      batchIdleMs: config.batchIdle,
      batchMaxMs: config.batchMax,
    });
    statuses = new Debounced(
      "status",
      2_000,
      () =>
        reconcileStatuses({
          reader,
          cloud,
          writer: new ApiStatusWriter(clients.custom),
          clock,
          logger: logger.child({ component: "status" }),
          registrationHealth,
        }),
      timers,
      logger,
    );
    statuses.request(0);
    resumeInFlight(reader, startedLauncher, scheduling.ledger);
    const virtualNodes = new VirtualNodeClient(clients.custom);
    const interruptionQueue = createInterruptionSource(config, process.env);
    lifecycle = startLifecycle({
      reader: planningReader,
      nodes: new ApiNodeClient(clients.core),
      virtualNodes,
      evictor: new ApiPodEvictor(clients.core),
      cloud,
      unavailableOfferings: unavailable,
      catalog: () => catalogCache.current(),
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
        if (created.kind !== "ok") return fail(created.message);
        startedLauncher.launch(created.value);
        return ok(created.value.metadata.name ?? "");
      },
      releasePods: (keys) => provisioner?.podsReleased(keys, "now"),
      registrationOutcomes: registrationHealth,
      events,
      registry,
      clock,
      timers,
      logger: logger.child({ component: "lifecycle" }),
      config: {
        launchTimeoutMs: config.launchTimeout,
        registrationTimeoutMs: config.registrationTimeout,
        gcGracePeriodMs: config.gcGracePeriod,
        failedRetentionMs: config.failedRetention,
      },
      ...(interruptionQueue ? { interruptionQueue } : {}),
    });
    for (const pod of reader.pods()) provisioner.podChanged(pod);
    logger.info("controllers started");
  };

  await cache.start();
  scheduling.state.markSynced();
  logger.info(
    { pods: reader.pods().length, nodes: reader.nodes().length, virtualNodes: reader.virtualNodes().length },
    "caches synced",
  );

  let elector: LeaderElector | undefined;
  if (config.leaderElect) {
    elector = new LeaderElector({
      coordination: clients.coordination,
      namespace: config.leaderElectionNamespace,
      name: "rafter-leader",
      identity,
      leaseDurationMs: config.leaseDuration,
      renewDeadlineMs: config.renewDeadline,
      retryPeriodMs: config.retryPeriod,
      clock,
      timers,
      logger,
      onStartedLeading: () => {
        leading = true;
        startControllers();
      },
      onStoppedLeading: () => {
        // In-memory state may now disagree with the new leader's: exit and start clean.
        leading = false;
        void shutdown("lost leadership", 1);
      },
      // Renewals seen as they happen: a follower takes over the moment the lease expires.
      watch: leaseWatch({
        kubeConfig: clients.kubeConfig,
        coordination: clients.coordination,
        namespace: config.leaderElectionNamespace,
        name: "rafter-leader",
        logger: logger.child({ component: "leader-election" }),
      }),
    });
    elector.start();
  } else {
    startControllers();
  }

  let shuttingDown = false;
  const shutdown = async (reason: string, code: number) => {
    if (shuttingDown) return;
    shuttingDown = true;
    logger.info({ reason }, "shutting down");
    provisioner?.stop();
    lifecycle?.stop();
    statuses?.stop();
    await elector?.stop();
    await Promise.all(servers.map((server) => server.close()));
    await cache.stop();
    process.exit(code);
  };
  process.once("SIGTERM", () => void shutdown("SIGTERM", 0));
  process.once("SIGINT", () => void shutdown("SIGINT", 0));
  await new Promise<never>(() => undefined);
}
