import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { allowedDisruptions, budgetNodes, isActive } from "../../../src/controllers/lifecycle/budgets.js";
import { testPool } from "../../support/lifecycle-fakes.js";

const monday10 = Date.parse("2025-01-06T10:00:00Z");
const monday18 = Date.parse("2025-01-06T18:00:00Z");

describe("disruption budgets", () => {
  it("scales counts and percentages (rounded up)", () => {
    assert.equal(budgetNodes("3", 50), 3);
    assert.equal(budgetNodes("10%", 25), 3);
    assert.equal(budgetNodes("0%", 25), 0);
    assert.equal(budgetNodes("bogus", 25), 0);
  });

  it("defaults to 10% and subtracts nodes already disrupting", () => {
    const pool = testPool();
    assert.deepEqual(allowedDisruptions(pool, { total: 20, disrupting: 1 }, monday10), {
      Empty: 1,
      Underutilized: 1,
      Drifted: 1,
    });
    assert.equal(allowedDisruptions(pool, { total: 20, disrupting: 3 }, monday10).Empty, 0);
  });

  it("applies scheduled budgets only during their window, and only to their reasons", () => {
    const pool = testPool("p", {
      disruption: {
        budgets: [
          { nodes: "5" },
          { nodes: "0", schedule: "0 9 * * mon-fri", duration: "8h", reasons: ["Underutilized"] },
        ],
      },
    });
    const during = allowedDisruptions(pool, { total: 10, disrupting: 0 }, monday10);
    assert.deepEqual(during, { Empty: 5, Underutilized: 0, Drifted: 5 });
    const after = allowedDisruptions(pool, { total: 10, disrupting: 0 }, monday18);
    assert.equal(after.Underutilized, 5);
  });

  it("treats a schedule tick at exactly now as active", () => {
    const budget = { nodes: "0", schedule: "0 10 * * *", duration: "1h" };
    assert.equal(isActive(budget, monday10), true);
    assert.equal(isActive(budget, monday10 - 1), false);
    assert.equal(isActive({ nodes: "0", schedule: "not a cron", duration: "1h" }, monday10), false);
  });
});
