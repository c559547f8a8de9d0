// Leader election on a coordination.k8s.io Lease, as client-go does it: the holder renews the lease
// every retry period; a candidate takes it over once it has not been renewed for the lease duration.
// Optimistic concurrency (resourceVersion) makes takeover safe between replicas. Losing the lease
// stops the process's leadership callbacks; the composition root exits so a fresh start rebuilds state.
//
// Failover time: a candidate counts the lease duration from the moment it *sees* the holder's last
// renewal, so polling alone adds up to a retry period of observation lag plus up to a retry period of
// tick granularity (15 s lease → 14–18 s after a crash). A watch on the Lease (optional `watch`) sees
// each renewal as the API server commits it, and the candidate's next attempt is timed to the very
// moment the lease expires: failover becomes the lease duration minus the time since the last renewal
// (13–15 s with the defaults). A released lease (graceful stop) is taken over as soon as it is seen.
import { V1MicroTime, type CoordinationV1Api, type KubeConfig, type V1Lease } from "@kubernetes/client-node";
import type { Clock, TimerHandle, Timers } from "../clock.js";
import type { Logger } from "../logging.js";
import { apiErrorKind } from "./errors.js";
import { ResilientInformer } from "./informer.js";
import { errorMessage } from "../domain/error-message.js";

/** Delivers the Lease each time it changes (a watch); polling still runs as the fallback. */
export interface LeaseWatch {
  start(onLease: (lease: V1Lease) => void): void;
  stop(): Promise<void>;
}

export interface LeaderElectionOptions {
  readonly coordination: CoordinationV1Api;
  readonly namespace: string;
  readonly name: string;
  readonly identity: string;
  readonly leaseDurationMs: number;
  readonly renewDeadlineMs: number;
  readonly retryPeriodMs: number;
  readonly clock: Clock;
  readonly timers: Timers;
  readonly logger: Logger;
  readonly onStartedLeading: () => void;
  readonly onStoppedLeading: () => void;
  readonly watch?: LeaseWatch;
}

export class LeaderElector {
  private leading = false;
  private lastRenew = 0;
  private timer: TimerHandle | undefined;
  private stopped = false;
  private ticking = false;
  /** A released lease was seen while a tick was in flight: try again as soon as it ends. */
  private wakeRequested = false;
  /** When we first saw the current holder's lease unchanged (takeover waits a lease duration from it). */
  private observed: { key: string; at: number; durationMs: number } | undefined;

  constructor(private readonly options: LeaderElectionOptions) {}

  get isLeader(): boolean {
    return this.leading;
  }

  start(): void {
    this.options.watch?.start((lease) => {
      this.observe(lease);
    });
    void this.tick();
  }

  /**
   * A Lease as a watch delivers it: starts the lease-duration count of a new renewal at once, and
   * tries to take a released lease over without waiting for the next retry.
   */
  observe(lease: V1Lease): void {
    const { name, namespace } = this.options;
    if (this.stopped || this.leading) return;
    if (lease.metadata?.name !== name || (lease.metadata.namespace ?? namespace) !== namespace) return;
    this.note(lease);
    if (lease.spec?.holderIdentity) return;
    if (this.ticking) {
      this.wakeRequested = true;
      return;
    }
    this.options.timers.clearTimeout(this.timer);
    this.timer = undefined;
    void this.tick();
  }

  /** Stops renewing and releases the lease so a follower takes over at once. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.options.timers.clearTimeout(this.timer);
    await this.options.watch?.stop();
    if (!this.leading) return;
    this.leading = false;
    const lease = await this.read();
    if (lease?.spec?.holderIdentity === this.options.identity) {
      lease.spec.holderIdentity = undefined;
      lease.spec.leaseDurationSeconds = 1;
      await this.options.coordination
        .replaceNamespacedLease({ name: this.options.name, namespace: this.options.namespace, body: lease })
        .catch(() => undefined);
    }
  }

  private async tick(): Promise<void> {
    if (this.stopped) return;
    this.ticking = true;
    try {
      const acquired = await this.tryAcquireOrRenew();
      const now = this.options.clock.now();
      if (acquired) {
        this.lastRenew = now;
        if (!this.leading) {
          this.leading = true;
          this.options.logger.info({ identity: this.options.identity }, "became leader");
          this.options.onStartedLeading();
        }
      } else if (this.leading && now - this.lastRenew > this.options.renewDeadlineMs) {
        this.loseLeadership("could not renew the lease within the renew deadline");
      }
    } catch (error) {
      this.options.logger.warn({ err: errorMessage(error) }, "leader election step failed");
      if (this.leading && this.options.clock.now() - this.lastRenew > this.options.renewDeadlineMs)
        this.loseLeadership("lease API unreachable past the renew deadline");
    }
    this.ticking = false;
    const delay = this.wakeRequested && !this.leading ? 0 : this.nextDelay();
    this.wakeRequested = false;
    // stop() may have run while this tick awaited the API.
    if (!this.isStopped()) {
      this.timer = this.options.timers.setTimeout(() => {
        void this.tick();
      }, delay);
    }
  }

  /**
   * A retry period, or less when the observed holder's lease expires sooner: the next attempt is
   * timed to the expiry itself. Once past the expiry (an attempt then failed), back to the retry period.
   */
  private nextDelay(): number {
    const retry = this.options.retryPeriodMs;
    if (this.leading || !this.observed) return retry;
    const untilExpiry = this.observed.at + this.observed.durationMs - this.options.clock.now();
    return untilExpiry > 0 && untilExpiry < retry ? untilExpiry : retry;
  }

  private isStopped(): boolean {
    return this.stopped;
  }

  private loseLeadership(reason: string): void {
    this.leading = false;
    this.options.logger.error({ reason }, "lost leadership");
    this.options.onStoppedLeading();
  }

  private async read(): Promise<V1Lease | undefined> {
    try {
      return await this.options.coordination.readNamespacedLease({
        name: this.options.name,
        namespace: this.options.namespace,
      });
    } catch (error) {
      if (apiErrorKind(error) === "not-found") return undefined;
      throw error;
    }
  }

  private async tryAcquireOrRenew(): Promise<boolean> {
    const { identity, leaseDurationMs, namespace, name } = this.options;
    // A Lease's times are MicroTime: the API server rejects a plain Date's millisecond timestamp.
    const now = new V1MicroTime(this.options.clock.now());
    const lease = await this.read();
    const spec = {
      holderIdentity: identity,
      leaseDurationSeconds: Math.ceil(leaseDurationMs / 1000),
      renewTime: now,
    };
    if (!lease) {
      try {
        await this.options.coordination.createNamespacedLease({
          namespace,
          body: { metadata: { name, namespace }, spec: { ...spec, acquireTime: now, leaseTransitions: 0 } },
        });
        return true;
      } catch (error) {
        if (apiErrorKind(error) === "already-exists" || apiErrorKind(error) === "conflict") return false;
        throw error;
      }
    }
    const holder = lease.spec?.holderIdentity;
    if (holder && holder !== identity && !this.expired(lease)) return false;
    const transitions = (lease.spec?.leaseTransitions ?? 0) + (holder === identity ? 0 : 1);
    lease.spec = {
      ...lease.spec,
      ...spec,
      acquireTime: holder === identity ? (lease.spec?.acquireTime ?? now) : now,
      leaseTransitions: transitions,
    };
    try {
      await this.options.coordination.replaceNamespacedLease({ name, namespace, body: lease });
      return true;
    } catch (error) {
      if (apiErrorKind(error) === "conflict") return false;
      throw error;
    }
  }

  /**
   * A lease is expired when its record has not changed for a lease duration of *our* clock time
   * (clocks of replicas may differ, so the holder's renewTime alone is not trusted), or when the
   * holder released it.
   */
  private expired(lease: V1Lease): boolean {
    if (!lease.spec?.holderIdentity) return true;
    if (this.note(lease)) return false;
    const observed = this.observed;
    return observed !== undefined && this.options.clock.now() - observed.at >= observed.durationMs;
  }

  /** Records when a holder's lease record was first seen; true when it is new. */
  private note(lease: V1Lease): boolean {
    const holder = lease.spec?.holderIdentity;
    if (!holder || holder === this.options.identity) return false;
    const key = `${holder}|${String(lease.metadata?.resourceVersion)}`;
    if (this.observed?.key === key) return false;
    const durationMs = (lease.spec?.leaseDurationSeconds ?? 15) * 1000;
    this.observed = { key, at: this.options.clock.now(), durationMs };
    return true;
  }
}

/** A LeaseWatch on the Lease's namespace, through a resilient informer (list+watch, restarted on errors). */
export function leaseWatch(options: {
  readonly kubeConfig: KubeConfig;
  readonly coordination: CoordinationV1Api;
  readonly namespace: string;
  readonly name: string;
  readonly logger: Logger;
}): LeaseWatch {
  const { kubeConfig, coordination, namespace, name, logger } = options;
  const informer = new ResilientInformer<V1Lease>({
    name: "leases",
    kubeConfig,
    path: `/apis/coordination.k8s.io/v1/namespaces/${namespace}/leases`,
    list: () => coordination.listNamespacedLease({ namespace }),
    logger,
  });
  return {
    start(onLease) {
      informer.addHandlers({
        onUpsert: (lease) => {
          if (lease.metadata?.name === name) onLease(lease);
        },
      });
      void informer.start();
    },
    stop: () => informer.stop(),
  };
}
