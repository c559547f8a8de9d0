// The operations endpoints: /metrics for Prometheus, /healthz for liveness, /readyz for readiness
// (caches synced and, with leader election, this replica leads). Served on the metrics port and, with
// the same routes, on the extender port.
import express, { type Express, type Router } from "express";
import type { Registry } from "prom-client";

export interface HealthDeps {
  readonly registry: Registry;
  /** The informers' first list is in the cluster state the extender answers from. */
  readonly isSynced: () => boolean;
  /** This replica leads (always true without leader election): only the leader serves kube-scheduler. */
  readonly isLeader: () => boolean;
}

export interface Readiness {
  readonly ready: boolean;
  /** "ok", or every reason the replica is not ready. */
  readonly reason: string;
}

export function readiness(deps: Pick<HealthDeps, "isSynced" | "isLeader">): Readiness {
  const problems: string[] = [];
  if (!deps.isSynced()) problems.push("cluster state not synced");
  if (!deps.isLeader()) problems.push("not the leader");
  return problems.length === 0
    ? { ready: true, reason: "ok" }
    : { ready: false, reason: problems.join("; ") };
}

export function healthRoutes(deps: HealthDeps): Router {
  const router = express.Router();
  router.get("/healthz", (_req, res) => {
    res.type("text/plain").send("ok");
  });
  router.get("/readyz", (_req, res) => {
    const { ready, reason } = readiness(deps);
    res
      .status(ready ? 200 : 503)
      .type("text/plain")
      .send(reason);
  });
  router.get("/metrics", (_req, res, next) => {
    deps.registry.metrics().then(
      (text) => {
        res.type(deps.registry.contentType).send(text);
      },
      (error: unknown) => {
        next(error);
      },
    );
  });
  return router;
}

export function createHealthApp(deps: HealthDeps): Express {
  const app = express();
  app.set("x-powered-by", false);
  app.use(healthRoutes(deps));
  return app;
}
