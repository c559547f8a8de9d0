// Golden and contract tests of `rafter plan` run as a real process.
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { describe, it } from "node:test";
import { runRafter, type CliRun } from "../support/cli.js";

const rafter = (...args: string[]): CliRun => runRafter(["plan", ...args]);

function golden(name: string, actual: string): void {
  const path = `test/fixtures/planner/${name}`;
  if (process.env.UPDATE_GOLDEN === "1") writeFileSync(path, actual);
  assert.equal(
    actual,
    readFileSync(path, "utf8"),
    `regenerate with UPDATE_GOLDEN=1 if the change is intended (${path})`,
  );
}

describe("rafter plan", () => {
  it("prints exactly the JSON contract for a workload with --catalog", () => {
    const r = rafter(
      "-f",
      "test/fixtures/planner/small-workload.yaml",
      "--catalog",
      "test/fixtures/planner/catalog.json",
      "-o",
      "json",
    );
    assert.equal(r.status, 0, r.stderr);
    const doc = JSON.parse(r.stdout) as Record<string, unknown>;
    assert.deepEqual(Object.keys(doc), [
      "placements",
      "newNodes",
      "unschedulable",
      "hourlyCost",
      "lowerBound",
      "efficiency",
    ]);
    const nodes = doc.newNodes as { instanceTypes: string[]; hourlyPrice: number; pods: string[] }[];
    assert.deepEqual(Object.keys(nodes[0] ?? {}), [
      "name",
      "nodePool",
      "instanceTypes",
      "zones",
      "capacityTypes",
      "pods",
      "hourlyPrice",
    ]);
    assert.deepEqual(nodes[0]?.instanceTypes, ["m.xlarge"]);
    assert.equal(doc.unschedulable instanceof Array && doc.unschedulable.length, 1);
    golden("small-workload.golden.json", r.stdout);
  });

  it("plans the example workload on the embedded catalogue (golden)", () => {
    const r = rafter("-f", "manifests/examples", "-o", "json");
    assert.equal(r.status, 0, r.stderr);
    golden("examples.golden.json", r.stdout);
    const table = rafter("-f", "manifests/examples", "-o", "table");
    assert.match(table.stdout, /hourly cost \$[\d.]+\/h, lower bound \$[\d.]+\/h, efficiency [\d.]+x/);
    assert.match(table.stdout, /no NodePool allows kubernetes.io\/arch=s390x/);
    const yaml = rafter("-f", "manifests/examples", "-o", "yaml");
    assert.match(yaml.stdout, /^placements:/);
  });

  it("exits 2 with one line on usage errors", () => {
    for (const args of [
      ["-o", "json"],
      ["-f", "does/not/exist"],
      ["-f", "manifests/examples", "-o", "xml"],
      ["-f", "manifests/examples", "--region", "eu-west-1"],
    ]) {
      const r = rafter(...args);
      assert.equal(r.status, 2, `${args.join(" ")}: ${r.stderr}`);
      assert.equal(r.stderr.trim().split("\n").length, 1);
    }
  });
});
