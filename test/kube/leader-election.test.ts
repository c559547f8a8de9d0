// Leader election on a Lease: one leader at a time, takeover exactly a lease duration after the
// holder's last renewal was seen (not rounded up to the next retry tick), renewals seen through the
// watch as they are written, a released lease taken over at once, and no busy loop when the API fails.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { CoordinationV1Api, V1Lease } from "@kubernetes/client-node";
import { pino } from "pino";
import { ManualClock, type Timers } from "../../src/clock.js";
import { LeaderElector, type LeaseWatch } from "../../src/kube/leader-election.js";

const flush = () => new Promise((resolve) => setImmediate(resolve));

/** An API server holding one Lease, with resourceVersion conflicts, and a watch on it. */
class FakeLeases {
  lease: V1Lease | undefined;
  reads = 0;
  failing = false;
  private version = 0;
  private readonly watchers = new Set<(lease: V1Lease) => void>();

  readonly api = {
    readNamespacedLease: () => {
      this.reads += 1;
      if (this.failing) return Promise.reject(new Error("connection refused"));
      if (!this.lease) return Promise.reject(Object.assign(new Error("not found"), { code: 404 }));
      return Promise.resolve(structuredClone(this.lease));
    },
    createNamespacedLease: ({ body }: { body: V1Lease }) => {
      if (this.failing) return Promise.reject(new Error("connection refused"));
      if (this.lease)
        return Promise.reject(Object.assign(new Error("exists"), { code: 409, body: "AlreadyExists" }));
      return this.tryWrite(body);
    },
    replaceNamespacedLease: ({ body }: { body: V1Lease }) => {
      if (this.failing) return Promise.reject(new Error("connection refused"));
      if (body.metadata?.resourceVersion !== this.lease?.metadata?.resourceVersion)
        return Promise.reject(Object.assign(new Error("conflict"), { code: 409 }));
      return this.tryWrite(body);
    },
  } as unknown as CoordinationV1Api;

  watch(): LeaseWatch {
    let listener: ((lease: V1Lease) => void) | undefined;
    return {
      start: (onLease) => {
        listener = onLease;
        this.watchers.add(onLease);
      },
      stop: () => {
        if (listener) this.watchers.delete(listener);
        return Promise.resolve();
      },
    };
  }

  get holder(): string | undefined {
    return this.lease?.spec?.holderIdentity;
  }

  private async tryWrite(body: V1Lease): Promise<V1Lease> {
    await Promise.resolve();
    return this.write(body);
  }

  private write(body: V1Lease): V1Lease {
    // What goes over the wire: the API server parses a Lease's times as MicroTime (6 decimals).
    const wire = JSON.parse(JSON.stringify(body)) as V1Lease;
    const times = [wire.spec?.renewTime, wire.spec?.acquireTime] as unknown as (string | undefined)[];
    for (const time of times)
      if (time !== undefined && !/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/.test(time))
        throw Object.assign(new Error(`cannot be handled as a Lease: parsing time ${time}`), {
          code: 400,
        });
    this.version += 1;
    this.lease = structuredClone({
      ...wire,
      metadata: {
        ...body.metadata,
        name: "rafter-leader",
        namespace: "kube-system",
        resourceVersion: String(this.version),
      },
    });
    for (const watcher of this.watchers) watcher(structuredClone(this.lease));
    return structuredClone(this.lease);
  }
}

/** Timers that stop firing when the process "crashes" (SIGKILL: no release, no more renewals). */
function crashable(clock: ManualClock): { timers: Timers; crash: () => void } {
  let crashed = false;
  return {
    timers: {
      setTimeout: (callback, delayMs) =>
        clock.setTimeout(() => {
          if (!crashed) callback();
        }, delayMs),
      clearTimeout: (handle) => {
        clock.clearTimeout(handle);
      },
    },
    crash: () => {
      crashed = true;
    },
  };
}

interface Replica {
  readonly elector: LeaderElector;
  readonly crash: () => void;
  /** Clock times at which it started leading. */
  readonly led: number[];
  readonly lost: number[];
}

function replica(
  leases: FakeLeases,
  clock: ManualClock,
  identity: string,
  options: { watch?: boolean } = {},
): Replica {
  const { timers, crash } = crashable(clock);
  const led: number[] = [];
  const lost: number[] = [];
  const elector = new LeaderElector({
    coordination: leases.api,
    namespace: "kube-system",
    name: "rafter-leader",
    identity,
    leaseDurationMs: 15_000,
    renewDeadlineMs: 10_000,
    retryPeriodMs: 2_000,
    clock,
    timers,
    logger: pino({ level: "silent" }),
    onStartedLeading: () => led.push(clock.now()),
    onStoppedLeading: () => lost.push(clock.now()),
    ...(options.watch === true ? { watch: leases.watch() } : {}),
  });
  return { elector, crash, led, lost };
}

/** Moves time forward millisecond by millisecond, letting each tick's API round trips complete. */
async function run(clock: ManualClock, ms: number): Promise<void> {
  await flush();
  for (let i = 0; i < ms; i++) {
    clock.advance(1);
    await flush();
  }
}

/** A leads, B follows; returns them once B has seen A's lease. */
async function twoReplicas(watch: boolean, startOffsetMs: number) {
  const clock = new ManualClock(1_000_000);
  const leases = new FakeLeases();
  const a = replica(leases, clock, "a", { watch });
  const b = replica(leases, clock, "b", { watch });
  a.elector.start();
  await run(clock, startOffsetMs);
  b.elector.start();
  await run(clock, 10_000);
  assert.equal(leases.holder, "a");
  assert.deepEqual(b.led, []);
  return { clock, leases, a, b };
}

/** Runs until the lease is renewed (its resourceVersion changes) and returns that moment. */
async function untilRenewed(clock: ManualClock, leases: FakeLeases): Promise<number> {
  const version = leases.lease?.metadata?.resourceVersion;
  for (let i = 0; i < 5_000 && leases.lease?.metadata?.resourceVersion === version; i++) await run(clock, 1);
  assert.notEqual(leases.lease?.metadata?.resourceVersion, version, "the holder renews");
  return clock.now();
}

describe("LeaderElector", () => {
  it("acquires an absent lease at once and keeps it while renewing; the follower never takes over", async () => {
    const clock = new ManualClock(0);
    const leases = new FakeLeases();
    const a = replica(leases, clock, "a");
    const b = replica(leases, clock, "b");
    a.elector.start();
    await flush();
    assert.deepEqual(a.led, [0]);
    assert.equal(a.elector.isLeader, true);
    b.elector.start();
    await run(clock, 60_000);
    assert.equal(leases.holder, "a");
    assert.deepEqual(b.led, [], "no takeover of a lease that keeps being renewed");
    assert.deepEqual(a.lost, []);
    assert.equal(b.elector.isLeader, false);
  });

  it("with polling, takes over exactly a lease duration after it first saw the last renewal", async () => {
    // B polls 700 ms after A renews: it sees each renewal 700 ms late, and the expiry (15 s after
    // that sighting) falls between two of its retry ticks — the attempt must be timed to it.
    const { clock, leases, a, b } = await twoReplicas(false, 700);
    const renewed = await untilRenewed(clock, leases);
    a.crash();
    await run(clock, 20_000);
    assert.deepEqual(b.led, [renewed + 700 + 15_000]);
    assert.equal(leases.holder, "b");
    assert.equal(leases.lease?.spec?.leaseTransitions, 1);
  });

  it("with the watch, takes over exactly a lease duration after the last renewal was written", async () => {
    const { clock, leases, a, b } = await twoReplicas(true, 700);
    const renewed = await untilRenewed(clock, leases);
    a.crash();
    await run(clock, 14_999);
    assert.deepEqual(b.led, [], "not before the lease expires");
    await run(clock, 1);
    assert.deepEqual(b.led, [renewed + 15_000]);
    assert.equal(leases.holder, "b");
  });

  it("takes a released lease over as soon as the watch shows it, without waiting for a retry", async () => {
    const { clock, leases, a, b } = await twoReplicas(true, 700);
    const releasedAt = clock.now();
    await a.elector.stop();
    await flush();
    await flush();
    assert.deepEqual(b.led, [releasedAt]);
    assert.equal(leases.holder, "b");
  });

  it("keeps to the retry period while the API fails past the expiry (no busy loop)", async () => {
    const { clock, leases, a, b } = await twoReplicas(false, 700);
    a.crash();
    await run(clock, 5_000);
    leases.failing = true;
    const before = leases.reads;
    await run(clock, 20_000);
    const reads = leases.reads - before;
    assert.ok(reads >= 9 && reads <= 11, `about one read per retry period, got ${reads}`);
    assert.deepEqual(b.led, []);
    leases.failing = false;
    await run(clock, 2_000);
    assert.equal(b.led.length, 1, "takes over once the API answers again");
  });
});
