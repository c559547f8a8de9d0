// The operations endpoint (metrics port): /metrics for Prometheus, /healthz for liveness, /readyz for
// readiness (caches synced and, with leader election, this replica leads).
import express, { type Express } from "express";
import type { Registry } from "prom-client";

export interface HealthDeps {
  readonly registry: Registry;
  readonly ready: () => { ready: boolean; reason: string };
}

export function createHealthApp(deps: HealthDeps): Express {
  const app = express();
  app.set("x-powered-by", false);
  app.get("/healthz", (_req, res) => {
    res.type("text/plain").send("ok");
  });
  app.get("/readyz", (_req, res) => {
    const { ready, reason } = deps.ready();
    res
      .status(ready ? 200 : 503)
      .type("text/plain")
      .send(reason);
  });
  app.get("/metrics", (_req, res) => {
    void deps.registry.metrics().then((text) => {
      res.type(deps.registry.contentType).send(text);
    });
  });
  return app;
}
