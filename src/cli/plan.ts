// `rafter plan`: the offline planner. Reads Kubernetes objects from files or directories, plans
// capacity for the pending pods against the embedded (or a given) catalogue and prints the plan
// as a table for people or as the JSON/YAML contract for tools.
import { readFileSync } from "node:fs";
import type { Command } from "commander";
import { parseAllDocuments, stringify } from "yaml";
import { validateObject } from "../api/validation.js";
import { loadEmbeddedCatalog } from "../catalog/embedded.js";
import type { Catalog } from "../catalog/types.js";
import {
  catalogFromJson,
  flattenObjects,
  loadLpSolver,
  plan,
  planDocument,
  snapshotFromObjects,
  SnapshotInputError,
  type Plan,
} from "../planner/index.js";
import { UsageError } from "../usage-error.js";
import { inputFiles } from "./input-files.js";
import { errorMessage } from "../domain/error-message.js";

interface PlanFlags {
  file: string[];
  catalog?: string;
  region: string;
  output: string;
}

export function readDocuments(path: string): unknown[] {
  const text = readFileSync(path, "utf8");
  const docs = parseAllDocuments(text);
  const out: unknown[] = [];
  for (const doc of Array.isArray(docs) ? docs : [docs]) {
    const error = doc.errors[0];
    if (error) throw new UsageError(`${path}: ${error.message.split("\n")[0] ?? "invalid YAML"}`);
    out.push(doc.toJS());
  }
  return out;
}

type CrdKind = Parameters<typeof validateObject>[0];
const crdKinds: ReadonlySet<string> = new Set<CrdKind>(["NodePool", "EC2NodeClass", "VirtualNode"]);
const isCrdKind = (kind: string | undefined): kind is CrdKind => kind !== undefined && crdKinds.has(kind);

/**
 * rafter's own objects in `path` checked against their CRD's schema and CEL rules, the checks the
 * API server makes: the planner then only sees objects the cluster could hold.
 */
function checkAgainstCrds(path: string, docs: readonly unknown[]): void {
  let objects;
  try {
    objects = flattenObjects(docs);
  } catch (error) {
    if (error instanceof SnapshotInputError) throw new UsageError(`${path}: ${error.message}`);
    throw error;
  }
  for (const object of objects) {
    if (!isCrdKind(object.kind)) continue;
    const problems = validateObject(object.kind, object);
    if (problems.length > 0)
      throw new UsageError(
        `${path}: ${object.kind} ${object.metadata?.name ?? "(unnamed)"}: ${problems.join("; ")}`,
      );
  }
}

function loadCatalog(flags: PlanFlags): Catalog {
  if (flags.catalog) {
    let json: unknown;
    try {
      json = JSON.parse(readFileSync(flags.catalog, "utf8"));
    } catch (error) {
      throw new UsageError(`--catalog ${flags.catalog}: ${errorMessage(error)}`);
    }
    return catalogFromJson(json, flags.region);
  }
  const embedded = loadEmbeddedCatalog();
  if (embedded.region !== flags.region)
    throw new UsageError(
      `the embedded catalogue covers ${embedded.region}; pass --catalog for ${flags.region}`,
    );
  return embedded;
}

function money(v: number): string {
  return `$${v.toFixed(4)}`;
}

function formatTable(p: Plan): string {
  const rows: string[][] = [["NODE", "POOL", "TYPE", "OPTIONS", "ZONE", "CAPACITY", "PODS", "$/H"]];
  for (const n of p.newNodes)
    rows.push([
      n.name,
      n.nodePool,
      n.instanceTypes[0] ?? "-",
      String(n.instanceTypes.length),
      n.zones.length === 1 ? (n.zones[0] ?? "") : `${n.zones.length} zones`,
      n.capacityTypes.join(","),
      String(n.pods.length),
      n.hourlyPrice.toFixed(4),
    ]);
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? "").length))) ?? [];
  const lines = rows.map((r) =>
    r
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join("  ")
      .trimEnd(),
  );
  if (p.newNodes.length === 0) lines.splice(0, 1, "no new nodes");
  lines.push("");
  lines.push(`placed on existing/in-flight nodes: ${p.placements.length}`);
  lines.push(
    `new nodes: ${p.newNodes.length}, pods on them: ${p.newNodes.reduce((s, n) => s + n.pods.length, 0)}`,
  );
  const bound = p.lowerBound === undefined ? "" : `, lower bound ${money(p.lowerBound)}/h`;
  const eff = p.efficiency === undefined ? "" : `, efficiency ${p.efficiency.toFixed(3)}x`;
  lines.push(`hourly cost ${money(p.hourlyCost)}/h${bound}${eff}`);
  if (p.unschedulable.length > 0) {
    lines.push("");
    lines.push(`unschedulable pods: ${p.unschedulable.length}`);
    for (const u of p.unschedulable) lines.push(`  ${u.pod}: ${u.reason}`);
  }
  return `${lines.join("\n")}\n`;
}

async function run(flags: PlanFlags): Promise<void> {
  if (!["table", "json", "yaml"].includes(flags.output))
    throw new UsageError(`-o must be table, json or yaml (got "${flags.output}")`);
  if (flags.file.length === 0) throw new UsageError("at least one -f <file|dir> is required");
  const docs = flags.file.flatMap(inputFiles).flatMap((path) => {
    const fileDocs = readDocuments(path);
    checkAgainstCrds(path, fileDocs);
    return fileDocs;
  });
  const catalog = loadCatalog(flags);
  let snapshot;
  try {
    snapshot = snapshotFromObjects(docs, catalog);
  } catch (error) {
    if (error instanceof SnapshotInputError) throw new UsageError(error.message);
    throw error;
  }
  const result = plan(snapshot, { lpSolver: await loadLpSolver() });
  if (flags.output === "json") process.stdout.write(`${JSON.stringify(planDocument(result), null, 2)}\n`);
  else if (flags.output === "yaml") process.stdout.write(stringify(planDocument(result)));
  else process.stdout.write(formatTable(result));
}

export function registerPlanCommand(program: Command): void {
  program
    .command("plan")
    .description("plan capacity for pending pods offline")
    .option(
      "-f, --file <path>",
      "YAML/JSON file or directory of Pods, Nodes, NodePools, … (repeatable)",
      (v: string, prev: string[]) => [...prev, v],
      [] as string[],
    )
    .option("--catalog <catalog.json>", "instance catalogue JSON instead of the embedded us-east-1 snapshot")
    .option("--region <region>", "region of the catalogue", "us-east-1")
    .option("-o, --output <format>", "table, json or yaml", "table")
    .action(async (flags: PlanFlags) => {
      await run(flags);
    });
}
