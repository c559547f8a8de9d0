// rafter's two listeners: the scheduler extender (kube-scheduler's filter, prioritize, bind and
// preempt, over TLS when configured) and the operations port (/metrics, /healthz, /readyz).
import type { RequestListener } from "node:http";
import type { Clock } from "../clock.js";
import type { Config } from "../config.js";
import { deviceAwareBinder } from "../controllers/binding-policy.js";
import { reportPodBound } from "../controllers/pod-bound.js";
import { createExtenderListener } from "../extender/app.js";
import type { Logger } from "../logging.js";
import { createHealthApp } from "../server/health.js";
import { listen, type RunningServer } from "../server/listen.js";
import type { Core } from "./core.js";

export interface ServersDeps {
  readonly core: Pick<Core, "scheduling" | "binder" | "registry" | "events" | "metrics" | "reader">;
  /** Only the leader answers for the cluster; followers report not ready. */
  readonly isLeader: () => boolean;
  readonly clock: Clock;
  readonly logger: Logger;
}

/** The extender's request listener; each binding it makes is reported like the launcher's. */
export function createExtender(deps: ServersDeps): RequestListener {
  const { core } = deps;
  return createExtenderListener({
    state: core.scheduling.state,
    ledger: core.scheduling.ledger,
    // Device pods wait for the kubelet's devices (controllers/binding-policy.ts) on this path too.
    binder: deviceAwareBinder(core.binder, {
      requests: (uid) =>
        core.scheduling.state.pod(uid)?.requests ?? core.scheduling.ledger.get(uid)?.requests,
      node: (name) => core.reader.nodes().find((node) => node.metadata?.name === name),
    }),
    registry: core.registry,
    logger: deps.logger,
    clock: deps.clock,
    isLeader: deps.isLeader,
    onBound: (event) => {
      reportPodBound(core, {
        pod: { apiVersion: "v1", kind: "Pod", name: event.name, namespace: event.namespace, uid: event.uid },
        nodeName: event.nodeName,
        origin: "through rafter's extender",
        boundAt: event.boundAt,
        podCreatedAt: event.podCreatedAt,
      });
    },
  });
}

export async function startServers(
  config: Pick<
    Config,
    "extenderPort" | "extenderBind" | "metricsPort" | "tlsCertFile" | "tlsKeyFile" | "tlsClientCaFile"
  >,
  deps: ServersDeps,
): Promise<RunningServer[]> {
  const { core, logger, isLeader } = deps;
  const extender = createExtender(deps);
  const tls = config.tlsCertFile
    ? {
        certFile: config.tlsCertFile,
        keyFile: config.tlsKeyFile,
        ...(config.tlsClientCaFile ? { clientCaFile: config.tlsClientCaFile } : {}),
      }
    : undefined;
  const extenderServer = await listen(extender, {
    port: config.extenderPort,
    host: config.extenderBind,
    ...(tls ? { tls } : {}),
    logger,
    name: "extender",
  });
  const health = createHealthApp({
    registry: core.registry,
    isSynced: () => core.scheduling.state.isSynced(),
    isLeader,
  });
  try {
    const healthServer = await listen(health, {
      port: config.metricsPort,
      host: config.extenderBind,
      logger,
      name: "metrics",
    });
    return [extenderServer, healthServer];
  } catch (error) {
    await extenderServer.close();
    throw error;
  }
}
