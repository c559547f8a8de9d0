import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { loadEmbeddedCatalog, loadEmbeddedCatalogWith } from "../../src/catalog/embedded.js";
import { parseInstanceTypeName } from "../../src/catalog/labels.js";
import { labelKeys } from "../../src/api/labels.js";
import { estimateSpotPrice, parsePriceCsv } from "../../src/catalog/pricing.js";

describe("embedded catalogue", () => {
  const catalog = loadEmbeddedCatalog();
  const byName = new Map(catalog.instanceTypes.map((t) => [t.name, t]));

  it("covers us-east-1 with over a thousand priced types", () => {
    assert.equal(catalog.region, "us-east-1");
    assert.ok(catalog.instanceTypes.length > 1300, `${catalog.instanceTypes.length} types`);
    for (const type of catalog.instanceTypes) {
      assert.ok(type.offerings.length > 0, `${type.name} has offerings`);
      // The smallest types (t2.nano) cannot even hold the reserves: their allocatable is 0, never negative.
      assert.ok(
        (type.allocatable.cpu ?? -1) >= 0 && (type.allocatable.memory ?? -1) >= 0,
        `${type.name} allocatable`,
      );
      assert.ok((type.allocatable.cpu ?? 0) <= (type.capacity.cpu ?? 0));
    }
  });

  it("describes m5.large like EKS does", () => {
    const m5 = byName.get("m5.large");
    assert.ok(m5);
    assert.equal(m5.capacity.pods, 29);
    assert.equal(m5.labels[labelKeys.arch], "amd64");
    assert.equal(m5.labels[labelKeys.family], "m5");
    assert.equal(m5.labels[labelKeys.category], "m");
    assert.equal(m5.labels[labelKeys.generation], "5");
    assert.equal(m5.labels[labelKeys.memory], "8192");
    const onDemand = m5.offerings.filter((o) => o.capacityType === "on-demand");
    assert.ok(onDemand.length >= 4);
    assert.ok(onDemand.every((o) => o.price === 0.096));
    const spot = m5.offerings.filter((o) => o.capacityType === "spot");
    assert.ok(spot.every((o) => o.price < 0.096 * 0.56 && o.price >= 0.096 * 0.3));
  });

  it("labels GPUs and counts them as extended resources", () => {
    const p4d = byName.get("p4d.24xlarge");
    assert.ok(p4d);
    assert.equal(p4d.capacity["nvidia.com/gpu"], 8);
    assert.equal(p4d.labels[labelKeys.gpuName], "a100");
    assert.equal(p4d.labels[labelKeys.gpuManufacturer], "nvidia");
    assert.equal(p4d.labels[labelKeys.gpuCount], "8");
    assert.equal(p4d.capacity.pods, 737);
  });

  it("leaves out Mac types and unpriced types", () => {
    assert.equal(byName.has("mac1.metal"), false);
    assert.equal(
      [...byName.keys()].some((name) => name.startsWith("mac")),
      false,
    );
  });

  it("rebuilds with kubelet overrides", () => {
    const custom = loadEmbeddedCatalogWith({ kubelet: { maxPods: 110 } });
    const m5 = custom.instanceTypes.find((t) => t.name === "m5.large");
    assert.equal(m5?.capacity.pods, 110);
  });
});

describe("names, prices", () => {
  const cases: [string, string, string | undefined, string | undefined, string][] = [
    ["m5.large", "m5", "m", "5", "large"],
    ["m7i-flex.2xlarge", "m7i-flex", "m", "7", "2xlarge"],
    ["u-6tb1.56xlarge", "u-6tb1", "u", "1", "56xlarge"],
    ["u7i-12tb.224xlarge", "u7i-12tb", "u", "7", "224xlarge"],
    ["r6gd.metal", "r6gd", "r", "6", "metal"],
  ];
  for (const [name, family, category, generation, size] of cases) {
    it(`parses ${name}`, () => {
      assert.deepEqual(parseInstanceTypeName(name), { family, category, generation, size });
    });
  }
  it("spot estimate is deterministic and within 30–55% of on-demand", () => {
    const a = estimateSpotPrice("m5.large", "us-east-1a", 1);
    assert.equal(a, estimateSpotPrice("m5.large", "us-east-1a", 1));
    assert.ok(a >= 0.3 && a < 0.55);
  });
  it("parses the price table for one region", () => {
    const prices = parsePriceCsv(
      "region,instance_type,on_demand_usd_per_hour\nus-east-1,m5.large,0.096\neu-west-1,m5.large,0.107\n",
      "us-east-1",
    );
    assert.deepEqual([...prices], [["m5.large", 0.096]]);
  });
});
