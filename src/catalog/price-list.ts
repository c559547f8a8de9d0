// Reads AWS's public Price List bulk CSV for EC2 (one file per region,
// https://pricing.us-east-1.amazonaws.com/offers/v1.0/aws/AmazonEC2/current/<region>/index.csv) and
// keeps the on-demand hourly price of each instance type for plain Linux: shared tenancy, no
// pre-installed software, no license, capacity "Used" (not reservations), in the region itself
// (the region's file also lists its Local Zones). Used by scripts/refresh-prices.ts.

/** Splits one CSV line with RFC 4180 quoting ("a","b ""c""",d). */
export function splitCsvLine(line: string): string[] {
  const cells: string[] = [];
  let cell = "";
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line.charAt(i);
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ",") {
      cells.push(cell);
      cell = "";
    } else cell += ch;
  }
  cells.push(cell);
  return cells;
}

const wanted: Readonly<Record<string, (value: string) => boolean>> = {
  TermType: (v) => v === "OnDemand",
  Unit: (v) => v === "Hrs",
  Tenancy: (v) => v === "Shared",
  "Operating System": (v) => v === "Linux",
  "Pre Installed S/W": (v) => v === "NA",
  CapacityStatus: (v) => v === "Used",
  "License Model": (v) => v === "No License required" || v === "",
  "Location Type": (v) => v === "AWS Region",
  "Product Family": (v) => v.startsWith("Compute Instance"),
  Currency: (v) => v === "USD",
};

/** Collects on-demand Linux prices from the file's lines (metadata lines before the header are skipped). */
export class PriceListReader {
  private header: string[] | undefined;
  readonly prices = new Map<string, number>();

  line(text: string): void {
    if (text.trim() === "") return;
    const cells = splitCsvLine(text);
    if (!this.header) {
      if (cells[0] === "SKU") this.header = cells;
      return;
    }
    const value = (column: string): string => cells[this.header?.indexOf(column) ?? -1] ?? "";
    for (const [column, accept] of Object.entries(wanted)) {
      if (this.header.includes(column) && !accept(value(column))) return;
    }
    const type = value("Instance Type");
    const price = Number(value("PricePerUnit"));
    // A zero price is a placeholder row (e.g. for a reservation-only capacity), never a real price.
    if (type && Number.isFinite(price) && price > 0) this.prices.set(type, price);
  }
}

export function formatPriceCsv(region: string, prices: ReadonlyMap<string, number>): string {
  const rows = [...prices]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([type, price]) => `${region},${type},${price.toFixed(6)}`);
  return ["region,instance_type,on_demand_usd_per_hour", ...rows, ""].join("\n");
}
