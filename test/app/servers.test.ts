// rafter's two listeners as the composition root starts them: the extender port and the metrics
// port answer /healthz, /readyz and /metrics from the same routes and the same readiness rule, and a
// binding through the extender is reported as the launcher reports its own (Bound event, histogram).
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { pino } from "pino";
import { startServers } from "../../src/app/servers.js";
import { ManualClock } from "../../src/clock.js";
import { staticReader } from "../../src/controllers/cluster-reader.js";
import { MemoryEventRecorder } from "../../src/kube/events.js";
import { provisioningMetrics } from "../../src/metrics/provisioning.js";
import { createMetricsRegistry } from "../../src/metrics/registry.js";
import type { RunningServer } from "../../src/server/listen.js";
import { createSchedulingState } from "../../src/state/scheduling-state.js";
import { FakeBinder, node, pod } from "../extender/support.js";

describe("the extender and metrics listeners", () => {
  const clock = new ManualClock(Date.parse("2026-01-01T00:00:10Z"));
  const registry = createMetricsRegistry();
  const core = {
    scheduling: createSchedulingState({ clock }),
    binder: new FakeBinder(),
    registry,
    events: new MemoryEventRecorder(),
    metrics: provisioningMetrics(registry),
    reader: staticReader({}),
  };
  const leader = { value: true };
  let servers: RunningServer[] = [];
  const urls = () => servers.map((server) => `http://127.0.0.1:${server.port}`);

  before(async () => {
    servers = await startServers(
      {
        extenderPort: 0,
        extenderBind: "127.0.0.1",
        metricsPort: 0,
        tlsCertFile: "",
        tlsKeyFile: "",
        tlsClientCaFile: "",
      },
      { core, isLeader: () => leader.value, clock, logger: pino({ level: "silent" }) },
    );
  });
  after(async () => {
    await Promise.all(servers.map((server) => server.close()));
  });

  async function both(path: string): Promise<{ status: number; text: string }[]> {
    return Promise.all(
      urls().map(async (url) => {
        const res = await fetch(url + path);
        return { status: res.status, text: await res.text() };
      }),
    );
  }

  it("agree on readiness as the state syncs and leadership changes", async () => {
    assert.equal(urls().length, 2);
    const expected = (status: number, text: string) => [
      { status, text },
      { status, text },
    ];
    assert.deepEqual(await both("/readyz"), expected(503, "cluster state not synced"));
    core.scheduling.state.markSynced();
    assert.deepEqual(await both("/readyz"), expected(200, "ok"));
    leader.value = false;
    assert.deepEqual(await both("/readyz"), expected(503, "not the leader"));
    leader.value = true;
    assert.deepEqual(await both("/healthz"), expected(200, "ok"));
  });

  it("report a binding made through the extender with a Bound event and the pending-to-bound time", async () => {
    core.scheduling.state.upsertNode(node("n-1"));
    const pending = pod("web");
    pending.metadata!.creationTimestamp = new Date("2026-01-01T00:00:00Z");
    core.scheduling.state.upsertPod(pending);
    const res = await fetch(`${urls()[0]!}/bind`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ PodName: "web", PodNamespace: "default", PodUID: "uid-web", Node: "n-1" }),
    });
    assert.deepEqual(await res.json(), { Error: "" });
    assert.deepEqual(
      core.events.events.map((e) => [e.target.name, e.reason, e.message]),
      [["web", "Bound", "Bound to n-1 through rafter's extender"]],
    );
    const [extenderMetrics, metricsPort] = await both("/metrics");
    const seconds = /^rafter_pod_pending_to_bound_seconds_sum 10$/m;
    assert.match(extenderMetrics!.text, seconds);
    assert.match(metricsPort!.text, seconds);
  });
});
