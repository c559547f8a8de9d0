// Regenerates data/catalog.json, the embedded catalogue, from the data moto's PyPI package ships
// (DescribeInstanceTypes output for every type, and per-zone DescribeInstanceTypeOfferings) plus the
// on-demand price table data/ec2-on-demand-prices.csv. Deterministic: the same inputs give the same
// bytes, so a diff of data/catalog.json is a diff of the data.
//
//   node --import tsx scripts/gen-catalog.ts [--moto-dir <site-packages>/moto] [--region us-east-1]
//                                            [--prices data/ec2-on-demand-prices.csv] [--out data/catalog.json]
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { gunzipSync } from "node:zlib";
import { isLaunchable, supportsSpot } from "../src/catalog/build.js";
import { reduceInstanceTypeInfo, type Ec2InstanceTypeInfo } from "../src/catalog/ec2-info.js";
import { estimateSpotPrice, parsePriceCsv } from "../src/catalog/pricing.js";
import { snapshotFormat, type CatalogSnapshot, type SnapshotEntry } from "../src/catalog/snapshot.js";

const { values } = parseArgs({
  options: {
    "moto-dir": { type: "string" },
    region: { type: "string", default: "us-east-1" },
    prices: { type: "string", default: "data/ec2-on-demand-prices.csv" },
    out: { type: "string", default: "data/catalog.json" },
  },
});
const region = values.region;

function motoDir(): string {
  if (values["moto-dir"]) return values["moto-dir"];
  const bin =
    execFileSync("bash", ["scripts/install-moto.sh"], { encoding: "utf8" }).trim().split("\n").pop() ?? "";
  return execFileSync(join(bin, "python"), ["-c", "import moto, os; print(os.path.dirname(moto.__file__))"], {
    encoding: "utf8",
  }).trim();
}

/** moto ships its resources gzipped in some releases and plain in others. */
function readJsonResource(path: string): unknown {
  for (const candidate of [`${path}.gz`, path]) {
    try {
      const bytes = readFileSync(candidate);
      return JSON.parse((candidate.endsWith(".gz") ? gunzipSync(bytes) : bytes).toString("utf8"));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    }
  }
  throw new Error(`moto resource not found: ${path}(.gz)`);
}

const started = performance.now();
const moto = motoDir();
const resources = join(moto, "ec2", "resources");
const infos = readJsonResource(join(resources, "instance_types.json")) as Record<string, Ec2InstanceTypeInfo>;
const offerings = readJsonResource(
  join(resources, "instance_type_offerings", "availability-zone", `${region}.json`),
) as { InstanceType: string; Location: string }[];
const prices = parsePriceCsv(readFileSync(values.prices, "utf8"), region);
const motoVersion = execFileSync(
  join(moto, "..", "..", "..", "..", "bin", "python"),
  ["-c", "import moto; print(moto.__version__)"],
  {
    encoding: "utf8",
  },
).trim();

const zones = [...new Set(offerings.map((o) => o.Location))].sort();
const zonesByType = new Map<string, number[]>();
for (const offering of offerings) {
  const list = zonesByType.get(offering.InstanceType) ?? [];
  list.push(zones.indexOf(offering.Location));
  zonesByType.set(offering.InstanceType, list);
}

const excluded = { notOffered: 0, notLinux: [] as string[], noPrice: [] as string[] };
const types: SnapshotEntry[] = [];
for (const name of Object.keys(infos).sort()) {
  const info = infos[name];
  const typeZones = zonesByType.get(name)?.sort((a, b) => a - b);
  if (!info || !typeZones) {
    excluded.notOffered++;
    continue;
  }
  if (!isLaunchable(info)) {
    excluded.notLinux.push(name);
    continue;
  }
  const onDemand = prices.get(name);
  if (onDemand === undefined) {
    excluded.noPrice.push(name);
    continue;
  }
  const entry: SnapshotEntry = { info: reduceInstanceTypeInfo(info), zones: typeZones, onDemand };
  if (supportsSpot(info))
    entry.spot = typeZones.map((z) => estimateSpotPrice(name, zones[z] ?? "", onDemand));
  types.push(entry);
}

const snapshot: CatalogSnapshot = {
  format: snapshotFormat,
  region,
  source: {
    instanceTypes: `moto ${motoVersion} ec2/resources (instance_types.json, instance_type_offerings/availability-zone/${region}.json)`,
    onDemandPrices: "data/ec2-on-demand-prices.csv (public us-east-1 on-demand prices, snapshot 2026-07)",
    spotPrices: "ESTIMATE: on-demand × (0.30 + 0.25·u), u from an FNV-1a hash of type/zone (not market data)",
    excluded:
      `${excluded.notLinux.length} types that cannot run a Linux kubelet (${excluded.notLinux.join(" ")}); ` +
      `${excluded.noPrice.length} types without an on-demand price (${excluded.noPrice.join(" ")})`,
  },
  zones,
  types,
};

// One type per line: compact, yet a regenerated file diffs line by line.
const body = [
  `{"format":${JSON.stringify(snapshot.format)},"region":${JSON.stringify(region)},`,
  `"source":${JSON.stringify(snapshot.source)},`,
  `"zones":${JSON.stringify(zones)},`,
  `"types":[`,
  types.map((t) => JSON.stringify(t)).join(",\n"),
  `]}`,
  "",
].join("\n");
writeFileSync(values.out, body);
const ms = Math.round(performance.now() - started);
process.stderr.write(
  `wrote ${values.out}: ${types.length} types, ${zones.length} zones, ${(body.length / 1024).toFixed(0)} KiB in ${ms} ms ` +
    `(skipped ${excluded.notOffered} not offered in ${region}, ${excluded.notLinux.length} non-Linux, ${excluded.noPrice.length} unpriced)\n`,
);
