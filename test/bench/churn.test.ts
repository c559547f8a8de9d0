// A short run of `npm run bench:churn`'s simulation: the shipped replacementSavings default must
// still do what the README says it does on the oscillating workload — fewer replacements than no
// threshold, at no real extra cost — and the simulation must stay deterministic.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { nodePoolDefaults } from "../../src/api/nodepool.js";
import { simulateChurn, type ChurnResult } from "../../bench/lib/churn-sim.js";

const seeds = [2, 5];
const run = (replacementSavings: string, seed: number): ChurnResult =>
  simulateChurn({ replacementSavings, seed, hours: 1.5, warmupHours: 0.5 });
const sum = (results: readonly ChurnResult[], pick: (r: ChurnResult) => number) =>
  results.reduce((total, r) => total + pick(r), 0);

describe("churn simulation (bench/churn.ts)", () => {
  const threshold = nodePoolDefaults.replacementSavings;
  const none = seeds.map((seed) => run("0%", seed));
  const chosen = seeds.map((seed) => run(threshold, seed));

  it(`the default ${threshold} replaces strictly less often than 0% on the oscillating workload`, () => {
    const without = sum(none, (r) => r.replacements);
    const withDefault = sum(chosen, (r) => r.replacements);
    assert.ok(without > 0, "the workload makes replacements at all");
    assert.ok(withDefault < without, `${withDefault} replacements at ${threshold}, ${without} at 0%`);
    assert.ok(sum(chosen, (r) => r.evictions) < sum(none, (r) => r.evictions), "and evicts fewer pods");
  });

  it(`the default ${threshold} costs at most 1% more than 0% (overlap included)`, () => {
    const without = sum(none, (r) => r.cost);
    const withDefault = sum(chosen, (r) => r.cost);
    assert.ok(withDefault <= without * 1.01, `$${withDefault.toFixed(3)} against $${without.toFixed(3)}`);
  });

  it("every replacement executed saved at least the threshold (the real rule decided)", () => {
    const fraction = Number(threshold.replace("%", "")) / 100;
    for (const result of chosen)
      for (const saving of result.replacementSavingFractions)
        assert.ok(saving >= fraction - 1e-9, `${saving}`);
    assert.ok(
      none.some((r) => r.replacementSavingFractions.some((saving) => saving < fraction)),
      "without a threshold some replacements save less than it",
    );
  });

  it("is deterministic: the same run gives the same figures", () => {
    const again = run(threshold, seeds[0] ?? 2);
    assert.deepEqual(again, chosen[0]);
  });
});
