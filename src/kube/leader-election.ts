// Leader election on a coordination.k8s.io Lease, as client-go does it: the holder renews the lease
// every retry period; a candidate takes it over once it has not been renewed for the lease duration.
// Optimistic concurrency (resourceVersion) makes takeover safe between replicas. Losing the lease
// stops the process's leadership callbacks; the composition root exits so a fresh start rebuilds state.
import type { CoordinationV1Api, V1Lease } from "@kubernetes/client-node";
import type { Clock, TimerHandle, Timers } from "../clock.js";
import type { Logger } from "../logging.js";
import { apiErrorKind } from "./errors.js";

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
}

export class LeaderElector {
  private leading = false;
  private lastRenew = 0;
  private timer: TimerHandle | undefined;
  private stopped = false;
  /** When we first saw the current holder's lease unchanged (takeover waits a lease duration from it). */
  private observed: { key: string; at: number } | undefined;

  constructor(private readonly options: LeaderElectionOptions) {}

  get isLeader(): boolean {
    return this.leading;
  }

  start(): void {
    void this.tick();
  }

  /** Stops renewing and releases the lease so a follower takes over at once. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.options.timers.clearTimeout(this.timer);
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
      this.options.logger.warn(
        { err: error instanceof Error ? error.message : String(error) },
        "leader election step failed",
      );
      if (this.leading && this.options.clock.now() - this.lastRenew > this.options.renewDeadlineMs)
        this.loseLeadership("lease API unreachable past the renew deadline");
    }
    // stop() may have run while this tick awaited the API.
    if (!this.isStopped()) {
      this.timer = this.options.timers.setTimeout(() => {
        void this.tick();
      }, this.options.retryPeriodMs);
    }
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
    const now = new Date(this.options.clock.now());
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
    const key = `${lease.spec.holderIdentity}|${String(lease.metadata?.resourceVersion)}`;
    const now = this.options.clock.now();
    if (this.observed?.key !== key) {
      this.observed = { key, at: now };
      return false;
    }
    const durationMs = (lease.spec.leaseDurationSeconds ?? 15) * 1000;
    return now - this.observed.at >= durationMs;
  }
}
