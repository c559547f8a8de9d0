// `rafter migrate`: reads Karpenter v1 NodePools and EC2NodeClasses from files or directories and
// prints rafter's equivalents (YAML documents or a JSON List) on stdout; what could not be carried
// goes to stderr, one line each. --strict turns any such line into exit 2 with nothing printed.
import { readFileSync } from "node:fs";
import type { Command } from "commander";
import { LineCounter, parseAllDocuments, stringify } from "yaml";
import { formatFinding, migrateDocuments, type InputDocument } from "../migrate/index.js";
import { UsageError } from "../usage-error.js";
import { inputFiles } from "./input-files.js";

interface MigrateFlags {
  file: string[];
  output: string;
  strict?: boolean;
}

/** The file's documents with the line each starts on; bad YAML is a usage error naming file and line. */
export function readDocuments(path: string, text: string): InputDocument[] {
  const lines = new LineCounter();
  const out: InputDocument[] = [];
  for (const doc of parseAllDocuments(text, { lineCounter: lines })) {
    const error = doc.errors[0];
    if (error) {
      const line = error.linePos?.[0].line ?? lines.linePos(error.pos[0]).line;
      throw new UsageError(`${path}:${line}: invalid YAML: ${error.message.split("\n")[0] ?? ""}`);
    }
    const start = doc.contents?.range[0] ?? doc.range[0];
    out.push({ source: { file: path, line: lines.linePos(start).line }, object: doc.toJS() });
  }
  return out;
}

function run(flags: MigrateFlags): void {
  if (!["yaml", "json"].includes(flags.output))
    throw new UsageError(`-o must be yaml or json (got "${flags.output}")`);
  if (flags.file.length === 0) throw new UsageError("at least one -f <file|dir> is required");
  const documents = flags.file
    .flatMap(inputFiles)
    .flatMap((path) => readDocuments(path, readFileSync(path, "utf8")));
  const result = migrateDocuments(documents);
  if (!result.ok) throw new UsageError(result.problem);
  for (const finding of result.findings) process.stderr.write(`rafter migrate: ${formatFinding(finding)}\n`);
  const lost = result.findings.filter((f) => f.kind === "not-carried").length;
  if (flags.strict && lost > 0)
    throw new UsageError(`--strict: ${lost} field(s) could not be carried (listed above)`);
  if (flags.output === "json")
    process.stdout.write(
      `${JSON.stringify({ apiVersion: "v1", kind: "List", items: result.objects }, null, 2)}\n`,
    );
  else process.stdout.write(result.objects.map((o) => stringify(o, { lineWidth: 0 })).join("---\n"));
}

export function registerMigrateCommand(program: Command): void {
  program
    .command("migrate")
    .description("convert Karpenter v1 NodePools and EC2NodeClasses to rafter's")
    .option(
      "-f, --file <path>",
      "YAML/JSON file or directory of Karpenter objects (repeatable)",
      (v: string, prev: string[]) => [...prev, v],
      [] as string[],
    )
    .option("-o, --output <format>", "yaml or json", "yaml")
    .option("--strict", "exit 2 if any field cannot be carried")
    .action((flags: MigrateFlags) => {
      run(flags);
    });
}
