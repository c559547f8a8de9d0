// Regenerates data/ec2-on-demand-prices.csv from AWS's public Price List bulk file (no credentials
// needed), streaming it line by line: the us-east-1 EC2 file is several GB.
//
//   node --import tsx scripts/refresh-prices.ts [--region us-east-1] [--from <local index.csv>]
//                                               [--out data/ec2-on-demand-prices.csv]
// Then regenerate the embedded catalogue: node --import tsx scripts/gen-catalog.ts
import { createReadStream, writeFileSync } from "node:fs";
import { createInterface } from "node:readline";
import { Readable } from "node:stream";
import type { ReadableStream as WebReadableStream } from "node:stream/web";
import { parseArgs } from "node:util";
import { formatPriceCsv, PriceListReader } from "../src/catalog/price-list.js";

const { values } = parseArgs({
  options: {
    region: { type: "string", default: "us-east-1" },
    from: { type: "string" },
    out: { type: "string", default: "data/ec2-on-demand-prices.csv" },
  },
});
const region = values.region;

async function source(): Promise<NodeJS.ReadableStream> {
  if (values.from) return createReadStream(values.from);
  const url = `https://pricing.us-east-1.amazonaws.com/offers/v1.0/aws/AmazonEC2/current/${region}/index.csv`;
  const response = await fetch(url);
  if (!response.ok || !response.body) throw new Error(`GET ${url}: HTTP ${response.status}`);
  return Readable.fromWeb(response.body as WebReadableStream<Uint8Array>);
}

const reader = new PriceListReader();
for await (const line of createInterface({ input: await source(), crlfDelay: Infinity })) reader.line(line);
if (reader.prices.size === 0)
  throw new Error("no on-demand Linux prices found: is this an EC2 price list CSV?");
writeFileSync(values.out, formatPriceCsv(region, reader.prices));
process.stderr.write(`wrote ${values.out}: ${reader.prices.size} instance types in ${region}\n`);
