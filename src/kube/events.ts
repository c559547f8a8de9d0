// Kubernetes Events on pods, Nodes, VirtualNodes and NodePools, so that `kubectl describe` and
// `kubectl get events` tell an operator what rafter did and why. Recording never blocks or fails the
// caller: events are written a few at a time behind a bounded queue, and one that cannot be written
// is logged at debug and dropped.
import type { CoreV1Api } from "@kubernetes/client-node";
import pLimit, { type LimitFunction } from "p-limit";
import type { Clock } from "../clock.js";
import type { Logger } from "../logging.js";
import { errorMessage } from "../domain/error-message.js";

export interface EventTarget {
  readonly apiVersion: string;
  readonly kind: string;
  readonly name: string;
  readonly namespace?: string;
  readonly uid?: string;
}

export type EventType = "Normal" | "Warning";

export interface EventRecorder {
  record(target: EventTarget, type: EventType, reason: string, message: string): void;
}

export interface ApiEventRecorderOptions {
  /** Event writes in flight at once. Default 4: events must not crowd out bindings and launches. */
  readonly concurrency?: number;
  /** Events waiting beyond this are dropped (and counted in a log line). Default 5 000. */
  readonly maxQueued?: number;
}

export class ApiEventRecorder implements EventRecorder {
  private sequence = 0;
  private readonly limit: LimitFunction;
  private dropped = 0;

  constructor(
    private readonly core: Pick<CoreV1Api, "createNamespacedEvent">,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly component = "rafter",
    private readonly options: ApiEventRecorderOptions = {},
  ) {
    this.limit = pLimit(options.concurrency ?? 4);
  }

  record(target: EventTarget, type: EventType, reason: string, message: string): void {
    if (this.limit.pendingCount >= (this.options.maxQueued ?? 5_000)) {
      // A burst (a thousand pods nominated at once) must not grow memory without bound.
      if (this.dropped++ % 1000 === 0)
        this.logger.warn({ dropped: this.dropped, reason }, "event queue full: dropping events");
      return;
    }
    // Cluster-scoped objects' events live in "default", as kubectl expects.
    const namespace = target.namespace ?? "default";
    const now = new Date(this.clock.now());
    const name = `${target.name}.${now.getTime().toString(16)}${(this.sequence++ % 4096).toString(16)}`;
    const body = {
      metadata: { name, namespace },
      involvedObject: {
        apiVersion: target.apiVersion,
        kind: target.kind,
        name: target.name,
        ...(target.namespace ? { namespace: target.namespace } : {}),
        ...(target.uid ? { uid: target.uid } : {}),
      },
      type,
      reason,
      message: message.slice(0, 1024),
      source: { component: this.component },
      reportingComponent: this.component,
      reportingInstance: this.component,
      firstTimestamp: now,
      lastTimestamp: now,
      count: 1,
    };
    void this.limit(() => this.core.createNamespacedEvent({ namespace, body })).catch((error: unknown) => {
      this.logger.debug({ err: errorMessage(error), reason }, "event dropped");
    });
  }

  /** Events not yet written (for tests and shutdown). */
  get pending(): number {
    return this.limit.pendingCount + this.limit.activeCount;
  }
}

/** Records events in memory; for tests and the offline CLI. */
export class MemoryEventRecorder implements EventRecorder {
  readonly events: { target: EventTarget; type: EventType; reason: string; message: string }[] = [];
  record(target: EventTarget, type: EventType, reason: string, message: string): void {
    this.events.push({ target, type, reason, message });
  }
}

export const podTarget = (pod: {
  metadata?: { name?: string; namespace?: string; uid?: string };
}): EventTarget => ({
  apiVersion: "v1",
  kind: "Pod",
  name: pod.metadata?.name ?? "",
  ...(pod.metadata?.namespace ? { namespace: pod.metadata.namespace } : {}),
  ...(pod.metadata?.uid ? { uid: pod.metadata.uid } : {}),
});
