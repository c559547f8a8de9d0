// `rafter catalog`: prints the instance catalogue — the embedded us-east-1 snapshot by default, or
// what an EC2 endpoint reports (--ec2-endpoint, e.g. a moto server) — as a table for people or as
// JSON (the Catalog shape `rafter plan --catalog` accepts). Filters narrow it to what one asks about.
import type { Command } from "commander";
import { loadEmbeddedCatalog, loadEmbeddedSnapshot } from "../catalog/embedded.js";
import { labelKeys } from "../api/labels.js";
import type { Catalog, InstanceType } from "../catalog/types.js";
import { UsageError } from "./usage-error.js";

interface CatalogFlags {
  region: string;
  ec2Endpoint?: string;
  spotPrices: string;
  output: string;
  type?: string[];
  family?: string[];
  arch?: string;
  minCpu?: string;
  minMemory?: string;
  gpu?: boolean;
  sort: string;
  limit?: string;
}

const GiB = 2 ** 30;

function minPrice(type: InstanceType, capacityType: "on-demand" | "spot"): number | undefined {
  const prices = type.offerings.filter((o) => o.capacityType === capacityType).map((o) => o.price);
  return prices.length > 0 ? Math.min(...prices) : undefined;
}

function number(raw: string | undefined, flag: string): number | undefined {
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0)
    throw new UsageError(`--${flag}: "${raw}" is not a non-negative number`);
  return value;
}

/** Shell-style globs ("m5*", "c7g.*") over instance type names. */
function globMatcher(patterns: string[]): (name: string) => boolean {
  const regexes = patterns
    .flatMap((p) => p.split(","))
    .map(
      (p) =>
        new RegExp(
          `^${p
            .replace(/[.+^${}()|[\]\\]/g, "\\$&")
            .replaceAll("*", ".*")
            .replaceAll("?", ".")}$`,
        ),
    );
  return (name) => regexes.some((r) => r.test(name));
}

function selectTypes(catalog: Catalog, flags: CatalogFlags): InstanceType[] {
  const minCpu = number(flags.minCpu, "min-cpu");
  const minMemory = number(flags.minMemory, "min-memory");
  const limit = number(flags.limit, "limit");
  const typeMatch = flags.type ? globMatcher(flags.type) : undefined;
  const families = flags.family ? new Set(flags.family.flatMap((f) => f.split(","))) : undefined;
  const selected = catalog.instanceTypes.filter((t) => {
    if (typeMatch && !typeMatch(t.name)) return false;
    if (families && !families.has(t.labels[labelKeys.family] ?? "")) return false;
    if (flags.arch && t.labels[labelKeys.arch] !== flags.arch) return false;
    if (minCpu !== undefined && (t.capacity.cpu ?? 0) < minCpu * 1000) return false;
    if (minMemory !== undefined && Number(t.labels[labelKeys.memory] ?? 0) < minMemory * 1024) return false;
    if (flags.gpu && t.labels[labelKeys.gpuCount] === undefined) return false;
    return true;
  });
  const byPrice = (t: InstanceType): number => minPrice(t, "on-demand") ?? minPrice(t, "spot") ?? Infinity;
  const sorters: Record<string, (a: InstanceType, b: InstanceType) => number> = {
    // Family, then size by vCPUs: m5.large, m5.xlarge, m5.2xlarge … rather than string order.
    name: (a, b) =>
      (a.labels[labelKeys.family] ?? "").localeCompare(b.labels[labelKeys.family] ?? "") ||
      (a.capacity.cpu ?? 0) - (b.capacity.cpu ?? 0) ||
      a.name.localeCompare(b.name),
    price: (a, b) => byPrice(a) - byPrice(b) || a.name.localeCompare(b.name),
    cpu: (a, b) => (a.capacity.cpu ?? 0) - (b.capacity.cpu ?? 0) || byPrice(a) - byPrice(b),
    memory: (a, b) => (a.capacity.memory ?? 0) - (b.capacity.memory ?? 0) || byPrice(a) - byPrice(b),
  };
  const sorter = sorters[flags.sort];
  if (!sorter)
    throw new UsageError(`--sort: "${flags.sort}" must be one of ${Object.keys(sorters).join(", ")}`);
  selected.sort(sorter);
  return limit === undefined ? selected : selected.slice(0, limit);
}

const price = (value: number | undefined): string => (value === undefined ? "-" : value.toFixed(4));
const gib = (bytes: number | undefined): string => ((bytes ?? 0) / GiB).toFixed(1);

function accelerators(type: InstanceType): string {
  const count = type.labels[labelKeys.gpuCount] ?? type.labels[labelKeys.acceleratorCount];
  const name = type.labels[labelKeys.gpuName] ?? type.labels[labelKeys.acceleratorName];
  return count === undefined ? "-" : `${count}x${name ?? "?"}`;
}

function renderTable(types: readonly InstanceType[]): string {
  const header = [
    "TYPE",
    "ARCH",
    "VCPU",
    "MEMORY-GIB",
    "ALLOC-CPU",
    "ALLOC-MEM-GIB",
    "MAX-PODS",
    "ACCEL",
    "ZONES",
    "ON-DEMAND-$/H",
    "SPOT-$/H",
  ];
  const rows = types.map((t) => [
    t.name,
    t.labels[labelKeys.arch] ?? "-",
    String((t.capacity.cpu ?? 0) / 1000),
    (Number(t.labels[labelKeys.memory] ?? 0) / 1024).toFixed(1),
    `${t.allocatable.cpu ?? 0}m`,
    gib(t.allocatable.memory),
    String(t.capacity.pods ?? 0),
    accelerators(t),
    String(new Set(t.offerings.map((o) => o.zone)).size),
    price(minPrice(t, "on-demand")),
    price(minPrice(t, "spot")),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const numeric = new Set([2, 3, 4, 5, 6, 8, 9, 10]);
  const line = (cells: string[]): string =>
    cells
      .map((c, i) => (numeric.has(i) ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0)))
      .join("  ")
      .trimEnd();
  return [line(header), ...rows.map(line)].join("\n") + "\n";
}

async function loadCatalog(flags: CatalogFlags): Promise<{ catalog: Catalog; note: string }> {
  if (flags.spotPrices !== "ec2" && flags.spotPrices !== "estimate") {
    throw new UsageError(`--spot-prices: "${flags.spotPrices}" must be ec2 or estimate`);
  }
  if (flags.ec2Endpoint !== undefined) {
    const { discoverCatalog } = await import("../cloud/aws/discover-catalog.js");
    const catalog = await discoverCatalog({
      region: flags.region,
      endpoint: flags.ec2Endpoint || undefined,
      spotPrices: flags.spotPrices,
    });
    return {
      catalog,
      note: `from EC2 at ${flags.ec2Endpoint || "the default endpoint"}; spot prices: ${flags.spotPrices}`,
    };
  }
  const snapshot = loadEmbeddedSnapshot();
  if (flags.region !== snapshot.region) {
    throw new UsageError(
      `the embedded catalogue covers ${snapshot.region} only; use --ec2-endpoint to read ${flags.region} from EC2`,
    );
  }
  return {
    catalog: loadEmbeddedCatalog(),
    note: `embedded snapshot: ${snapshot.source.instanceTypes}; spot prices: ${snapshot.source.spotPrices}`,
  };
}

export function registerCatalogCommand(program: Command): void {
  program
    .command("catalog")
    .description("list the instance catalogue: capacity, allocatable, max pods, on-demand and spot prices")
    .option("--region <region>", "AWS region", "us-east-1")
    .option(
      "--ec2-endpoint [url]",
      "read the catalogue from EC2 (optionally this endpoint, e.g. moto) instead of the embedded snapshot",
    )
    .option(
      "--spot-prices <source>",
      "with --ec2-endpoint: ec2 (DescribeSpotPriceHistory) or estimate",
      "ec2",
    )
    .option("-o, --output <format>", "table or json", "table")
    .option("-t, --type <glob...>", "instance types to show (globs, comma-separated allowed), e.g. 'm5.*'")
    .option("--family <family...>", "instance families, e.g. m5 c7g")
    .option("--arch <arch>", "amd64 or arm64")
    .option("--min-cpu <vcpus>", "at least this many vCPUs")
    .option("--min-memory <gib>", "at least this much memory (GiB)")
    .option("--gpu", "only types with GPUs")
    .option("--sort <key>", "name, price, cpu or memory", "name")
    .option("--limit <n>", "show at most n types")
    .action(async (flags: CatalogFlags) => {
      if (flags.output !== "table" && flags.output !== "json") {
        throw new UsageError(`--output: "${flags.output}" must be table or json`);
      }
      const { catalog, note } = await loadCatalog(flags);
      const types = selectTypes(catalog, flags);
      if (flags.output === "json") {
        process.stdout.write(JSON.stringify({ region: catalog.region, instanceTypes: types }) + "\n");
        return;
      }
      process.stdout.write(renderTable(types));
      process.stderr.write(
        `${types.length} of ${catalog.instanceTypes.length} types in ${catalog.region} (${note})\n`,
      );
    });
}
