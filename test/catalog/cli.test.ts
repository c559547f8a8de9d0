// `rafter catalog` as a real process over the embedded catalogue.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { runRafter, type CliRun } from "../support/cli.js";
import type { Catalog } from "../../src/catalog/types.js";

const rafter = (...args: string[]): CliRun => runRafter(["catalog", ...args]);

describe("rafter catalog", () => {
  it("prints type, vCPU, memory, allocatable, max pods and prices as a table", () => {
    const r = rafter("--region", "us-east-1", "-t", "m5.large,m5.xlarge");
    assert.equal(r.status, 0, r.stderr);
    const [header, ...rows] = r.stdout.trimEnd().split("\n");
    assert.match(
      header ?? "",
      /^TYPE\s+ARCH\s+VCPU\s+MEMORY-GIB\s+ALLOC-CPU\s+ALLOC-MEM-GIB\s+MAX-PODS\s+ACCEL\s+ZONES\s+ON-DEMAND-\$\/H\s+SPOT-\$\/H$/,
    );
    assert.equal(rows.length, 2);
    assert.match(
      rows[0] ?? "",
      /^m5\.large\s+amd64\s+2\s+8\.0\s+1830m\s+6\.6\s+29\s+-\s+5\s+0\.0960\s+0\.0\d+$/,
    );
    assert.match(r.stderr, /2 of 1340 types in us-east-1 .*ESTIMATE/);
  });

  it("prints the Catalog JSON shape with filters applied", () => {
    const r = rafter("-o", "json", "--family", "c7g", "--min-cpu", "16", "--sort", "price");
    assert.equal(r.status, 0, r.stderr);
    const catalog = JSON.parse(r.stdout) as Catalog;
    assert.equal(catalog.region, "us-east-1");
    assert.ok(catalog.instanceTypes.length >= 4);
    for (const type of catalog.instanceTypes) {
      assert.match(type.name, /^c7g\./);
      assert.ok((type.capacity.cpu ?? 0) >= 16_000);
      assert.equal(type.labels["kubernetes.io/arch"], "arm64");
    }
    const prices = catalog.instanceTypes.map((t) =>
      Math.min(...t.offerings.filter((o) => o.capacityType === "on-demand").map((o) => o.price)),
    );
    assert.deepEqual(
      prices,
      [...prices].sort((a, b) => a - b),
    );
  });

  it("exits 2 with one line for a region the snapshot does not cover, or a bad flag value", () => {
    const region = rafter("--region", "eu-west-1");
    assert.equal(region.status, 2);
    assert.match(region.stderr, /^rafter: the embedded catalogue covers us-east-1 only/);
    const sort = rafter("--sort", "colour");
    assert.equal(sort.status, 2);
    assert.match(sort.stderr, /--sort/);
  });
});
