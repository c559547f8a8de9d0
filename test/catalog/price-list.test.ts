import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { formatPriceCsv, PriceListReader, splitCsvLine } from "../../src/catalog/price-list.js";
import { parsePriceCsv } from "../../src/catalog/pricing.js";

const header =
  '"SKU","OfferTermCode","RateCode","TermType","PriceDescription","EffectiveDate","StartingRange","EndingRange","Unit","PricePerUnit","Currency","Product Family","Location","Location Type","Instance Type","Tenancy","Operating System","License Model","Pre Installed S/W","CapacityStatus"';
const row = (
  term: string,
  type: string,
  price: string,
  extra: Partial<Record<string, string>> = {},
): string =>
  [
    "SKU1",
    "JRTCKXETXF",
    "R1",
    term,
    `$${price} per On Demand Linux ${type} Instance Hour`,
    "2026-07-01",
    "0",
    "Inf",
    "Hrs",
    price,
    "USD",
    "Compute Instance",
    "US East (N. Virginia)",
    extra.locationType ?? "AWS Region",
    type,
    extra.tenancy ?? "Shared",
    extra.os ?? "Linux",
    "No License required",
    "NA",
    "Used",
  ]
    .map((c) => `"${c}"`)
    .join(",");

describe("AWS price list reader", () => {
  it("splits quoted CSV", () => {
    assert.deepEqual(splitCsvLine('"a","b, c","d ""e"""'), ["a", "b, c", 'd "e"']);
  });

  it("keeps on-demand shared Linux prices in the region and round-trips through the table format", () => {
    const reader = new PriceListReader();
    for (const line of [
      '"FormatVersion","v1.0"',
      '"OfferCode","AmazonEC2"',
      header,
      row("OnDemand", "m5.large", "0.0960000000"),
      row("Reserved", "m5.large", "0.0600000000"),
      row("OnDemand", "m5.large", "0.2000000000", { tenancy: "Dedicated" }),
      row("OnDemand", "m5.large", "0.1880000000", { os: "Windows" }),
      row("OnDemand", "m5.large", "0.1150000000", { locationType: "AWS Local Zone" }),
      row("OnDemand", "t4g.nano", "0.0042000000"),
    ]) {
      reader.line(line);
    }
    assert.deepEqual(
      [...reader.prices],
      [
        ["m5.large", 0.096],
        ["t4g.nano", 0.0042],
      ],
    );
    const csv = formatPriceCsv("us-east-1", reader.prices);
    assert.equal(
      csv,
      "region,instance_type,on_demand_usd_per_hour\nus-east-1,m5.large,0.096000\nus-east-1,t4g.nano,0.004200\n",
    );
    assert.deepEqual(
      [...parsePriceCsv(csv, "us-east-1")],
      [
        ["m5.large", 0.096],
        ["t4g.nano", 0.0042],
      ],
    );
  });
});
