// The scheduler extender's HTTP surface: kube-scheduler's filter, prioritize, bind and preempt verbs,
// plus health, readiness and metrics. Everything it depends on is passed in.
//
// createExtenderApp gives the express app (every route). createExtenderListener gives a node:http
// request listener that answers the four POST verbs directly and hands everything else to that app;
// it is what the server should use, because express's per-request work (prototype swaps, router) is a
// measurable share of a filter call (see bench/extender.ts).
import express, { type Express, type Request, type Response } from "express";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Registry } from "prom-client";
import type { Clock } from "../clock.js";
import type { Logger } from "../logging.js";
import { extenderMetrics, type ExtenderVerb } from "../metrics/extender.js";
import type { ClusterState } from "../state/cluster-state.js";
import type { ReservationLedger } from "../state/reservation-ledger.js";
import type { Binder } from "../kube/binder.js";
import {
  bindVerb,
  filterVerb,
  preemptVerb,
  prioritizeVerb,
  type BoundEvent,
  type HandlerContext,
} from "./handlers.js";
import { RecentPods } from "./recent-pods.js";
import { SlotIndex } from "./slot-index.js";
import { sendJson, verbRoute, type NodeHandler, type VerbHandler } from "./verb-route.js";
import { errorMessage } from "../domain/error-message.js";

export type { BoundEvent };

export interface ExtenderDeps {
  readonly state: ClusterState;
  readonly ledger: ReservationLedger;
  readonly binder: Binder;
  /** rafter's registry (src/metrics/registry.ts); the extender registers its metrics there. */
  readonly registry: Registry;
  readonly logger: Logger;
  /** Business time (binding timestamps, reservation ages); latency uses the monotonic timer. */
  readonly clock: Clock;
  /** Only the leader answers for the cluster; followers report not-ready. Default: always leader. */
  readonly isLeader?: () => boolean;
  /** Called after each successful binding (the composition root records a Kubernetes event). */
  readonly onBound?: (event: BoundEvent) => void;
  /** Largest accepted request body; NodeLists of big clusters are large. Default 10 MiB. */
  readonly bodyLimitBytes?: number;
  /**
   * Path the verbs are served under, matching the path of the scheduler's `urlPrefix`
   * (kube-scheduler posts to urlPrefix + "/" + verb). Default "" (verbs at /filter, /bind, ...).
   */
  readonly pathPrefix?: string;
}

const defaultBodyLimitBytes = 10 * 1024 * 1024;

const verbs: readonly [ExtenderVerb, VerbHandler][] = [
  ["filter", filterVerb],
  ["prioritize", prioritizeVerb],
  ["bind", bindVerb],
  ["preempt", preemptVerb],
];

interface Extender {
  app: Express;
  /** Verb handlers by exact request path. */
  routes: Map<string, NodeHandler>;
}

function buildExtender(deps: ExtenderDeps): Extender {
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
    slotIndex: new SlotIndex(deps.state),
  };
  let sequence = 0;
  const prefix = (deps.pathPrefix ?? "").replace(/\/+$/, "");
  const routes = new Map<string, NodeHandler>();
  for (const [verb, handler] of verbs) {
    routes.set(
      `${prefix}/${verb}`,
      verbRoute({
        verb,
        handler,
        ctx,
        metrics,
        logger,
        bodyLimitBytes: deps.bodyLimitBytes ?? defaultBodyLimitBytes,
        nextRequestId: () => ++sequence,
      }),
    );
  }

  const app = express();
  // No ETag hashing of every reply and no framework banner: pure cost on the scheduler's path.
  app.set("etag", false);
  app.set("x-powered-by", false);
  for (const [path, handler] of routes) app.post(path, handler);

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
    sendJson(res, 404, { Error: `no route for ${req.method} ${req.path}` });
  });

  // Last resort: express calls this for errors thrown outside the verb handlers.
  app.use((error: unknown, _req: Request, res: Response, _next: express.NextFunction) => {
    logger.error({ err: error }, "extender request failed");
    if (res.headersSent) return;
    sendJson(res, 500, { Error: errorMessage(error) });
  });

  return { app, routes };
}

/** The extender as an express app serving every route. */
export function createExtenderApp(deps: ExtenderDeps): Express {
  return buildExtender(deps).app;
}

/**
 * The extender as a node:http request listener (`http.createServer(listener)`): POSTs to the verb
 * paths skip express; health, readiness, metrics, errors and anything else go through the app.
 */
export function createExtenderListener(
  deps: ExtenderDeps,
): (req: IncomingMessage, res: ServerResponse) => void {
  const { app, routes } = buildExtender(deps);
  return (req, res) => {
    const route = req.method === "POST" && req.url !== undefined ? routes.get(req.url) : undefined;
    if (route) route(req, res);
    else void app(req, res);
  };
}
