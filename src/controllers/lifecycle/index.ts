// The lifecycle controller's single entry point. The composition root builds LifecycleDeps, calls
// startLifecycle once this replica leads, and forwards informer events to the returned handle:
//
//   const lifecycle = startLifecycle(deps);
//   cache.nodes → lifecycle.onNode(node); cache.virtualNodes → lifecycle.onVirtualNode(vn);
//   cache.pods → lifecycle.onPod(pod); shutdown → lifecycle.stop()
//
// Inside: work queues for termination and registration (per VirtualNode), and periodic loops for
// disruption (expiry, emptiness, drift, consolidation), garbage collection and the interruption queue.
import type { V1Node, V1Pod } from "@kubernetes/client-node";
import type { VirtualNode } from "../../api/virtualnode.js";
import type { TimerHandle } from "../../clock.js";
import type { LifecycleDeps } from "./deps.js";
import { Disruption } from "./disruption.js";
import { GarbageCollector } from "./garbage-collection.js";
import { InterruptionHandler } from "./interruption.js";
import { allManaged, isDeleting, isManagedNode, keyOfNode } from "./managed-nodes.js";
import { lifecycleMetrics } from "./metrics.js";
import { Registration } from "./registration.js";
import { Termination } from "./termination.js";
import { WorkQueue } from "./work-queue.js";
import { errorMessage } from "../../domain/error-message.js";

export type { LifecycleDeps, LifecycleConfig, ProvisionReplacement, ProvisionResult } from "./deps.js";

export interface LifecycleHandle {
  stop(): void;
  onNode(node: V1Node): void;
  onVirtualNode(virtualNode: VirtualNode): void;
  onPod(pod: V1Pod): void;
  /** For tests: true when no reconcile runs or waits to run now. */
  readonly idle: boolean;
}

export function startLifecycle(deps: LifecycleDeps): LifecycleHandle {
  const metrics = lifecycleMetrics(deps.registry);
  const logger = deps.logger;
  const termination = new Termination(deps, metrics);
  const registration = new Registration(deps, metrics);
  const disruption = new Disruption(deps, metrics);
  const gc = new GarbageCollector(deps, metrics);
  const interruptions = new InterruptionHandler(deps, metrics);
  const now = () => deps.clock.now();
  const terminating = new Map<string, string>(); // node name → key, for pod events during drains

  const terminationQueue = new WorkQueue({
    name: "termination",
    timers: deps.timers,
    now,
    logger,
    concurrency: 8,
    reconcile: async (key) => {
      const next = await termination.reconcile(key);
      if (next === undefined) for (const [node, k] of terminating) if (k === key) terminating.delete(node);
      return next;
    },
  });
  const registrationQueue = new WorkQueue({
    name: "registration",
    timers: deps.timers,
    now,
    logger,
    reconcile: (key) => registration.reconcile(key),
  });

  let stopped = false;
  const loops = new Map<string, TimerHandle>();
  /** Loop bodies running now (part of `idle`). */
  let loopsRunning = 0;
  const loop = (name: string, body: () => Promise<number>, firstDelayMs: number) => {
    const schedule = (delay: number) => {
      if (stopped) return;
      loops.set(
        name,
        deps.timers.setTimeout(() => {
          loopsRunning++;
          body()
            .catch((error: unknown) => {
              logger.error({ loop: name, err: errorMessage(error) }, "lifecycle loop failed");
              return 30_000;
            })
            .finally(() => {
              loopsRunning--;
            })
            .then(schedule, () => undefined);
        }, delay),
      );
    };
    schedule(firstDelayMs);
  };

  const route = (key: string, deleting: boolean, nodeName: string | undefined) => {
    if (deleting) {
      if (nodeName) terminating.set(nodeName, key);
      terminationQueue.add(key);
    } else if (!key.startsWith("node/")) registrationQueue.add(key);
  };

  // Resume whatever was in progress before a restart or leader change.
  for (const unit of allManaged(deps.reader)) route(unit.key, isDeleting(unit), unit.node?.metadata?.name);

  loop("disruption", () => disruption.round(), deps.config.disruptionIntervalMs ?? 10_000);
  loop("gc", () => gc.round(), deps.config.gcIntervalMs ?? 120_000);
  const queue = deps.interruptionQueue;
  if (queue) {
    loop(
      "interruption",
      async () => {
        const messages = await queue.receive();
        for (const message of messages) {
          try {
            await interruptions.handle(message.event);
            await queue.acknowledge(message);
          } catch (error) {
            // Left on the queue: it becomes visible again and is retried.
            logger.error({ message: message.id, err: errorMessage(error) }, "interruption message failed");
          }
        }
        return 0;
      },
      0,
    );
  }
  logger.info({ interruptionQueue: queue !== undefined }, "lifecycle controller started");

  return {
    stop() {
      stopped = true;
      for (const handle of loops.values()) deps.timers.clearTimeout(handle);
      terminationQueue.stop();
      registrationQueue.stop();
    },
    onNode(node) {
      if (stopped || !isManagedNode(node)) return;
      const key = keyOfNode(node, deps.reader);
      route(key, Boolean(node.metadata?.deletionTimestamp), node.metadata?.name);
      // A Node changing can also finish a termination (e.g. the taint landed) or a registration.
      if (!node.metadata?.deletionTimestamp && !key.startsWith("node/")) registrationQueue.add(key);
    },
    onVirtualNode(virtualNode) {
      if (stopped) return;
      route(
        virtualNode.metadata.name ?? "",
        Boolean(virtualNode.metadata.deletionTimestamp),
        virtualNode.status?.nodeName,
      );
    },
    onPod(pod) {
      if (stopped) return;
      const key = terminating.get(pod.spec?.nodeName ?? "");
      // Pods leaving a draining node move the drain on; coalesced so a big drain is not re-run per pod.
      if (key !== undefined) terminationQueue.add(key, 250);
    },
    get idle() {
      return terminationQueue.idle && registrationQueue.idle && !disruption.busy && loopsRunning === 0;
    },
  };
}
