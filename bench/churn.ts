// `npm run bench:churn`: what spec.disruption.replacementSavings buys and costs. Seeded Deployments
// scale up and down around node boundaries for several simulated hours (bench/lib/churn-sim.ts) while
// rafter's own planner and consolidation decision run the cluster; every threshold sees the same
// workloads. Per threshold: replacements, deletions and pod evictions per hour, the average bill
// ($/h, the overlap of a replacement and the node it replaces included), and each relative to 0 %.
// The default is then picked by the rule stated in `criterion` below, applied to these numbers.
// Human-readable lines, then one JSON document as the last line. `-- --trace` prints every launch and
// disruption of seed 1 at 0 % and at the default instead.
// BENCH_HOURS (6), BENCH_SEEDS (1,2,3,4,5), BENCH_LAUNCH_S (90), BENCH_DRAIN_S (60) and
// BENCH_CONSOLIDATE_AFTER (the NodePool default, 0s) override the run.
import { nodePoolDefaults } from "../src/api/nodepool.js";
import { defaultTimings, simulateChurn, type ChurnResult } from "./lib/churn-sim.js";

const settings = ["0%", "2.5%", "5%", "10%", "15%", "20%", "30%"];
/** Replacements off altogether (only deletions): how much replacing saves at all. */
const reference = "100%";
const hours = Number(process.env.BENCH_HOURS ?? 6);
const warmupHours = 0.5;
const seeds = (process.env.BENCH_SEEDS ?? "1,2,3,4,5").split(",").map(Number);
const consolidateAfter = process.env.BENCH_CONSOLIDATE_AFTER ?? nodePoolDefaults.consolidateAfter;
const timings = {
  ...defaultTimings,
  launchMs: Number(process.env.BENCH_LAUNCH_S ?? defaultTimings.launchMs / 1000) * 1000,
  drainMs: Number(process.env.BENCH_DRAIN_S ?? defaultTimings.drainMs / 1000) * 1000,
};

if (process.argv.includes("--trace")) {
  for (const replacementSavings of ["0%", nodePoolDefaults.replacementSavings]) {
    process.stdout.write(`--- seed 1, replacementSavings ${replacementSavings}\n`);
    simulateChurn({
      replacementSavings,
      seed: 1,
      hours,
      warmupHours,
      timings,
      consolidateAfter,
      trace: (line) => process.stdout.write(`${line}\n`),
    });
  }
  process.exit(0);
}

/**
 * The rule, fixed before the table was first read: churn is replacements per hour; the churn a
 * threshold removes is its share of what the strictest tested threshold (30 %) removes against 0 %;
 * the saving it gives up is its average bill above the 0 % bill. The default is the smallest threshold
 * that removes at least half of that churn while costing at most 1 % more than 0 %; when none does,
 * the threshold with the lowest bill (the smallest on a tie).
 */
const criterion =
  "smallest threshold removing >= 50% of the replacements/h that 30% removes (vs 0%) with average $/h <= 0% run + 1%; else the cheapest";
const mostChurn = 0.5;
const littleSaving = 0.01;

interface Row {
  readonly replacementSavings: string;
  readonly replacementsPerHour: number;
  readonly deletionsPerHour: number;
  readonly evictionsPerHour: number;
  readonly invalidatedPerHour: number;
  readonly launchesPerHour: number;
  readonly costPerHour: number;
  readonly overlapCostPerHour: number;
  readonly meanNodes: number;
  /** Smallest saving (fraction of the replaced price) among the replacements executed. */
  readonly smallestReplacementSaving: number | null;
}

const round = (value: number, digits = 3) => Number(value.toFixed(digits));

function aggregate(replacementSavings: string, results: readonly ChurnResult[]): Row {
  const total = results.reduce((sum, r) => sum + r.hours, 0);
  const per = (pick: (r: ChurnResult) => number) => results.reduce((sum, r) => sum + pick(r), 0) / total;
  const fractions = results.flatMap((r) => r.replacementSavingFractions);
  return {
    replacementSavings,
    replacementsPerHour: per((r) => r.replacements),
    deletionsPerHour: per((r) => r.deletions),
    evictionsPerHour: per((r) => r.evictions),
    invalidatedPerHour: per((r) => r.invalidated),
    launchesPerHour: per((r) => r.launches),
    costPerHour: per((r) => r.cost),
    overlapCostPerHour: per((r) => r.overlapCost),
    meanNodes: per((r) => r.meanNodes * r.hours),
    smallestReplacementSaving: fractions.length > 0 ? Math.min(...fractions) : null,
  };
}

const started = performance.now();
const rows = new Map<string, Row>();
const perSeed: Record<string, Record<string, { replacementsPerHour: number; costPerHour: number }>> = {};
for (const replacementSavings of [...settings, reference]) {
  const results = seeds.map((seed) =>
    simulateChurn({ replacementSavings, seed, hours, warmupHours, timings, consolidateAfter }),
  );
  const row = aggregate(replacementSavings, results);
  rows.set(replacementSavings, row);
  perSeed[replacementSavings] = Object.fromEntries(
    results.map((r) => [
      `seed${r.seed}`,
      { replacementsPerHour: round(r.replacements / r.hours), costPerHour: round(r.cost / r.hours) },
    ]),
  );
  process.stdout.write(
    `replacementSavings ${replacementSavings.padStart(4)}: ${row.replacementsPerHour.toFixed(2)} replacements/h, ` +
      `${row.deletionsPerHour.toFixed(2)} deletions/h, ${row.evictionsPerHour.toFixed(1)} evictions/h, ` +
      `$${row.costPerHour.toFixed(3)}/h (overlap $${row.overlapCostPerHour.toFixed(3)}/h)\n`,
  );
}

const baseline = rows.get("0%");
const strictest = rows.get(settings[settings.length - 1] ?? "30%");
if (!baseline || !strictest) throw new Error("no baseline");
const relative = (value: number, base: number) => (base === 0 ? 0 : round(((value - base) / base) * 100, 1));
const avoidable = baseline.replacementsPerHour - strictest.replacementsPerHour;
const table = [...rows.values()].map((row) => ({
  replacementSavings: row.replacementSavings,
  replacementsPerHour: round(row.replacementsPerHour, 2),
  deletionsPerHour: round(row.deletionsPerHour, 2),
  evictionsPerHour: round(row.evictionsPerHour, 1),
  invalidatedPerHour: round(row.invalidatedPerHour, 2),
  launchesPerHour: round(row.launchesPerHour, 2),
  costPerHour: round(row.costPerHour, 4),
  overlapCostPerHour: round(row.overlapCostPerHour, 4),
  meanNodes: round(row.meanNodes, 2),
  smallestReplacementSaving:
    row.smallestReplacementSaving === null ? null : round(row.smallestReplacementSaving),
  costVsBaselinePct: relative(row.costPerHour, baseline.costPerHour),
  replacementsVsBaselinePct: relative(row.replacementsPerHour, baseline.replacementsPerHour),
  evictionsVsBaselinePct: relative(row.evictionsPerHour, baseline.evictionsPerHour),
  churnRemovedPct:
    avoidable > 0
      ? round(((baseline.replacementsPerHour - row.replacementsPerHour) / avoidable) * 100, 1)
      : 0,
}));

const candidates = table.filter((row) => settings.includes(row.replacementSavings));
const qualifying = candidates.find(
  (row) => row.churnRemovedPct >= mostChurn * 100 && row.costVsBaselinePct <= littleSaving * 100,
);
const cheapest = [...candidates].sort((a, b) => a.costPerHour - b.costPerHour)[0];
const chosen = qualifying ?? cheapest;

process.stdout.write(
  `chosen by the criterion: ${chosen?.replacementSavings ?? "?"} (current default ${nodePoolDefaults.replacementSavings}); ` +
    `${Math.round((performance.now() - started) / 1000)} s\n`,
);
process.stdout.write(
  `${JSON.stringify({
    model: {
      seeds,
      hoursPerSeed: hours,
      warmupHours,
      timings,
      replacementOverlapSeconds: (timings.launchMs + timings.drainMs) / 1000,
      nodePool: `on-demand, c/m/r, generation > 4, amd64+arm64, up to 4xlarge; consolidateAfter ${consolidateAfter}, budgets 10%`,
    },
    baseline: "0%",
    criterion,
    chosen: chosen?.replacementSavings,
    currentDefault: nodePoolDefaults.replacementSavings,
    table,
    perSeed,
  })}\n`,
);
