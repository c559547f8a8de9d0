// What a migration reports besides the objects it produced: fields it could not carry (with the
// reason and, where there is one, what to do instead) and documents it passed through untouched.
// Each finding names the file and line of the document it came from.

export interface SourceRef {
  readonly file: string;
  readonly line: number;
}

export type FindingKind = "not-carried" | "passed-through";

export interface Finding {
  readonly kind: FindingKind;
  readonly source: SourceRef;
  /** "NodePool/default", or "<kind>" when the document has no name. */
  readonly object: string;
  /** Dotted path in the Karpenter document, e.g. "spec.kubelet.podsPerCore"; "" for the whole object. */
  readonly field: string;
  readonly reason: string;
}

export function formatFinding(finding: Finding): string {
  const where = `${finding.source.file}:${finding.source.line}`;
  const what = finding.field === "" ? finding.object : `${finding.object} ${finding.field}`;
  const label = finding.kind === "not-carried" ? "not carried" : "passed through";
  return `${label}: ${where} ${what}: ${finding.reason}`;
}

/** Collects findings for one object while it is converted. */
export class FindingSink {
  readonly findings: Finding[] = [];
  constructor(
    private readonly source: SourceRef,
    private readonly object: string,
  ) {}

  notCarried(field: string, reason: string): void {
    this.findings.push({ kind: "not-carried", source: this.source, object: this.object, field, reason });
  }

  passedThrough(reason: string): void {
    this.findings.push({
      kind: "passed-through",
      source: this.source,
      object: this.object,
      field: "",
      reason,
    });
  }
}
