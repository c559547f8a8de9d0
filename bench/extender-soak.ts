// Extender soak: sustained filter + prioritize load (kube-scheduler's nodeCacheCapable requests with
// 500 candidate names) against the extender benchmark's cluster (5 000 nodes, 50 000 pods), served
// from a child process pinned to one core, autocannon in this process on the other core. Reports
// errors (the goal is none), the server's RSS and heap every second, and memory growth: heap after a
// full GC at the end against heap after a full GC once warmed up. The last line of output is JSON.
//
//   npm run bench:extender-soak                         (60 s, 4 connections, as fast as it serves)
//   SOAK_SECONDS=600 SOAK_RATE=2000 npm run bench:extender-soak
//
// SOAK_RATE caps the total request rate (requests/s); by default there is no cap, so the load is
// the benchmark's (bench/extender.ts: 4 connections, each sending its next request on the reply).
// Goal (issue 8, "Load"): no errors, flat memory (here: heap growth ≤ 10 %).
import { fork, spawnSync, type ChildProcess } from "node:child_process";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { availableParallelism, loadavg } from "node:os";
import autocannon from "autocannon";
import { pino } from "pino";
import { systemClock } from "../src/clock.js";
import { createExtenderListener } from "../src/extender/app.js";
import type { Binder } from "../src/kube/binder.js";
import { ok } from "../src/domain/result.js";
import { createMetricsRegistry } from "../src/metrics/registry.js";
import { buildState, requestBodies } from "./lib/extender-cluster.js";

const seconds = Number(process.env.SOAK_SECONDS ?? 60);
const warmupSeconds = Number(process.env.SOAK_WARMUP_SECONDS ?? 10);
const connections = Number(process.env.SOAK_CONNECTIONS ?? 4);
const rate = process.env.SOAK_RATE === undefined ? undefined : Number(process.env.SOAK_RATE);
const nodeCount = Number(process.env.BENCH_NODES ?? 5_000);
const podCount = Number(process.env.BENCH_PODS ?? 50_000);
const candidates = Number(process.env.BENCH_CANDIDATES ?? 500);
const seed = Number(process.env.BENCH_SEED ?? 42);
/** Largest accepted heap growth (end vs warmed up, both after a full GC) for "flat". */
const flatHeapRatio = 1.1;

const mib = (bytes: number): number => Number((bytes / 2 ** 20).toFixed(1));

interface Sample {
  second: number;
  rssMiB: number;
  heapUsedMiB: number;
  heapTotalMiB: number;
  externalMiB: number;
}

type Command = { kind: "gc" } | { kind: "samples" };

// ---------------------------------------------------------------------------------------------
// Server role (child process, started with --expose-gc).

async function serve(): Promise<void> {
  const { state, ledger, names } = buildState(nodeCount, podCount, seed);
  const noBinder: Binder = { bind: () => Promise.resolve(ok({ joined: false })) };
  const listener = createExtenderListener({
    state,
    ledger,
    binder: noBinder,
    registry: createMetricsRegistry(),
    logger: pino({ level: "info" }),
    clock: systemClock,
  });
  const server = createServer(listener);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const started = performance.now();
  const samples: Sample[] = [];
  setInterval(() => {
    const m = process.memoryUsage();
    samples.push({
      second: Math.round((performance.now() - started) / 1000),
      rssMiB: mib(m.rss),
      heapUsedMiB: mib(m.heapUsed),
      heapTotalMiB: mib(m.heapTotal),
      externalMiB: mib(m.external + m.arrayBuffers),
    });
  }, 1000).unref();
  const gc = (globalThis as { gc?: () => void }).gc;
  process.on("message", (command: Command) => {
    if (command.kind === "gc") {
      // Twice: the first full GC can leave garbage its finalisers released for the second.
      gc?.();
      gc?.();
      const m = process.memoryUsage();
      process.send?.({ heapUsedMiB: mib(m.heapUsed), rssMiB: mib(m.rss), gcExposed: gc !== undefined });
    } else {
      process.send?.(samples.splice(0));
    }
  });
  process.on("SIGTERM", () => {
    process.exit(0);
  });
  process.send?.({ port: (server.address() as AddressInfo).port, names });
}

// ---------------------------------------------------------------------------------------------
// Driver role.

function ask<T>(child: ChildProcess, command: Command): Promise<T> {
  return new Promise((resolve) => {
    child.once("message", (reply) => {
      resolve(reply as T);
    });
    child.send(command);
  });
}

interface AfterGc {
  heapUsedMiB: number;
  rssMiB: number;
  gcExposed: boolean;
}

async function load(
  url: string,
  bodies: string[],
  duration: number,
  perSecond: number[] | undefined,
): Promise<autocannon.Result> {
  // filter and prioritize for each pending pod, as kube-scheduler calls them.
  const requests = bodies.flatMap((body) =>
    ["/filter", "/prioritize"].map((path) => ({
      method: "POST" as const,
      path,
      body,
      headers: { "content-type": "application/json" },
    })),
  );
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      { url, connections, duration, requests, ...(rate !== undefined ? { overallRate: rate } : {}) },
      (error: unknown, result) => {
        if (error) reject(error instanceof Error ? error : new Error("autocannon failed"));
        else resolve(result);
      },
    );
    // autocannon's per-second tick carries the requests completed in that second.
    instance.on("tick", ((tick: { counter: number }) => {
      perSecond?.push(tick.counter);
    }) as () => void);
  });
}

async function main(): Promise<void> {
  const pinned =
    availableParallelism() >= 2 &&
    spawnSync("taskset", ["-a", "-p", "-c", "1", String(process.pid)], { stdio: "ignore" }).status === 0;
  const child = fork(import.meta.filename, [], {
    execArgv: ["--import", "tsx", "--expose-gc"],
    env: { ...process.env, RAFTER_BENCH_ROLE: "server" },
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  if (pinned && child.pid !== undefined) {
    // -a: every thread of the server (GC helpers too) on core 0.
    spawnSync("taskset", ["-a", "-p", "-c", "0", String(child.pid)], { stdio: "ignore" });
  }
  try {
    const ready = await new Promise<{ port: number; names: string[] }>((resolve, reject) => {
      child.once("message", (message) => {
        resolve(message as { port: number; names: string[] });
      });
      child.once("exit", (code) => {
        reject(new Error(`soak server exited with ${String(code)}`));
      });
    });
    const url = `http://127.0.0.1:${ready.port}`;
    const bodies = requestBodies(ready.names, 64, candidates, seed);
    console.log(
      `soak: ${nodeCount} nodes, ${podCount} pods, ${candidates} candidates; filter + prioritize, ` +
        `${connections} connections, rate ${rate === undefined ? "uncapped" : `${rate}/s`}; ` +
        `${warmupSeconds} s warm-up + ${seconds} s; server pinned to one core: ${pinned}; ` +
        `load average ${loadavg()[0]?.toFixed(2) ?? "?"}`,
    );
    const warm = await load(url, bodies, warmupSeconds, undefined);
    const afterWarmup = await ask<AfterGc>(child, { kind: "gc" });
    await ask<Sample[]>(child, { kind: "samples" }); // drop the warm-up samples
    console.log(`after warm-up (${warm.requests.total} requests), after GC: ${JSON.stringify(afterWarmup)}`);

    const perSecond: number[] = [];
    const result = await load(url, bodies, seconds, perSecond);
    const samples = await ask<Sample[]>(child, { kind: "samples" });
    const end = await ask<AfterGc>(child, { kind: "gc" });
    for (let i = 0; i < samples.length; i += 10) {
      const s = samples[i];
      if (s) console.log(`  t+${String(i).padStart(3)} s  ${JSON.stringify(s)}`);
    }
    console.log(`end, after GC: ${JSON.stringify(end)}`);

    const served = result["2xx"] + result.non2xx;
    const heapGrowthRatio = Number((end.heapUsedMiB / afterWarmup.heapUsedMiB).toFixed(3));
    const summary = {
      benchmark: "extender-soak",
      nodes: nodeCount,
      pods: podCount,
      candidates,
      connections,
      rateCap: rate ?? null,
      warmupSeconds,
      seconds,
      pinnedToOneCore: pinned,
      loadAverage: loadavg()[0],
      requests: served,
      requestsPerSecond: Math.round(served / seconds),
      // Requests completed in each second (autocannon's ticks; a last partial second is left out).
      perSecond: perSecond.slice(0, seconds),
      slowestSecond: Math.min(...perSecond.slice(0, seconds)),
      errors: result.errors,
      timeouts: result.timeouts,
      non2xx: result.non2xx,
      latencyMs: { p50: result.latency.p50, p99: result.latency.p99, max: result.latency.max },
      memory: {
        afterWarmupAfterGc: afterWarmup,
        endAfterGc: end,
        heapGrowthRatio,
        rssGrowthRatio: Number((end.rssMiB / afterWarmup.rssMiB).toFixed(3)),
        peakRssMiB: Math.max(...samples.map((s) => s.rssMiB)),
        peakHeapUsedMiB: Math.max(...samples.map((s) => s.heapUsedMiB)),
        samples,
      },
      goal: { errors: 0, heapGrowthRatioAtMost: flatHeapRatio },
      goalMet:
        result.errors === 0 &&
        result.timeouts === 0 &&
        result.non2xx === 0 &&
        end.gcExposed &&
        heapGrowthRatio <= flatHeapRatio,
    };
    console.log(JSON.stringify(summary));
  } finally {
    child.kill();
  }
}

if (process.env.RAFTER_BENCH_ROLE === "server") {
  await serve();
} else {
  await main();
}
