import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  intersect,
  matchesLabels,
  requirementsFrom,
  satisfiable,
  singleValue,
} from "../../src/domain/requirements.js";
import { selectorMatches } from "../../src/domain/selectors.js";
import { tolerates, untoleratedTaint } from "../../src/domain/taints.js";

describe("requirements", () => {
  const cases: {
    reqs: { key: string; operator: string; values?: string[] }[];
    labels: Record<string, string>;
    ok: boolean;
  }[] = [
    { reqs: [{ key: "a", operator: "In", values: ["x", "y"] }], labels: { a: "y" }, ok: true },
    { reqs: [{ key: "a", operator: "In", values: ["x"] }], labels: {}, ok: false },
    { reqs: [{ key: "a", operator: "NotIn", values: ["x"] }], labels: {}, ok: true },
    { reqs: [{ key: "a", operator: "NotIn", values: ["x"] }], labels: { a: "x" }, ok: false },
    { reqs: [{ key: "a", operator: "Exists" }], labels: { a: "" }, ok: true },
    { reqs: [{ key: "a", operator: "DoesNotExist" }], labels: { a: "1" }, ok: false },
    { reqs: [{ key: "n", operator: "Gt", values: ["4"] }], labels: { n: "5" }, ok: true },
    { reqs: [{ key: "n", operator: "Gt", values: ["4"] }], labels: { n: "4" }, ok: false },
    { reqs: [{ key: "n", operator: "Lt", values: ["4"] }], labels: { n: "x" }, ok: false },
  ];
  for (const [i, c] of cases.entries())
    it(`matches case ${i} (${c.reqs[0]?.operator ?? ""})`, () => {
      assert.equal(matchesLabels(requirementsFrom(c.reqs), c.labels), c.ok);
    });

  it("intersects to empty when the allowed sets are disjoint or presence contradicts", () => {
    const a = requirementsFrom([{ key: "z", operator: "In", values: ["1", "2"] }]);
    assert.equal(
      satisfiable(intersect(a, requirementsFrom([{ key: "z", operator: "In", values: ["3"] }]))),
      false,
    );
    assert.equal(
      singleValue(intersect(a, requirementsFrom([{ key: "z", operator: "NotIn", values: ["1"] }])).get("z")),
      "2",
    );
    assert.equal(
      satisfiable(intersect(a, requirementsFrom([{ key: "z", operator: "DoesNotExist" }]))),
      false,
    );
    assert.equal(
      satisfiable(
        requirementsFrom([
          { key: "n", operator: "Gt", values: ["3"] },
          { key: "n", operator: "Lt", values: ["4"] },
        ]),
      ),
      false,
    );
  });

  it("rejects unknown operators and malformed Gt", () => {
    assert.throws(() => requirementsFrom([{ key: "a", operator: "Near" }]));
    assert.throws(() => requirementsFrom([{ key: "a", operator: "Gt", values: ["x"] }]));
  });
});

describe("selectors, taints and pod requests", () => {
  it("matches label selectors; a missing selector matches nothing", () => {
    assert.equal(
      selectorMatches(
        { matchLabels: { app: "a" }, matchExpressions: [{ key: "tier", operator: "NotIn", values: ["db"] }] },
        { app: "a" },
      ),
      true,
    );
    assert.equal(selectorMatches(undefined, { app: "a" }), false);
    assert.equal(selectorMatches({}, { app: "a" }), true);
  });

  it("tolerates taints with kube semantics", () => {
    const taint = { key: "k", value: "v", effect: "NoSchedule" };
    assert.equal(tolerates({ key: "k", operator: "Equal", value: "v" }, taint), true);
    assert.equal(tolerates({ key: "k", operator: "Equal", value: "w" }, taint), false);
    assert.equal(tolerates({ operator: "Exists" }, taint), true);
    assert.equal(tolerates({ key: "k", operator: "Exists", effect: "NoExecute" }, taint), false);
    assert.equal(untoleratedTaint([], [{ key: "soft", effect: "PreferNoSchedule" }]), undefined);
  });
});
