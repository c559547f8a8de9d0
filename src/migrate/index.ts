// `rafter migrate`'s pure core: Karpenter v1 NodePools and EC2NodeClasses in, rafter's equivalents
// out, with every field that could not be carried reported. Every object produced is checked against
// rafter's own CRD schema (the validator `rafter plan` and the tests use) before it is returned.
import { validateObject } from "../api/validation.js";
import { convertEC2NodeClass } from "./ec2nodeclass.js";
import { FindingSink, type Finding, type SourceRef } from "./findings.js";
import { convertNodePool } from "./nodepool.js";

export { formatFinding, type Finding, type SourceRef } from "./findings.js";

export interface InputDocument {
  readonly source: SourceRef;
  readonly object: unknown;
}

export type MigrationResult =
  | { readonly ok: true; readonly objects: unknown[]; readonly findings: Finding[] }
  /** An object rafter's schema rejects: the input was not a valid Karpenter object. */
  | { readonly ok: false; readonly problem: string };

function header(object: unknown): { apiVersion: string; kind: string; name: string } {
  const o = (object ?? {}) as { apiVersion?: unknown; kind?: unknown; metadata?: { name?: unknown } };
  const text = (value: unknown): string => (typeof value === "string" ? value : "");
  return { apiVersion: text(o.apiVersion), kind: text(o.kind), name: text(o.metadata?.name) };
}

interface Slot {
  readonly source: SourceRef;
  readonly label: string;
  object: unknown;
  /** Set on the objects this migration produced (the ones to validate). */
  readonly converted?: "NodePool" | "EC2NodeClass";
  /** For a converted NodePool: the EC2NodeClass it needs. */
  readonly nodeClass?: string;
}

/**
 * Which EC2NodeClasses were converted, by file and name. A NodePool's class is looked up in its own
 * file first (Karpenter's examples reuse names like "default" across files), then in any file.
 */
class ClassOutcomes {
  private readonly byFile = new Map<string, string | undefined>();
  private readonly convertedNames = new Set<string>();
  private readonly droppedNames = new Map<string, string>();

  record(file: string, name: string, droppedReason: string | undefined): void {
    this.byFile.set(`${file}\0${name}`, droppedReason);
    if (droppedReason === undefined) this.convertedNames.add(name);
    else this.droppedNames.set(name, droppedReason);
  }

  /** Why the class a NodePool needs was not converted; undefined if it was, or was not given. */
  dropped(file: string, name: string): string | undefined {
    const key = `${file}\0${name}`;
    if (this.byFile.has(key)) return this.byFile.get(key);
    return this.convertedNames.has(name) ? undefined : this.droppedNames.get(name);
  }
}

export function migrateDocuments(documents: readonly InputDocument[]): MigrationResult {
  const findings: Finding[] = [];
  const slots: Slot[] = [];
  const classes = new ClassOutcomes();
  for (const { source, object } of documents) {
    if (object === null || object === undefined) continue; // an empty document between ---
    const { apiVersion, kind, name } = header(object);
    const label = name === "" ? kind : `${kind}/${name}`;
    const sink = new FindingSink(source, label);
    if (apiVersion === "karpenter.sh/v1" && kind === "NodePool") {
      const converted = convertNodePool(object, sink);
      if (converted.ok)
        slots.push({
          source,
          label,
          object: converted.nodePool,
          converted: "NodePool",
          nodeClass: converted.nodeClassName,
        });
      else sink.notCarried("", `NodePool not converted: ${converted.reason}`);
    } else if (apiVersion === "karpenter.k8s.aws/v1" && kind === "EC2NodeClass") {
      const converted = convertEC2NodeClass(object, sink);
      if (converted.ok) slots.push({ source, label, object: converted.nodeClass, converted: "EC2NodeClass" });
      else sink.notCarried("", `EC2NodeClass not converted: ${converted.reason}`);
      classes.record(source.file, name, converted.ok ? undefined : converted.reason);
    } else {
      const hint = apiVersion.startsWith("karpenter.")
        ? " (rafter migrate reads Karpenter v1 NodePools and EC2NodeClasses)"
        : "";
      sink.passedThrough(
        `${apiVersion} ${kind} is not a Karpenter v1 NodePool or EC2NodeClass; copied unchanged${hint}`,
      );
      slots.push({ source, label, object });
    }
    findings.push(...sink.findings);
  }

  // A NodePool whose EC2NodeClass was given but could not be converted would point at nothing.
  const kept = slots.filter((slot) => {
    const reason =
      slot.nodeClass === undefined ? undefined : classes.dropped(slot.source.file, slot.nodeClass);
    if (reason === undefined) return true;
    findings.push({
      kind: "not-carried",
      source: slot.source,
      object: slot.label,
      field: "",
      reason: `NodePool not converted: its EC2NodeClass ${slot.nodeClass ?? ""} was not converted (${reason})`,
    });
    return false;
  });

  for (const slot of kept) {
    if (slot.converted === undefined) continue;
    const problems = validateObject(slot.converted, slot.object);
    if (problems.length > 0)
      return {
        ok: false,
        problem: `${slot.source.file}:${slot.source.line} ${slot.label}: the converted object is not valid for rafter: ${problems.join("; ")}`,
      };
  }
  return { ok: true, objects: kept.map((s) => s.object), findings };
}
