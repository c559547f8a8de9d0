// Prices. On-demand prices come from a table (EC2 has no price API; the AWS Price List API is a
// separate, global service): data/ec2-on-demand-prices.csv, a public us-east-1 snapshot,
// regenerated with scripts/refresh-prices.ts. Spot prices come from DescribeSpotPriceHistory when
// talking to EC2; the embedded catalogue has no live market, so it carries an ESTIMATE (below).

/** Parses "region,instance_type,on_demand_usd_per_hour" rows; rows of other regions are skipped. */
export function parsePriceCsv(text: string, region: string): Map<string, number> {
  const prices = new Map<string, number>();
  const lines = text.split(/\r?\n/);
  const header = (lines[0] ?? "").split(",").map((cell) => cell.trim());
  const regionColumn = header.indexOf("region");
  const typeColumn = header.indexOf("instance_type");
  const priceColumn = header.indexOf("on_demand_usd_per_hour");
  if (regionColumn < 0 || typeColumn < 0 || priceColumn < 0) {
    throw new Error("price table: expected columns region,instance_type,on_demand_usd_per_hour");
  }
  for (const line of lines.slice(1)) {
    if (line.trim() === "") continue;
    const cells = line.split(",");
    if (cells[regionColumn]?.trim() !== region) continue;
    const type = cells[typeColumn]?.trim();
    const price = Number(cells[priceColumn]);
    if (type && Number.isFinite(price) && price > 0) prices.set(type, price);
  }
  return prices;
}

/** FNV-1a, 32 bit: a stable, dependency-free hash so the estimate is identical on every machine. */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash >>> 0;
}

/**
 * A deterministic spot price ESTIMATE for offline use: on-demand × (0.30 + 0.25·u), u ∈ [0, 1)
 * from a hash of "type/zone" — i.e. 55–70% below on-demand, the band spot prices of current
 * families mostly sit in, and different per zone so zone choice matters in plans. It is not a
 * market price. moto's DescribeSpotPriceHistory answers a constant, so it is no better a source.
 */
export function estimateSpotPrice(instanceType: string, zone: string, onDemand: number): number {
  const u = fnv1a(`${instanceType}/${zone}`) / 2 ** 32;
  return roundPrice(onDemand * (0.3 + 0.25 * u));
}

/** Prices keep six decimals, like AWS's price lists (the cheapest types cost fractions of a cent). */
function roundPrice(price: number): number {
  return Math.round(price * 1e6) / 1e6;
}
