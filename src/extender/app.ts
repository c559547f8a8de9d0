// The scheduler extender's HTTP server: kube-scheduler's filter, prioritize, bind and preempt verbs,
// plus health, readiness and metrics. Everything it depends on is passed in.
import express, { type Express, type Request, type Response } from "express";
import type { ServerResponse } from "node:http";
import { performance } from "node:perf_hooks";
import type { Registry } from "prom-client";
import type { Clock } from "../clock.js";
import type { Logger } from "../logging.js";
import { extenderMetrics, type ExtenderVerb } from "../metrics/extender.js";
import type { ClusterState } from "../state/cluster-state.js";
import type { ReservationLedger } from "../state/reservation-ledger.js";
import type { Binder } from "./binder.js";
import { readJsonBody } from "./body.js";
import {
  bindVerb,
  filterVerb,
  preemptVerb,
  prioritizeVerb,
  type BoundEvent,
  type HandlerContext,
  type Reply,
} from "./handlers.js";
import { RecentPods } from "./recent-pods.js";

export type { BoundEvent };

export interface ExtenderDeps {
  readonly state: ClusterState;
  readonly ledger: ReservationLedger;
  readonly binder: Binder;
  /** rafter's registry (src/metrics/registry.ts); the extender registers its metrics there. */
  readonly registry: Registry;
  readonly logger: Logger;
  /** Business time (reservation ages); request latency is measured with the monotonic timer. */
  readonly clock: Clock;
  /** Only the leader answers for the cluster; followers report not-ready. Default: always leader. */
  readonly isLeader?: () => boolean;
  /** Called after each successful binding (the composition root records a Kubernetes event). */
  readonly onBound?: (event: BoundEvent) => void;
  /** Largest accepted request body; NodeLists of big clusters are large. Default 10 MiB. */
  readonly bodyLimitBytes?: number;
}

export const defaultBodyLimitBytes = 10 * 1024 * 1024;

type VerbHandler = (ctx: HandlerContext, body: unknown, requestId: string) => Reply | Promise<Reply>;

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
  res.end(text);
}

export function createExtenderApp(deps: ExtenderDeps): Express {
  const limit = deps.bodyLimitBytes ?? defaultBodyLimitBytes;
  const metrics = extenderMetrics(deps.registry);
  const logger = deps.logger.child({ component: "extender" });
  const ctx: HandlerContext = {
    state: deps.state,
    ledger: deps.ledger,
    binder: deps.binder,
    logger,
    metrics,
    recent: new RecentPods(),
    onBound: deps.onBound,
    clock: deps.clock,
  };
  let sequence = 0;

  const app = express();
  // No ETag hashing of every reply and no framework banner: pure cost on the scheduler's path.
  app.set("etag", false);
  app.set("x-powered-by", false);

  const route = (verb: ExtenderVerb, handler: VerbHandler) => {
    const duration = metrics.duration.labels(verb);
    const finish = (res: ServerResponse, start: number, reply: Reply): void => {
      send(res, reply.status, reply.body);
      metrics.requests.inc({ verb, code: String(reply.status) });
      duration.observe((performance.now() - start) / 1000);
    };
    return (req: Request, res: Response): void => {
      const start = performance.now();
      const header = req.headers["x-request-id"];
      const requestId = typeof header === "string" && header !== "" ? header : `${verb}-${++sequence}`;
      readJsonBody(req, limit, (body) => {
        if (!body.ok) {
          logger.debug(
            { requestId, verb, status: body.status, error: body.message },
            "rejected request body",
          );
          finish(res, start, { status: body.status, body: { Error: body.message } });
          return;
        }
        let reply: Reply | Promise<Reply>;
        try {
          reply = handler(ctx, body.value, requestId);
        } catch (error) {
          reply = internalError(verb, requestId, error);
        }
        if (reply instanceof Promise) {
          reply.then(
            (r) => {
              finish(res, start, r);
            },
            (error: unknown) => {
              finish(res, start, internalError(verb, requestId, error));
            },
          );
        } else {
          finish(res, start, reply);
        }
      });
    };
  };

  const internalError = (verb: ExtenderVerb, requestId: string, error: unknown): Reply => {
    logger.error({ requestId, verb, err: error }, "extender handler failed");
    return {
      status: 500,
      body: { Error: `internal error in ${verb}: ${error instanceof Error ? error.message : String(error)}` },
    };
  };

  app.post("/filter", route("filter", filterVerb));
  app.post("/prioritize", route("prioritize", prioritizeVerb));
  app.post("/bind", route("bind", bindVerb));
  app.post("/preempt", route("preempt", preemptVerb));

  app.get("/healthz", (_req, res) => {
    res.type("text/plain").send("ok");
  });

  app.get("/readyz", (_req, res) => {
    const problems: string[] = [];
    if (!deps.state.isSynced()) problems.push("cluster state not synced");
    if (!(deps.isLeader?.() ?? true)) problems.push("not the leader");
    if (problems.length === 0) res.type("text/plain").send("ok");
    else res.status(503).type("text/plain").send(problems.join("; "));
  });

  app.get("/metrics", (_req, res, next) => {
    deps.registry.metrics().then(
      (text) => {
        res.setHeader("content-type", deps.registry.contentType);
        res.send(text);
      },
      (error: unknown) => {
        next(error);
      },
    );
  });

  app.use((req, res) => {
    send(res, 404, { Error: `no route for ${req.method} ${req.path}` });
  });

  // Last resort: express calls this for errors thrown outside the verb handlers.
  app.use((error: unknown, _req: Request, res: Response, _next: express.NextFunction) => {
    logger.error({ err: error }, "extender request failed");
    if (res.headersSent) return;
    send(res, 500, { Error: error instanceof Error ? error.message : String(error) });
  });

  return app;
}
