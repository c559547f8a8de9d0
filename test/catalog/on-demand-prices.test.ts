// On-demand prices in every region: the shipped table where it covers the region, us-east-1's as a
// labelled estimate elsewhere, replaced by the Pricing API's (pricing:GetProducts) when it answers.
// moto has no Pricing API: the parser reads a recorded-shape GetProducts answer
// (test/fixtures/pricing, its _source says where the shape comes from) through a fake client.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { pino } from "pino";
import type { GetProductsCommand, GetProductsCommandOutput } from "@aws-sdk/client-pricing";
import { ManualClock } from "../../src/clock.js";
import {
  OnDemandPriceBook,
  startPriceRefresh,
  type PriceSource,
} from "../../src/catalog/on-demand-prices.js";
import { parsePriceList, pricingApiFetcher } from "../../src/cloud/aws/pricing.js";

interface Fixture {
  pages: { NextToken?: string; PriceList: string[] }[];
}
const fixture = JSON.parse(
  readFileSync(new URL("../fixtures/pricing/get-products-eu-west-1.json", import.meta.url), "utf8"),
) as Fixture;

/** A Pricing client serving the fixture's pages by NextToken, recording what it was asked. */
function fakePricing() {
  const asked: GetProductsCommand["input"][] = [];
  return {
    asked,
    send(command: GetProductsCommand): Promise<GetProductsCommandOutput> {
      asked.push(command.input);
      const page = command.input.NextToken === "page-2" ? fixture.pages[1] : fixture.pages[0];
      return Promise.resolve({ $metadata: {}, ...page } as GetProductsCommandOutput);
    },
  };
}

describe("on-demand prices", () => {
  it("parses GetProducts' PriceList: hourly USD per instance type, zero prices skipped", () => {
    const prices = parsePriceList(fixture.pages.flatMap((p) => p.PriceList));
    assert.deepEqual(Object.fromEntries(prices), {
      "m5.large": 0.107,
      "c5.large": 0.096,
      "m5.xlarge": 0.214,
    });
  });

  it("asks for the region's shared Linux on-demand offers, every page", async () => {
    const client = fakePricing();
    const prices = await pricingApiFetcher(client as never)("eu-west-1");
    assert.equal(prices.size, 3);
    assert.equal(client.asked.length, 2);
    assert.equal(client.asked[0]?.ServiceCode, "AmazonEC2");
    const filters = new Map((client.asked[0].Filters ?? []).map((f) => [f.Field, f.Value]));
    assert.equal(filters.get("regionCode"), "eu-west-1");
    assert.equal(filters.get("operatingSystem"), "Linux");
    assert.equal(filters.get("tenancy"), "Shared");
    assert.equal(client.asked[1]?.NextToken, "page-2");
  });

  it("starts from the shipped table, or us-east-1's as an estimate for a region it lacks", () => {
    const shipped = new OnDemandPriceBook("us-east-1");
    assert.equal(shipped.source(), "embedded");
    assert.ok((shipped.get("m5.large") ?? 0) > 0);
    const elsewhere = new OnDemandPriceBook("ap-southeast-4");
    assert.equal(elsewhere.source(), "us-east-1-estimate");
    assert.equal(
      elsewhere.get("m5.large"),
      shipped.get("m5.large"),
      "every type priced: on-demand pools launch",
    );
  });

  it("refreshes from the Pricing API on schedule and keeps the prices when it fails", async () => {
    const clock = new ManualClock(0);
    const book = new OnDemandPriceBook("eu-west-1");
    const sources: PriceSource[] = [];
    let fail = true;
    const client = fakePricing();
    const fetcher = pricingApiFetcher(client as never);
    const stop = startPriceRefresh(
      book,
      (region) => (fail ? Promise.reject(new Error("AccessDenied")) : fetcher(region)),
      {
        timers: clock,
        logger: pino({ level: "silent" }),
        intervalMs: 3_600_000,
        onSource: (source) => sources.push(source),
      },
    );
    const waitFor = async (condition: () => boolean): Promise<void> => {
      for (let i = 0; i < 100 && !condition(); i++) await new Promise<void>((r) => setImmediate(r));
      assert.ok(condition());
    };
    await waitFor(() => sources.length === 2);
    assert.deepEqual(sources, ["us-east-1-estimate", "us-east-1-estimate"], "a failure keeps the estimate");
    fail = false;
    clock.advance(3_600_000);
    await waitFor(() => sources.length === 3);
    assert.equal(book.source(), "pricing-api");
    assert.equal(book.get("m5.large"), 0.107);
    stop();
  });
});
