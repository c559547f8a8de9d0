// The embedded catalogue: real us-east-1 instance types, offerings and prices committed as
// data/catalog.json (see data/README.md and scripts/gen-catalog.ts). Used by `rafter plan`,
// `rafter catalog` and the simulated cloud when no EC2 endpoint is configured.
import { readFileSync } from "node:fs";
import type { AllocatableOptions } from "./allocatable.js";
import { parsePriceCsv } from "./pricing.js";
import { catalogFromSnapshot, type CatalogSnapshot } from "./snapshot.js";
import type { Catalog } from "./types.js";

// Resolved against this module so it works from src/ (tsx) and from dist/src/ (the build copies
// data/ to dist/data/).
const snapshotUrl = new URL("../../data/catalog.json", import.meta.url);

let cachedSnapshot: CatalogSnapshot | undefined;
let cachedCatalog: Catalog | undefined;

/** The raw snapshot, read once per process (it is immutable data). */
export function loadEmbeddedSnapshot(): CatalogSnapshot {
  cachedSnapshot ??= JSON.parse(readFileSync(snapshotUrl, "utf8")) as CatalogSnapshot;
  return cachedSnapshot;
}

/** The embedded catalogue with default kubelet settings. Callers must not mutate it. */
export function loadEmbeddedCatalog(): Catalog {
  cachedCatalog ??= catalogFromSnapshot(loadEmbeddedSnapshot());
  return cachedCatalog;
}

/** The embedded catalogue rebuilt with an EC2NodeClass's kubelet / root-volume settings. */
export function loadEmbeddedCatalogWith(options: AllocatableOptions): Catalog {
  return catalogFromSnapshot(loadEmbeddedSnapshot(), options);
}

const pricesUrl = new URL("../../data/ec2-on-demand-prices.csv", import.meta.url);
const cachedPrices = new Map<string, ReadonlyMap<string, number>>();

/** The shipped on-demand price table for a region (empty for regions it does not cover). */
export function loadEmbeddedOnDemandPrices(region: string): ReadonlyMap<string, number> {
  let prices = cachedPrices.get(region);
  if (!prices) {
    prices = parsePriceCsv(readFileSync(pricesUrl, "utf8"), region);
    cachedPrices.set(region, prices);
  }
  return prices;
}
