// `rafter status` rendering: the report as aligned tables for people, or as JSON for tools.
import type { ConditionSummary, ResourceUse, StatusReport } from "./status-report.js";

export function renderStatusJson(report: StatusReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}

/** kubectl-style age: 45s, 12m, 3h, 2d. */
export function formatAge(seconds: number | undefined): string {
  if (seconds === undefined) return "-";
  if (seconds < 120) return `${seconds}s`;
  if (seconds < 120 * 60) return `${Math.floor(seconds / 60)}m`;
  if (seconds < 48 * 3600) return `${Math.floor(seconds / 3600)}h`;
  return `${Math.floor(seconds / 86400)}d`;
}

function money(value: number): string {
  return `$${value.toFixed(4)}`;
}

function table(rows: readonly (readonly string[])[]): string[] {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? "").length))) ?? [];
  return rows.map((r) =>
    r
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join("  ")
      .trimEnd(),
  );
}

function condition(c: ConditionSummary): string {
  return c.status === "True" || c.reason === undefined ? c.status : `${c.status} (${c.reason})`;
}

function use(r: ResourceUse): string {
  return `${r.inUse}/${r.limit ?? "-"}`;
}

export function renderStatusTable(report: StatusReport): string {
  const out: string[] = [];
  out.push("NODEPOOLS");
  if (report.nodePools.length === 0) out.push("  (none)");
  else
    out.push(
      ...table([
        [
          "NAME",
          "WEIGHT",
          "READY",
          "REGISTRATION-HEALTHY",
          "NODES",
          "CPU(USED/LIMIT)",
          "MEMORY(USED/LIMIT)",
          "$/H",
        ],
        ...report.nodePools.map((p) => [
          p.name,
          String(p.weight),
          condition(p.ready),
          condition(p.nodeRegistrationHealthy),
          p.nodeLimit === undefined ? String(p.nodes) : `${p.nodes}/${p.nodeLimit}`,
          use(p.cpu),
          use(p.memory),
          p.hourlyCost.toFixed(4),
        ]),
      ]),
    );

  out.push("", "IN-FLIGHT CAPACITY (VirtualNodes not yet Ready)");
  if (report.inFlight.length === 0) out.push("  (none)");
  else
    out.push(
      ...table([
        ["NAME", "NODEPOOL", "PHASE", "TYPE", "AGE", "RESERVED-PODS", "LAST-FAILURE"],
        ...report.inFlight.map((v) => [
          v.name,
          v.nodePool,
          v.phase,
          v.instanceType === undefined ? "-" : v.planned ? `${v.instanceType} (planned)` : v.instanceType,
          formatAge(v.ageSeconds),
          String(v.reservedPods),
          v.lastFailure ?? "-",
        ]),
      ]),
    );

  if (report.failed.length > 0) {
    out.push("", "FAILED VIRTUALNODES");
    out.push(
      ...table([
        ["NAME", "NODEPOOL", "TYPE", "AGE", "REASON"],
        ...report.failed.map((f) => [
          f.name,
          f.nodePool,
          f.instanceType ?? "-",
          formatAge(f.ageSeconds),
          f.reason,
        ]),
      ]),
    );
  }

  const t = report.totals;
  out.push(
    "",
    "TOTALS",
    `  nodes:         ${t.nodes} (${t.rafterNodes} managed by rafter)`,
    `  VirtualNodes:  ${t.liveVirtualNodes} live, ${report.inFlight.length} in flight, ${report.failed.length} failed`,
    `  spend:         ${money(t.hourlyCost)}/h`,
    `  pending pods:  ${t.pendingPods}${t.pendingPods > 0 ? ` (${t.reservedPods} reserved by in-flight capacity)` : ""}`,
  );

  const e = report.efficiency;
  out.push("", "EFFICIENCY");
  if (e.lowerBound === undefined) out.push("  not computed");
  else if (e.ratio === undefined)
    out.push(
      `  n/a: no lower bound for ${e.pods} pod(s) on rafter-managed nodes (spend ${money(e.hourlyCost)}/h)`,
    );
  else
    out.push(
      `  ${e.ratio.toFixed(2)}x  (spend ${money(e.hourlyCost)}/h, lower bound ${money(e.lowerBound)}/h for ` +
        `${e.pods} pod(s) on rafter-managed nodes${e.unplaceable > 0 ? `, ${e.unplaceable} left out: no NodePool fits them` : ""})`,
    );
  out.push(...wrap(e.explanation, 98).map((l) => `  ${l}`));
  return `${out.join("\n")}\n`;
}

function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(" ")) {
    if (line !== "" && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line === "" ? word : `${line} ${word}`;
  }
  if (line !== "") lines.push(line);
  return lines;
}
