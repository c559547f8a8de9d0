// On-demand prices from the AWS Price List Query API (pricing:GetProducts). Its endpoints live in
// us-east-1, eu-central-1 and ap-south-1, whatever region the prices are for. Each PriceList entry is
// a JSON document (product attributes + terms); the price is the OnDemand term's hourly USD rate for
// shared-tenancy Linux without pre-installed software, the same offer the shipped table holds.
import { GetProductsCommand, PricingClient, type Filter } from "@aws-sdk/client-pricing";
import type { PriceFetcher } from "../../catalog/on-demand-prices.js";
import { awsClientConfig, type Ec2ClientOptions } from "./ec2-client.js";

export function createPricingClient(options: Omit<Ec2ClientOptions, "region">): PricingClient {
  return new PricingClient(awsClientConfig({ ...options, region: "us-east-1" }));
}

const match = (Field: string, Value: string): Filter => ({ Type: "TERM_MATCH", Field, Value });

export function onDemandFilters(region: string): Filter[] {
  return [
    match("regionCode", region),
    match("operatingSystem", "Linux"),
    match("tenancy", "Shared"),
    match("preInstalledSw", "NA"),
    match("capacitystatus", "Used"),
    match("licenseModel", "No License required"),
  ];
}

interface PriceListEntry {
  product?: { attributes?: { instanceType?: string; regionCode?: string } };
  terms?: {
    OnDemand?: Record<
      string,
      { priceDimensions?: Record<string, { unit?: string; pricePerUnit?: { USD?: string } }> }
    >;
  };
}

/** instance type → hourly USD from GetProducts' PriceList entries (entries without a price are skipped). */
export function parsePriceList(entries: readonly (string | object)[]): Map<string, number> {
  const prices = new Map<string, number>();
  for (const raw of entries) {
    const entry = (typeof raw === "string" ? JSON.parse(raw) : raw) as PriceListEntry;
    const type = entry.product?.attributes?.instanceType;
    if (!type) continue;
    for (const term of Object.values(entry.terms?.OnDemand ?? {})) {
      for (const dimension of Object.values(term.priceDimensions ?? {})) {
        const price = Number(dimension.pricePerUnit?.USD);
        if (dimension.unit === "Hrs" && Number.isFinite(price) && price > 0) {
          const known = prices.get(type);
          prices.set(type, known === undefined ? price : Math.min(known, price));
        }
      }
    }
  }
  return prices;
}

export function pricingApiFetcher(client: Pick<PricingClient, "send">): PriceFetcher {
  return async (region) => {
    const entries: (string | object)[] = [];
    let token: string | undefined;
    do {
      const page = await client.send(
        new GetProductsCommand({
          ServiceCode: "AmazonEC2",
          Filters: onDemandFilters(region),
          FormatVersion: "aws_v1",
          MaxResults: 100,
          NextToken: token,
        }),
      );
      entries.push(...((page.PriceList ?? []) as (string | object)[]));
      token = page.NextToken;
    } while (token);
    return parsePriceList(entries);
  };
}
