// Bindings and events under a burst: a bounded number of requests in flight, 429s retried for
// bindings, and an event queue that neither blocks callers nor grows without bound.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ApiException, type CoreV1Api } from "@kubernetes/client-node";
import { pino } from "pino";
import { ManualClock } from "../../src/clock.js";
import { ok } from "../../src/domain/result.js";
import { ApiBinder } from "../../src/kube/binder.js";
import { ApiEventRecorder } from "../../src/kube/events.js";
import { until } from "../support/until.js";

/** A function telling whether every given promise has settled. */
function allSettled(promises: readonly Promise<unknown>[]): () => boolean {
  let settled = 0;
  for (const promise of promises)
    void promise.then(
      () => settled++,
      () => settled++,
    );
  return () => settled === promises.length;
}

/** A fake API call whose requests stay open until released; it records how many overlap. */
function gate<T>() {
  let open = 0;
  let peak = 0;
  const waiting: (() => void)[] = [];
  const call = async (): Promise<T> => {
    open++;
    peak = Math.max(peak, open);
    await new Promise<void>((resolve) => waiting.push(resolve));
    open--;
    return {} as T;
  };
  /** Releases open requests, and those that follow, until `done`. */
  const releaseUntil = async (done: () => boolean) => {
    while (!done()) {
      for (const release of waiting.splice(0)) release();
      await until(() => waiting.length > 0 || done(), { what: "more requests, or the end" });
    }
  };
  /** Waits until `count` requests are open. */
  const opened = (count: number) => until(() => waiting.length === count, { what: `${count} open requests` });
  return { call, releaseUntil, opened, peak: () => peak };
}

describe("ApiBinder", () => {
  it("keeps at most `concurrency` bindings in flight", async () => {
    const g = gate<unknown>();
    const binder = new ApiBinder(
      { createNamespacedBinding: g.call } as Pick<CoreV1Api, "createNamespacedBinding">,
      {
        concurrency: 8,
      },
    );
    const results = Array.from({ length: 100 }, (_, i) =>
      binder.bind("default", `p-${i}`, `u-${i}`, "node-a"),
    );
    await g.opened(8);
    await g.releaseUntil(allSettled(results));
    const outcomes = await Promise.all(results);
    assert.ok(outcomes.every((r) => r.ok));
    assert.equal(g.peak(), 8);
  });

  it("joins a request for a binding already queued or in flight instead of sending it twice", async () => {
    const g = gate<unknown>();
    let calls = 0;
    const binder = new ApiBinder({
      createNamespacedBinding: () => {
        calls++;
        return g.call();
      },
    } as unknown as Pick<CoreV1Api, "createNamespacedBinding">);
    const first = binder.bind("default", "p", "u", "node-a");
    const again = binder.bind("default", "p", "u", "node-a");
    const elsewhere = binder.bind("default", "p", "u", "node-b");
    await g.opened(2);
    await g.releaseUntil(allSettled([first, again, elsewhere]));
    assert.deepEqual(await Promise.all([first, again, elsewhere]), [
      ok({ joined: false }),
      ok({ joined: true }),
      ok({ joined: false }),
    ]);
    assert.equal(calls, 2, "one call for node-a (joined), one for node-b");
    // Once settled, a new request is sent again (the pod may have been recreated, or unbound).
    const later = binder.bind("default", "p", "u", "node-a");
    await g.opened(1);
    await g.releaseUntil(allSettled([later]));
    assert.deepEqual(await later, ok({ joined: false }));
    assert.equal(calls, 3);
  });

  it("does not send a queued binding whose pod another caller bound meanwhile", async () => {
    const g = gate<unknown>();
    let calls = 0;
    const boundElsewhere = new Set<string>();
    const binder = new ApiBinder(
      {
        createNamespacedBinding: () => {
          calls++;
          return g.call();
        },
      } as unknown as Pick<CoreV1Api, "createNamespacedBinding">,
      { concurrency: 1, alreadyBound: (uid, node) => boundElsewhere.has(`${uid}@${node}`) },
    );
    const first = binder.bind("default", "p1", "u1", "node-a");
    const queued = binder.bind("default", "p2", "u2", "node-a");
    await g.opened(1);
    boundElsewhere.add("u2@node-a"); // kube-scheduler bound p2 through the extender meanwhile
    // Asked for p2 again while p1 still holds the only slot: answered at once, not queued.
    let answered = false;
    const again = binder.bind("default", "p2", "u2", "node-a").then((r) => {
      answered = true;
      return r;
    });
    await until(() => answered, { what: "the answer" });
    assert.equal(calls, 1, "p1 still holds the only slot");
    assert.deepEqual(await again, ok({ joined: true }));
    await g.releaseUntil(allSettled([first, queued]));
    assert.deepEqual(await first, ok({ joined: false }));
    assert.deepEqual(await queued, ok({ joined: true }));
    assert.equal(calls, 1, "only p1's Binding was sent");
  });

  it("retries a binding answered 429 after a backoff, then reports an error if it persists", async () => {
    let calls = 0;
    const waits: number[] = [];
    const flaky = {
      createNamespacedBinding: () => {
        calls++;
        return calls <= 2 ? Promise.reject(new ApiException(429, "too many", "", {})) : Promise.resolve({});
      },
    } as unknown as Pick<CoreV1Api, "createNamespacedBinding">;
    const sleep = (ms: number) => {
      waits.push(ms);
      return Promise.resolve();
    };
    const binder = new ApiBinder(flaky, { sleep });
    assert.deepEqual(await binder.bind("default", "p", "u", "node-a"), ok({ joined: false }));
    assert.equal(calls, 3);
    assert.deepEqual(waits, [200, 400]);

    const busy = {
      createNamespacedBinding: () => Promise.reject(new ApiException(429, "too many", "", {})),
    } as unknown as Pick<CoreV1Api, "createNamespacedBinding">;
    const result = await new ApiBinder(busy, { sleep, attempts: 3 }).bind("default", "p", "u", "node-a");
    assert.ok(!result.ok && result.error.kind === "error");
  });
});

describe("ApiEventRecorder", () => {
  it("writes a few events at a time and drops what exceeds the queue", async () => {
    const g = gate<unknown>();
    const recorder = new ApiEventRecorder(
      { createNamespacedEvent: g.call } as Pick<CoreV1Api, "createNamespacedEvent">,
      new ManualClock(0),
      pino({ level: "silent" }),
      "rafter",
      { concurrency: 2, maxQueued: 10 },
    );
    const target = { apiVersion: "v1", kind: "Pod", name: "p", namespace: "default" };
    for (let i = 0; i < 50; i++) recorder.record(target, "Normal", "Nominated", `event ${i}`);
    await g.opened(2);
    assert.equal(g.peak(), 2);
    assert.equal(recorder.pending, 12, "2 in flight and 10 queued; the rest dropped");
    await g.releaseUntil(() => recorder.pending === 0);
    assert.equal(recorder.pending, 0);
  });
});
