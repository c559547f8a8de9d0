// Extender benchmark: a cluster state of 5 000 nodes and 50 000 bound pods (seeded), the extender
// app served from a child process pinned to one core, and autocannon (in this process, on the other
// core) sending kube-scheduler's nodeCacheCapable filter and prioritize requests with 500 candidate
// names. A trivial express endpoint (express.json + res.json echo) with bodies of the same size runs
// in the same server process as the baseline, and a bare node:http echo of the same bodies as the
// floor: what any reply to such a request costs on this machine at this moment (compare the verbs'
// CPU per request with it when the machine is busy). The last line of output is JSON.
//
//   npm run bench:extender                  (defaults)
//   BENCH_DURATION=10 BENCH_CONNECTIONS=4 npm run bench:extender
//
// Goal (issue 6): filter p99 ≤ 2 ms and ≥ 5 000 requests/s on one core.
//
// "One core", honestly: every thread of the server process (GC helpers included) is pinned to core
// 0 with `taskset -a`, autocannon to core 1, so requestsPerSecond is what one core served, as
// measured, while sharing that core with whatever else runs on the machine. oneCoreCapacityPerSecond
// is derived: 1e6 / the server's CPU time (user + system, all its threads) per request, i.e. what a
// core given wholly to the server would sustain at that cost; it is the steadier figure on a busy
// machine, not a measurement of throughput. loadAverage says how busy the machine was.
import { fork, spawnSync, type ChildProcess } from "node:child_process";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { availableParallelism, loadavg } from "node:os";
import autocannon from "autocannon";
import express from "express";
import { pino } from "pino";
import { systemClock } from "../src/clock.js";
import { createExtenderListener } from "../src/extender/app.js";
import type { Binder } from "../src/kube/binder.js";
import { ok } from "../src/domain/result.js";
import { filterVerb, prioritizeVerb, type HandlerContext } from "../src/extender/handlers.js";
import { RecentPods } from "../src/extender/recent-pods.js";
import { SlotIndex } from "../src/extender/slot-index.js";
import type { VerbHandler } from "../src/extender/verb-route.js";
import { extenderMetrics } from "../src/metrics/extender.js";
import { createMetricsRegistry } from "../src/metrics/registry.js";
import type { SchedulingState } from "../src/state/scheduling-state.js";
import { buildState, requestBodies } from "./lib/extender-cluster.js";

const nodeCount = Number(process.env.BENCH_NODES ?? 5_000);
const podCount = Number(process.env.BENCH_PODS ?? 50_000);
const candidates = Number(process.env.BENCH_CANDIDATES ?? 500);
const durationSeconds = Number(process.env.BENCH_DURATION ?? 8);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 4);
const seed = Number(process.env.BENCH_SEED ?? 42);

// ---------------------------------------------------------------------------------------------
// Server role (child process): builds the state and serves the extender and the baseline.

const noBinder: Binder = { bind: () => Promise.resolve(ok({ joined: false })) };

/** The floor: node:http reading a body and writing it back, nothing else. */
function bareEcho(req: IncomingMessage, res: ServerResponse): void {
  const chunks: Buffer[] = [];
  req.on("data", (chunk: Buffer) => chunks.push(chunk));
  req.on("end", () => {
    const body = Buffer.concat(chunks);
    res.writeHead(200, ["content-type", "application/json", "content-length", String(body.length)]);
    res.end(body);
  });
}

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return (server.address() as AddressInfo).port;
}

/**
 * CPU microseconds per call of rafter's own work for a request, without HTTP: reading the body,
 * the verb, encoding the reply, as the server does it (verb-route.ts). The rest
 * of a request's cost is node's HTTP stack.
 */
function measureHandlers(
  scheduling: SchedulingState,
  bodies: string[],
): { filter: number; prioritize: number } {
  const ctx: HandlerContext = {
    ...scheduling,
    binder: noBinder,
    logger: pino({ level: "info" }),
    metrics: extenderMetrics(createMetricsRegistry()),
    recent: new RecentPods(),
    onBound: undefined,
    clock: systemClock,
    slotIndex: new SlotIndex(scheduling.state),
  };
  const bytes = bodies.map((body) => Buffer.from(body));
  const run = (handler: VerbHandler, iterations: number): number => {
    const before = process.cpuUsage();
    for (let i = 0; i < iterations; i++) {
      const reply = handler(ctx, bytes[i % bytes.length] ?? Buffer.alloc(0), "bench");
      if (reply instanceof Promise || reply.raw === undefined) throw new Error("unexpected reply");
    }
    const used = process.cpuUsage(before);
    return (used.user + used.system) / iterations;
  };
  run(filterVerb, 2000); // warm-up (JIT)
  run(prioritizeVerb, 2000);
  return {
    filter: Number(run(filterVerb, 5000).toFixed(1)),
    prioritize: Number(run(prioritizeVerb, 5000).toFixed(1)),
  };
}

async function serve(): Promise<void> {
  const started = performance.now();
  const { state, ledger, names } = buildState(nodeCount, podCount, seed);
  const buildMs = performance.now() - started;
  const listener = createExtenderListener({
    state,
    ledger,
    binder: noBinder,
    registry: createMetricsRegistry(),
    logger: pino({ level: "info" }),
    clock: systemClock,
  });
  const baseline = express();
  baseline.set("etag", false);
  baseline.post("/echo", express.json({ limit: "10mb" }), (req, res) => {
    res.json(req.body);
  });
  const handlerMicros = measureHandlers({ state, ledger }, requestBodies(names, 64, candidates, seed));
  const extenderPort = await listen(createServer(listener));
  const baselinePort = await listen(
    createServer((req, res) => {
      if (req.method === "POST" && req.url === "/bare") bareEcho(req, res);
      else void baseline(req, res);
    }),
  );
  // The driver asks for this process's CPU time around each phase: CPU per request is the figure
  // that holds on a busy machine, where wall-clock throughput depends on the neighbours.
  process.on("message", () => {
    process.send?.(process.cpuUsage());
  });
  // Exit normally when the driver ends the run, so that BENCH_CPU_PROF's profile gets written.
  process.on("SIGTERM", () => {
    process.exit(0);
  });
  process.send?.({
    extenderPort,
    baselinePort,
    names,
    buildMs,
    heapMiB: process.memoryUsage().heapUsed / 2 ** 20,
    handlerMicros,
  });
}

// ---------------------------------------------------------------------------------------------
// Driver role: starts the server, runs autocannon, prints figures.

interface Ready {
  extenderPort: number;
  baselinePort: number;
  names: string[];
  buildMs: number;
  heapMiB: number;
  handlerMicros: { filter: number; prioritize: number };
}

interface Figures {
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  non2xx: number;
  errors: number;
  /** Server CPU time per request (user + system), in microseconds. */
  serverCpuMicrosPerRequest: number;
  /** What one fully available core would sustain at that CPU cost. */
  oneCoreCapacityPerSecond: number;
  /** From the server's own latency histogram (body read to reply), for the extender phases. */
  serverP99Ms?: number;
  serverShareUnder2Ms?: number;
}

function serverCpu(child: ChildProcess): Promise<number> {
  return new Promise((resolve) => {
    child.once("message", (usage) => {
      const { user, system } = usage as NodeJS.CpuUsage;
      resolve(user + system);
    });
    child.send("cpu");
  });
}

/** Cumulative bucket counts of rafter_extender_request_duration_seconds for one verb. */
async function latencyBuckets(url: string, verb: string): Promise<Map<number, number>> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const buckets = new Map<number, number>();
  const pattern = new RegExp(
    `^rafter_extender_request_duration_seconds_bucket\\{le="([^"]+)",verb="${verb}"\\} (\\d+)`,
    "gm",
  );
  for (const match of text.matchAll(pattern)) {
    const le = match[1] === "+Inf" ? Infinity : Number(match[1]);
    buckets.set(le, Number(match[2]));
  }
  return buckets;
}

/** p99 by linear interpolation inside the bucket that crosses it, and the share at or under 2 ms. */
function histogramFigures(
  before: Map<number, number>,
  after: Map<number, number>,
): { p99Ms: number; shareUnder2Ms: number } {
  const bounds = [...after.keys()].sort((a, b) => a - b);
  const total = (after.get(Infinity) ?? 0) - (before.get(Infinity) ?? 0);
  const count = (le: number): number => (after.get(le) ?? 0) - (before.get(le) ?? 0);
  let previousBound = 0;
  let previousCount = 0;
  let p99 = NaN;
  for (const le of bounds) {
    const c = count(le);
    if (c >= 0.99 * total) {
      const upper = Number.isFinite(le) ? le : previousBound;
      const within = c - previousCount;
      p99 =
        within > 0
          ? previousBound + ((0.99 * total - previousCount) / within) * (upper - previousBound)
          : upper;
      break;
    }
    previousBound = le;
    previousCount = c;
  }
  return {
    p99Ms: Number((p99 * 1000).toFixed(3)),
    shareUnder2Ms: total > 0 ? Number((count(0.002) / total).toFixed(4)) : 0,
  };
}

async function drive(
  child: ChildProcess,
  url: string,
  path: string,
  bodies: string[],
  conns: number,
  seconds: number,
): Promise<Figures> {
  const verb = path.slice(1);
  const extender = path === "/filter" || path === "/prioritize";
  const bucketsBefore = extender ? await latencyBuckets(url, verb) : undefined;
  const cpuBefore = await serverCpu(child);
  const result = await autocannon({
    url,
    connections: conns,
    duration: seconds,
    requests: bodies.map((body) => ({
      method: "POST",
      path,
      body,
      headers: { "content-type": "application/json" },
    })),
  });
  const cpuMicros = (await serverCpu(child)) - cpuBefore;
  const served = result["2xx"] + result.non2xx;
  const perRequest = served > 0 ? cpuMicros / served : NaN;
  const figures: Figures = {
    requestsPerSecond: Math.round(result.requests.average),
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    maxMs: result.latency.max,
    non2xx: result.non2xx,
    errors: result.errors,
    serverCpuMicrosPerRequest: Math.round(perRequest),
    oneCoreCapacityPerSecond: Math.round(1e6 / perRequest),
  };
  if (bucketsBefore) {
    const server = histogramFigures(bucketsBefore, await latencyBuckets(url, verb));
    figures.serverP99Ms = server.p99Ms;
    figures.serverShareUnder2Ms = server.shareUnder2Ms;
  }
  return figures;
}

function startServer(): Promise<{ child: ChildProcess; ready: Ready; pinned: boolean }> {
  // Pin the server to one core (the goal is per core) and leave the other to autocannon.
  const cores = availableParallelism();
  const pinned =
    cores >= 2 &&
    spawnSync("taskset", ["-a", "-p", "-c", "1", String(process.pid)], { stdio: "ignore" }).status === 0;
  const child = fork(import.meta.filename, [], {
    // BENCH_CPU_PROF=<dir> profiles the server process (node --cpu-prof), written when it exits.
    execArgv: [
      "--import",
      "tsx",
      ...(process.env.BENCH_CPU_PROF ? ["--cpu-prof", `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : []),
    ],
    env: { ...process.env, RAFTER_BENCH_ROLE: "server" },
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  if (pinned && child.pid !== undefined) {
    // -a: every thread of the server (GC helpers too), so that its CPU figures are one core's.
    spawnSync("taskset", ["-a", "-p", "-c", "0", String(child.pid)], { stdio: "ignore" });
  }
  return new Promise((resolve, reject) => {
    child.once("message", (message) => {
      resolve({ child, ready: message as Ready, pinned });
    });
    child.once("exit", (code) => {
      reject(new Error(`bench server exited with ${String(code)}`));
    });
  });
}

async function main(): Promise<void> {
  const { child, ready, pinned } = await startServer();
  try {
    const bodies = requestBodies(ready.names, 64, candidates, seed);
    const bodyBytes = Math.round(bodies.reduce((sum, b) => sum + Buffer.byteLength(b), 0) / bodies.length);
    const extender = `http://127.0.0.1:${ready.extenderPort}`;
    const baselineUrl = `http://127.0.0.1:${ready.baselinePort}`;
    console.log(
      `state: ${nodeCount} nodes, ${podCount} pods, built in ${ready.buildMs.toFixed(0)} ms, heap ${ready.heapMiB.toFixed(0)} MiB; ` +
        `body ≈ ${bodyBytes} bytes, ${candidates} candidates; ${connections} connections × ${durationSeconds} s; ` +
        `server pinned to one core: ${pinned}; load average ${loadavg()[0]?.toFixed(2) ?? "?"}`,
    );
    console.log(
      `rafter's own CPU per call without HTTP (read body + verb + encode), µs: ${JSON.stringify(ready.handlerMicros)}`,
    );
    await drive(child, extender, "/filter", bodies, connections, 2); // warm-up (JIT)
    await drive(child, extender, "/prioritize", bodies, connections, 2);
    await drive(child, baselineUrl, "/echo", bodies, connections, 2);
    await drive(child, baselineUrl, "/bare", bodies, connections, 2);
    const filter = await drive(child, extender, "/filter", bodies, connections, durationSeconds);
    console.log(`filter:      ${JSON.stringify(filter)}`);
    const filterSerial = await drive(child, extender, "/filter", bodies, 1, durationSeconds);
    console.log(`filter (1 connection, as kube-scheduler calls): ${JSON.stringify(filterSerial)}`);
    const prioritize = await drive(child, extender, "/prioritize", bodies, connections, durationSeconds);
    console.log(`prioritize:  ${JSON.stringify(prioritize)}`);
    const baseline = await drive(child, baselineUrl, "/echo", bodies, connections, durationSeconds);
    console.log(`baseline (express.json echo, same bodies): ${JSON.stringify(baseline)}`);
    const bareHttp = await drive(child, baselineUrl, "/bare", bodies, connections, durationSeconds);
    console.log(`bare node:http echo (same bodies, the floor): ${JSON.stringify(bareHttp)}`);
    const goal = { filterP99Ms: 2, filterRequestsPerSecond: 5000 };
    const summary = {
      benchmark: "extender",
      nodes: nodeCount,
      pods: podCount,
      candidates,
      bodyBytes,
      connections,
      durationSeconds,
      pinnedToOneCore: pinned,
      perCore: pinned
        ? "requestsPerSecond: served by one core (every server thread pinned to core 0, autocannon on core 1), shared with whatever else runs there; oneCoreCapacityPerSecond: derived, 1e6 / server CPU µs (all threads, user + system) per request"
        : "not pinned (taskset unavailable or one core): requestsPerSecond is not a one-core figure; oneCoreCapacityPerSecond is derived from CPU time per request",
      loadAverage: loadavg()[0],
      filter,
      filterSerial,
      prioritize,
      baseline,
      bareHttp,
      // Server CPU per request over the bare echo's, measured minutes apart in one process: steadier
      // than either figure alone when neighbours slow the whole machine down.
      filterCpuOverBareHttp: Number(
        (filter.serverCpuMicrosPerRequest / bareHttp.serverCpuMicrosPerRequest).toFixed(2),
      ),
      prioritizeCpuOverBareHttp: Number(
        (prioritize.serverCpuMicrosPerRequest / bareHttp.serverCpuMicrosPerRequest).toFixed(2),
      ),
      handlerCpuMicrosWithoutHttp: ready.handlerMicros,
      filterToBaselineRatio: Number((filter.requestsPerSecond / baseline.requestsPerSecond).toFixed(3)),
      prioritizeToBaselineRatio: Number(
        (prioritize.requestsPerSecond / baseline.requestsPerSecond).toFixed(3),
      ),
      goal,
      // As measured by autocannon (wall clock, shared machine) ...
      goalMetMeasured:
        filter.p99Ms <= goal.filterP99Ms && filter.requestsPerSecond >= goal.filterRequestsPerSecond,
      // ... and from the server's own figures: its latency histogram (serial calls, as kube-scheduler
      // makes them) and what its CPU cost per request allows on one dedicated core.
      goalMetServerSide:
        (filterSerial.serverP99Ms ?? Infinity) <= goal.filterP99Ms &&
        filter.oneCoreCapacityPerSecond >= goal.filterRequestsPerSecond,
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
