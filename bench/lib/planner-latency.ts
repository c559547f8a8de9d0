// Run: node --import tsx bench/lib/planner-latency.ts (BATCH=60 by default); bench/planner.ts reports the same as batch60.
// Production-path latency: one plan() of a small batch on the embedded real catalogue, repeated
// (the provisioner calls plan() per batch with the same catalogue object, so memoised catalogue
// work is amortised after the first call). Prints first-call and steady-state ms.
import { loadEmbeddedCatalog } from "../../src/catalog/embedded.js";
import { plan } from "../../src/planner/planner.js";
import { bareNodePool, emptySnapshot, mixedPods } from "./planner-workloads.js";

const n = Number(process.env.BATCH ?? 60);
const catalog = loadEmbeddedCatalog();
const pools = [bareNodePool("default")];
const times: number[] = [];
// CPU time too: on a shared, loaded machine wall time mostly measures the other tenants.
const cpuTimes: number[] = [];
let cost = 0;
for (let i = 0; i < 8; i++) {
  // A fresh snapshot per call (as the provisioner builds one), same catalogue object.
  const snapshot = emptySnapshot(catalog, pools, mixedPods(n, 7 + i));
  const cpu = process.cpuUsage();
  const start = process.hrtime.bigint();
  const result = plan(snapshot);
  times.push(Number(process.hrtime.bigint() - start) / 1e6);
  const used = process.cpuUsage(cpu);
  cpuTimes.push((used.user + used.system) / 1000);
  cost += result.hourlyCost;
}
const steady = times.slice(1).sort((a, b) => a - b);
const steadyCpu = cpuTimes.slice(1).sort((a, b) => a - b);
process.stdout.write(
  `${JSON.stringify({ benchmark: "planner-latency", pods: n, types: catalog.instanceTypes.length, firstMs: Math.round(times[0] ?? 0), bestMs: Number((steady[0] ?? 0).toFixed(1)), medianMs: Number((steady[Math.floor(steady.length / 2)] ?? 0).toFixed(1)), firstCpuMs: Math.round(cpuTimes[0] ?? 0), medianCpuMs: Number((steadyCpu[Math.floor(steadyCpu.length / 2)] ?? 0).toFixed(1)), totalCost: Number(cost.toFixed(4)) })}\n`,
);
