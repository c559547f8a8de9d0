// Composition root, read top to bottom as the wiring diagram:
//
//   config, kubeconfig, cluster bootstrap (bad input exits 2 here, before anything starts)
//          → logger → core (clients, informers → scheduling state, cloud, metrics, events)
//          → servers (extender, /metrics /healthz /readyz)
//          → informers synced
//          → when leading: controllers (provisioning ⇄ launcher, lifecycle, NodePool status)
//          → `signal` aborts (SIGTERM/SIGINT in the CLI) or leadership is lost → orderly stop.
//
// Each box is a factory in src/app/; this file only orders them.
import { hostname } from "node:os";
import { startControllers } from "./app/controllers.js";
import { createCore, type Core } from "./app/core.js";
import { startServers } from "./app/servers.js";
import { systemClock, systemTimers } from "./clock.js";
import type { Config } from "./config.js";
import { discoverBootstrap } from "./cloud/factory.js";
import { failpointFrom } from "./failpoint.js";
import { kubeconfigCaBundle, serverGitVersion } from "./kube/cluster-info.js";
import { loadKubeConfig } from "./kube/clients.js";
import { LeaderElector, leaseWatch, type LeaderElectionOptions } from "./kube/leader-election.js";
import { createLogger } from "./logging.js";

export interface RunOptions {
  /** Aborting it stops rafter (the CLI aborts on SIGTERM and SIGINT). */
  readonly signal: AbortSignal;
  readonly env: Readonly<Record<string, string | undefined>>;
}

/** Runs until `signal` aborts or leadership is lost; resolves with the process exit code. */
export async function runRafter(config: Config, options: RunOptions): Promise<number> {
  // Bad input is reported (UsageError, exit 2) before anything starts or logs.
  const kubeConfig = loadKubeConfig(config.kubeconfig);
  const logger = createLogger({ level: config.logLevel, format: config.logFormat });
  const clock = systemClock;
  const timers = systemTimers();
  const identity = `${hostname()}-${process.pid}`;
  logger.info(
    { clusterName: config.clusterName, region: config.region, cloud: config.cloud, identity },
    "rafter starting",
  );

  // Before anything listens: a cluster nodes could not join is a startup error (exit 2), not a slow failure.
  const bootstrap =
    config.cloud === "aws"
      ? await discoverBootstrap(config, options.env, {
          caBundle: () => kubeconfigCaBundle(kubeConfig),
          serverVersion: () => serverGitVersion(kubeConfig),
        })
      : undefined;
  if (bootstrap)
    logger.info(
      {
        endpoint: bootstrap.apiServerEndpoint,
        serviceCidr: bootstrap.serviceCidr,
        kubernetesVersion: bootstrap.kubernetesVersion,
      },
      "cluster bootstrap",
    );

  const core = createCore(config, {
    kubeConfig,
    clock,
    timers,
    logger,
    env: options.env,
    ...(bootstrap ? { bootstrap } : {}),
  });
  // In-memory state may disagree with a new leader's once leadership is lost: stop and start clean.
  const lostLeadership = new AbortController();
  // Aborted as runRafter ends for whatever reason, so that the controllers stop after a failure too.
  const finished = new AbortController();
  const stop = AbortSignal.any([options.signal, lostLeadership.signal, finished.signal]);
  // Crash-safety tests only (e2e 29): crash at a named step of the provisioning path.
  const failpoint = failpointFrom(options.env.RAFTER_FAILPOINT, logger);
  const start = () => {
    startControllers(config, {
      core,
      clock,
      timers,
      logger,
      env: options.env,
      ...(failpoint ? { failpoint } : {}),
      signal: stop,
    });
  };
  const elector = config.leaderElect
    ? leaderElector(config, {
        core,
        identity,
        clock,
        timers,
        logger,
        onStartedLeading: start,
        onStoppedLeading: () => {
          lostLeadership.abort("lost leadership");
        },
      })
    : undefined;
  const servers = await startServers(config, {
    core,
    isLeader: () => elector?.isLeader ?? true,
    clock,
    logger,
  });

  try {
    // A stop while the first list is still loading (an unreachable API server) does not wait for it.
    const stopped = aborted(stop);
    const synced = await Promise.race([core.cache.start().then(() => true), stopped.then(() => false)]);
    if (synced) {
      core.scheduling.state.markSynced();
      logger.info(
        {
          pods: core.reader.pods().length,
          nodes: core.reader.nodes().length,
          virtualNodes: core.reader.virtualNodes().length,
        },
        "caches synced",
      );
      if (elector) elector.start();
      else start();
      await stopped;
    }
  } finally {
    // Also after a failure, so that nothing keeps running behind the error the CLI reports.
    logger.info({ reason: stop.aborted ? String(stop.reason) : "failure" }, "shutting down");
    finished.abort("failure");
    await elector?.stop();
    await Promise.all(servers.map((server) => server.close()));
    await core.cache.stop();
  }
  return lostLeadership.signal.aborted ? 1 : 0;
}

interface ElectorDeps extends Pick<
  LeaderElectionOptions,
  "identity" | "clock" | "timers" | "logger" | "onStartedLeading" | "onStoppedLeading"
> {
  readonly core: Pick<Core, "clients">;
}

function leaderElector(config: Config, deps: ElectorDeps): LeaderElector {
  const { clients } = deps.core;
  const lease = { namespace: config.leaderElectionNamespace, name: "rafter-leader" };
  return new LeaderElector({
    coordination: clients.coordination,
    ...lease,
    identity: deps.identity,
    leaseDurationMs: config.leaseDuration,
    renewDeadlineMs: config.renewDeadline,
    retryPeriodMs: config.retryPeriod,
    clock: deps.clock,
    timers: deps.timers,
    logger: deps.logger,
    onStartedLeading: deps.onStartedLeading,
    onStoppedLeading: deps.onStoppedLeading,
    // Renewals seen as they happen: a follower takes over the moment the lease expires.
    watch: leaseWatch({
      kubeConfig: clients.kubeConfig,
      coordination: clients.coordination,
      ...lease,
      logger: deps.logger.child({ component: "leader-election" }),
    }),
  });
}

/** Resolves when `signal` aborts. */
function aborted(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    signal.addEventListener(
      "abort",
      () => {
        resolve();
      },
      { once: true },
    );
  });
}
