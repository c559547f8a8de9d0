import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { CronExpressionParser } from "cron-parser";
import { cronExpression, scheduleMacros, schedulePattern } from "../../src/api/budget-schedule.js";
import { isActive } from "../../src/controllers/lifecycle/budgets.js";
import { validateObject } from "../../src/api/validation.js";

const accepted = new RegExp(schedulePattern);
const parses = (schedule: string): boolean => {
  try {
    CronExpressionParser.parse(cronExpression(schedule), { currentDate: new Date(0), tz: "UTC" });
    return true;
  } catch {
    return false;
  }
};

const field = (min: number, max: number, names: readonly string[] = []) => {
  const value = fc.oneof(
    fc.integer({ min, max }).map(String),
    ...(names.length > 0 ? [fc.constantFrom(...names, ...names.map((n) => n.toUpperCase()))] : []),
  );
  const item = fc
    .tuple(
      fc.oneof(
        fc.constant("*"),
        value,
        fc.tuple(value, value).map(([a, b]) => `${a}-${b}`),
      ),
      fc.option(fc.integer({ min: 1, max: 99 }), { nil: undefined }),
    )
    .map(([base, step]) => (step === undefined ? base : `${base}/${step}`));
  return fc.array(item, { minLength: 1, maxLength: 3 }).map((items) => items.join(","));
};

const months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];
const weekdays = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];
const expression = fc
  .tuple(field(0, 59), field(0, 23), field(1, 31), field(1, 12, months), field(0, 7, weekdays))
  .map((fields) => fields.join(" "));

describe("budget schedules", () => {
  it("accepts every macro in the CRD and evaluates each of them (cron-parser alone refuses @midnight)", () => {
    for (const macro of Object.keys(scheduleMacros)) {
      assert.match(macro, accepted, macro);
      assert.ok(parses(macro), macro);
      const pool = { nodes: "0", schedule: macro, duration: "1h" };
      assert.equal(
        isActive(pool, Date.parse("2023-01-01T00:30:00Z")),
        true,
        `${macro} active after its tick`,
      );
    }
    assert.throws(() => CronExpressionParser.parse("@midnight"));
  });

  it("accepts through the CRD schema what the evaluator can run, and rejects the rest", () => {
    const budgetOf = (schedule: string) => ({
      apiVersion: "rafter.dev/v1",
      kind: "NodePool",
      metadata: { name: "p" },
      spec: {
        template: { spec: { nodeClassRef: { group: "rafter.dev", kind: "EC2NodeClass", name: "default" } } },
        disruption: { budgets: [{ nodes: "0", schedule, duration: "1h" }] },
      },
    });
    for (const good of ["@midnight", "0 9 * * mon-fri", "*/15 0-6 1,15 JAN-MAR sun", "0 22-2 * * fri-mon"])
      assert.deepEqual(validateObject("NodePool", budgetOf(good)), [], good);
    for (const bad of [
      "@every 5m",
      "@midnightly",
      "a b c d e",
      "0 9 * * mon-fri extra",
      "60 * * * *",
      "0 24 * * *",
      "* * * * 8",
      "0 0 0 * *",
    ])
      assert.notDeepEqual(validateObject("NodePool", budgetOf(bad)), [], bad);
  });

  it("every five-field schedule the pattern accepts is run by the evaluator (or its day never comes)", () => {
    fc.assert(
      fc.property(expression, (schedule) => {
        if (!accepted.test(schedule)) return; // e.g. a step the grammar above generates but the CRD refuses
        if (parses(schedule)) return;
        // The only refusals left are days that do not exist in any allowed month.
        const [, , days = "", monthsField = ""] = cronExpression(schedule).split(" ");
        assert.ok(
          /^[0-9,-/]+$/.test(days) && !monthsField.includes("*"),
          `${schedule} (as ${cronExpression(schedule)}) is accepted by the CRD but not evaluated`,
        );
      }),
      { numRuns: 3000 },
    );
  });

  it("reads wrapped ranges as running over the end of the field", () => {
    assert.equal(cronExpression("0 22-2 * * fri-mon"), "0 0,1,2,22,23 * * 0,1,5,6");
    assert.equal(cronExpression("0 0 * * 7-1"), "0 0 * * 0,1");
    assert.equal(cronExpression("0 0 * * 0,sun,7"), "0 0 * * 0");
    assert.equal(cronExpression("*/15 * 1-31 * sat-7"), "0,15,30,45 * * * 0,6");
    const friday23 = Date.parse("2025-01-03T23:00:00Z");
    assert.equal(isActive({ nodes: "0", schedule: "0 22-2 * * fri-mon", duration: "30m" }, friday23), true);
  });

  it("never activates a budget whose day never comes", () => {
    assert.match("0 0 31 2 *", accepted);
    assert.equal(
      isActive({ nodes: "0", schedule: "0 0 31 2 *", duration: "1h" }, Date.parse("2025-03-01T00:10:00Z")),
      false,
    );
  });
});
