// A one-shot catalogue read from an EC2 endpoint (real or moto), for `rafter catalog --ec2-endpoint`.
import { pino } from "pino";
import { loadEmbeddedOnDemandPrices } from "../../catalog/embedded.js";
import type { Catalog } from "../../catalog/types.js";
import { systemClock } from "../../clock.js";
import { CatalogSource, type SpotPriceSource } from "./catalog-source.js";
import { Ec2Caller } from "./ec2-caller.js";
import { createEc2Client } from "./ec2-client.js";
import { defaultRetryPolicy } from "./retry.js";

export interface DiscoverCatalogOptions {
  region: string;
  endpoint?: string | undefined;
  spotPrices: SpotPriceSource;
}

export async function discoverCatalog(options: DiscoverCatalogOptions): Promise<Catalog> {
  const ec2 = createEc2Client({ region: options.region, endpoint: options.endpoint });
  try {
    const source = new CatalogSource({
      ec2,
      caller: new Ec2Caller(defaultRetryPolicy, pino({ level: "silent" })),
      clock: systemClock,
      region: options.region,
      onDemandPrices: loadEmbeddedOnDemandPrices(options.region),
      spotPrices: options.spotPrices,
      typesTtlMs: 60_000,
      spotTtlMs: 60_000,
    });
    return (await source.catalog()).catalog;
  } finally {
    ec2.destroy();
  }
}
