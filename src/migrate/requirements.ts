// NodePool requirements from Karpenter's spelling to rafter's: Karpenter's well-known keys become the
// rafter.dev/ keys they alias, everything else (kubernetes.io/arch, topology.kubernetes.io/zone,
// custom labels) is kept. Keys rafter has no equivalent for are reported, never guessed.
import type { NodeSelectorRequirementWithMinValues, RequirementOperator } from "../api/common.js";
import { karpenterLabelAliases } from "../api/karpenter-labels.js";
import { asArray, asRecord, asString } from "./fields.js";
import type { FindingSink } from "./findings.js";

const operators: readonly RequirementOperator[] = ["In", "NotIn", "Exists", "DoesNotExist", "Gt", "Lt"];

/** Why rafter cannot select on a Karpenter key it has no alias for. */
function unsupportedKeyReason(key: string): string | undefined {
  if (key.startsWith("karpenter.k8s.aws/capacity-reservation") || key === "karpenter.sh/capacity-type")
    return "rafter does not launch into EC2 capacity reservations";
  if (key === "karpenter.k8s.aws/instance-tenancy") return "rafter launches default-tenancy instances only";
  if (key.startsWith("karpenter.k8s.aws/placement-group"))
    return "rafter does not launch into placement groups";
  if (key === "topology.k8s.aws/zone-id")
    return "rafter selects zones by name: use topology.kubernetes.io/zone with the zone names";
  if (key === "karpenter.sh/nodepool")
    return "rafter labels its nodes rafter.dev/nodepool and never karpenter.sh/nodepool (Karpenter's own nodes carry it)";
  if (key.startsWith("karpenter.k8s.aws/") || key.startsWith("karpenter.sh/"))
    return "rafter has no label with this meaning";
  return undefined;
}

export interface RequirementsResult {
  readonly requirements: NodeSelectorRequirementWithMinValues[];
  /** Set when the requirements admit only what rafter cannot launch: the NodePool is not carried. */
  readonly unlaunchable?: string;
}

/** Gte/Lte (newer Karpenter) on integers become Gt/Lt, which rafter's schema knows. */
function integerBound(
  operator: string,
  values: string[],
): { operator: RequirementOperator; values: string[] } | undefined {
  const n = Number(values[0]);
  if (values.length !== 1 || !Number.isInteger(n)) return undefined;
  if (operator === "Gte") return { operator: "Gt", values: [String(n - 1)] };
  if (operator === "Lte") return { operator: "Lt", values: [String(n + 1)] };
  return undefined;
}

export function convertRequirements(input: unknown, path: string, sink: FindingSink): RequirementsResult {
  const requirements: NodeSelectorRequirementWithMinValues[] = [];
  let unlaunchable: string | undefined;
  asArray(input).forEach((raw, i) => {
    const at = `${path}[${i}]`;
    const entry = asRecord(raw) ?? {};
    const key = asString(entry.key) ?? "";
    let operator = asString(entry.operator) ?? "";
    let values = asArray(entry.values).map(String);
    const minValues = typeof entry.minValues === "number" ? entry.minValues : undefined;
    if (operator === "Gte" || operator === "Lte") {
      const bound = integerBound(operator, values);
      if (!bound) {
        sink.notCarried(at, `operator ${operator} needs one integer value`);
        return;
      }
      ({ operator, values } = bound);
    }
    if (!operators.includes(operator as RequirementOperator)) {
      sink.notCarried(at, `operator ${operator} is not one rafter knows (${operators.join(", ")})`);
      return;
    }
    if (key === "karpenter.sh/capacity-type" && values.includes("reserved")) {
      const kept = values.filter((v) => v !== "reserved");
      sink.notCarried(`${at}.values`, `capacity type 'reserved': ${unsupportedKeyReason(key) ?? ""}`);
      if (operator === "In" && kept.length === 0) {
        unlaunchable = "its requirements admit only reserved capacity, which rafter does not launch";
        return;
      }
      values = kept;
    }
    if (key === "kubernetes.io/os" && operator === "In" && !values.includes("linux")) {
      unlaunchable = `its requirements admit only ${values.join(", ")} nodes; rafter launches Linux nodes`;
      return;
    }
    const mapped = karpenterLabelAliases[key];
    const reason = mapped === undefined ? unsupportedKeyReason(key) : undefined;
    if (reason !== undefined) {
      sink.notCarried(at, `${key}: ${reason}`);
      return;
    }
    requirements.push({
      key: mapped ?? key,
      operator: operator as RequirementOperator,
      ...(values.length > 0 || operator === "In" || operator === "NotIn" ? { values } : {}),
      ...(minValues !== undefined ? { minValues } : {}),
    });
  });
  return { requirements, ...(unlaunchable !== undefined ? { unlaunchable } : {}) };
}
