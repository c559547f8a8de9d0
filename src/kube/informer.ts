// A resilient informer: list+watch through @kubernetes/client-node, restarted with backoff whenever
// the watch fails (the library stops on errors), with a promise that resolves once the first list
// has been delivered so that controllers can gate on "synced". The library's start() resolves even
// when its list or watch failed (it reports the failure as an error event), so "synced" means a list
// really succeeded: an empty cache from a failed list would make every instance look like an orphan.
import {
  makeInformer,
  type KubeConfig,
  type KubernetesListObject,
  type KubernetesObject,
} from "@kubernetes/client-node";
import type { Logger } from "../logging.js";
import { systemRandom, systemTimers, type Random, type TimerHandle, type Timers } from "../clock.js";
import { backoffDelay, type BackoffPolicy } from "../domain/backoff.js";
import { errorMessage } from "../domain/error-message.js";

export interface InformerHandlers<T> {
  onUpsert?(object: T): void;
  onDelete?(object: T): void;
}

export interface ResilientInformerOptions<T extends KubernetesObject> {
  readonly name: string;
  readonly kubeConfig: KubeConfig;
  /** API path of the collection, e.g. /api/v1/pods. */
  readonly path: string;
  readonly list: () => Promise<KubernetesListObject<T>>;
  readonly labelSelector?: string;
  readonly logger: Logger;
  readonly initialBackoffMs?: number;
  /**
   * Default 10 s: short enough that every watch is back within seconds of an API server outage
   * ending (at 30 s the pod informer took ~20 s after a 40 s outage), long enough to be gentle.
   */
  readonly maxBackoffMs?: number;
  /** Node's timers unless given. */
  readonly timers?: Timers;
  /** Jitter of the restart delay; Math.random unless given. */
  readonly random?: Random;
}

/**
 * The cache keeps objects as received; managedFields (server-side apply bookkeeping, often a third of
 * a pod's bytes) are never read by rafter, so they are dropped before the object is cached.
 */
function dropManagedFields(object: KubernetesObject): void {
  if (object.metadata?.managedFields !== undefined) delete object.metadata.managedFields;
}

export class ResilientInformer<T extends KubernetesObject> {
  private readonly informer;
  private readonly handlers: InformerHandlers<T>[] = [];
  private readonly backoff: BackoffPolicy;
  private readonly timers: Timers;
  /** Restarts since the last successful list+watch. */
  private failures = 0;
  private stopped = false;
  /** A list has succeeded: the cache holds the collection as of some resource version. */
  private listed = false;
  private restartTimer: TimerHandle | undefined;
  private resolveSynced!: () => void;
  readonly synced: Promise<void>;

  constructor(private readonly options: ResilientInformerOptions<T>) {
    // ±20 % around the doubling delay: informers cut by the same outage do not relist together.
    this.backoff = {
      initialMs: options.initialBackoffMs ?? 500,
      maxMs: options.maxBackoffMs ?? 10_000,
      jitter: { kind: "spread", fraction: 0.2, random: options.random ?? systemRandom },
    };
    this.timers = options.timers ?? systemTimers();
    this.synced = new Promise((resolve) => (this.resolveSynced = resolve));
    const list = async (): Promise<KubernetesListObject<T>> => {
      const result = await options.list();
      for (const item of result.items) dropManagedFields(item);
      this.listed = true;
      return result;
    };
    this.informer = makeInformer(options.kubeConfig, options.path, list, options.labelSelector);
    this.informer.on("add", (object) => {
      this.emitUpsert(object);
    });
    this.informer.on("update", (object) => {
      this.emitUpsert(object);
    });
    this.informer.on("delete", (object) => {
      for (const handler of this.handlers) handler.onDelete?.(object);
    });
    this.informer.on("error", (error: unknown) => {
      this.scheduleRestart(error);
    });
  }

  addHandlers(handlers: InformerHandlers<T>): void {
    this.handlers.push(handlers);
  }

  /** Objects currently known (the informer's cache). */
  list(): readonly T[] {
    return this.informer.list();
  }

  get(name: string, namespace?: string): T | undefined {
    return this.informer.get(name, namespace);
  }

  async start(): Promise<void> {
    this.stopped = false;
    try {
      await this.informer.start();
      // The library has applied the list to its cache before it resolves.
      if (this.listed) this.resolveSynced();
      // A failed list or watch was reported as an error during start() and a restart is scheduled:
      // only a successful list+watch resets the backoff (a missing CRD or an API server that is down
      // would otherwise be retried twice a second forever).
      if (this.restartTimer !== undefined) return;
      this.failures = 0;
      this.options.logger.debug(
        { informer: this.options.name, objects: this.list().length },
        "informer synced",
      );
    } catch (error) {
      this.scheduleRestart(error);
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.timers.clearTimeout(this.restartTimer);
    await this.informer.stop();
  }

  private emitUpsert(object: T): void {
    dropManagedFields(object); // the cache holds this very object
    for (const handler of this.handlers) handler.onUpsert?.(object);
  }

  private scheduleRestart(error: unknown): void {
    if (this.stopped || this.restartTimer) return;
    this.failures++;
    const delay = backoffDelay(this.backoff, this.failures);
    this.options.logger.warn(
      {
        informer: this.options.name,
        err: errorMessage(error),
        retryInMs: Math.round(delay),
      },
      "watch failed; restarting",
    );
    this.restartTimer = this.timers.setTimeout(() => {
      this.restartTimer = undefined;
      void this.start();
    }, delay);
  }
}
