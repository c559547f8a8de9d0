// One extender verb as a plain node:http handler: read the body, run the verb, reply, count and time
// it. It uses only IncomingMessage/ServerResponse, so that the same handler serves both from express
// and from the server's fast path (server.ts), which skips express's per-request overhead.
import type { IncomingMessage, ServerResponse } from "node:http";
import { performance } from "node:perf_hooks";
import type { Logger } from "../logging.js";
import type { ExtenderMetrics, ExtenderVerb } from "../metrics/extender.js";
import { readBody } from "./body.js";
import type { HandlerContext, Reply } from "./handlers.js";
import { errorMessage } from "../domain/error-message.js";

/** A verb from the request body (UTF-8 JSON, parsed by the verb: see read-args.ts) to its reply. */
export type VerbHandler = (ctx: HandlerContext, body: Buffer, requestId: string) => Reply | Promise<Reply>;

export type NodeHandler = (req: IncomingMessage, res: ServerResponse) => void;

export function sendJson(res: ServerResponse, status: number, body: unknown, raw?: string | Buffer): void {
  // Bytes, written after the head as they are: a string reply would be scanned for its byte length,
  // then copied again when node joins it to the head.
  const payload = typeof raw === "object" ? raw : Buffer.from(raw ?? JSON.stringify(body), "utf8");
  res.writeHead(status, ["content-type", "application/json", "content-length", String(payload.length)]);
  res.end(payload);
}

export interface VerbRouteOptions {
  verb: ExtenderVerb;
  handler: VerbHandler;
  ctx: HandlerContext;
  metrics: ExtenderMetrics;
  logger: Logger;
  bodyLimitBytes: number;
  /** Request ids for logs when kube-scheduler sends no X-Request-Id. */
  nextRequestId: () => number;
}

export function verbRoute(options: VerbRouteOptions): NodeHandler {
  const { verb, metrics, logger, bodyLimitBytes } = options;
  const duration = metrics.duration.labels(verb);
  // Label lookups once per status code, not per request.
  const counters = new Map<number, { inc(): void }>();
  const counted = (status: number): { inc(): void } => {
    let child = counters.get(status);
    if (!child) {
      child = metrics.requests.labels(verb, String(status));
      counters.set(status, child);
    }
    return child;
  };
  const finish = (res: ServerResponse, start: number, reply: Reply): void => {
    sendJson(res, reply.status, reply.body, reply.raw);
    counted(reply.status).inc();
    duration.observe((performance.now() - start) / 1000);
  };
  const internalError = (requestId: string, error: unknown): Reply => {
    logger.error({ requestId, verb, err: error }, "extender handler failed");
    const message = errorMessage(error);
    return { status: 500, body: { Error: `internal error in ${verb}: ${message}` } };
  };
  return (req, res) => {
    const start = performance.now();
    const header = req.headers["x-request-id"];
    const requestId =
      typeof header === "string" && header !== "" ? header : `${verb}-${options.nextRequestId()}`;
    readBody(req, bodyLimitBytes, (body) => {
      if (!body.ok) {
        const { status, message } = body.error;
        logger.debug({ requestId, verb, status, error: message }, "rejected request body");
        finish(res, start, { status, body: { Error: message } });
        return;
      }
      let reply: Reply | Promise<Reply>;
      try {
        reply = options.handler(options.ctx, body.value, requestId);
      } catch (error) {
        reply = internalError(requestId, error);
      }
      if (reply instanceof Promise) {
        reply.then(
          (r) => {
            finish(res, start, r);
          },
          (error: unknown) => {
            finish(res, start, internalError(requestId, error));
          },
        );
      } else {
        finish(res, start, reply);
      }
    });
  };
}
